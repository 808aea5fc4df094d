"""On-disk cache of tokens by text, so a build tokenizes only texts it has not tokenized before.

Tokenizing is the largest cost of a build after embedding: all of laws/ (8.6M characters of
clauses, the same again as sentences) takes about 500 CPU seconds, which a one-document change
would otherwise pay in full. Cached tokens stay valid while the tokenizer's code and word list stay
the same (the file name holds a hash of index/tokenizer.py, index/lexicon.py and the domain words).
The corpus's own words (the lexicon) change as documents come and go; a text is tokenized again
only when it contains a word that joined or left the dictionary since its tokens were cached. (Word
frequencies enter jieba's choice between two segmentations through their total, which every added
word shifts by a hair; a near-tie could in principle fall the other way than in a fresh build,
which `policyqa ingest --rebuild` gives.)
"""

from __future__ import annotations

import re
import sqlite3
import sys
from pathlib import Path
from typing import Callable, Iterable, Sequence

from ingest.records import content_hash

SEPARATOR = "\x1f"  # between tokens; never a token itself (the tokenizer drops punctuation and controls)


def tokenizer_code_hash() -> str:
    """Changes when the tokenizer's code or maintained word list changes."""
    from index.tokenizer import domain_words_hash

    here = Path(__file__).parent
    code = b"".join((here / name).read_bytes() for name in ("tokenizer.py", "lexicon.py"))
    return content_hash(code + domain_words_hash().encode())


class TokenCache:
    """Tokens of texts under one tokenizer (its word list given), cached in a SQLite file."""

    def __init__(self, cache_dir: Path, words: Iterable[str], tokenize: Callable[[str], list[str]]):
        cache_dir.mkdir(parents=True, exist_ok=True)
        self.path = cache_dir / f"tokens-{tokenizer_code_hash()}.sqlite"
        self.tokenize = tokenize
        self.db = sqlite3.connect(self.path, timeout=30)
        with self.db:
            self.db.execute("CREATE TABLE IF NOT EXISTS tok (key TEXT PRIMARY KEY, text TEXT, tokens TEXT)")
            self.db.execute("CREATE TABLE IF NOT EXISTS word (w TEXT PRIMARY KEY)")
        self.dropped = self._follow_words(set(words))

    def _follow_words(self, words: set[str]) -> int:
        """Forget the cached texts that contain a word the dictionary gained or lost; record the
        new word list. Returns how many were forgotten."""
        old = {w for (w,) in self.db.execute("SELECT w FROM word")}
        changed = sorted(old ^ words, key=len, reverse=True) if old else []
        stale: list[str] = []
        if changed:
            pattern = re.compile("|".join(map(re.escape, changed)))
            stale = [k for k, text in self.db.execute("SELECT key, text FROM tok") if pattern.search(text)]
        with self.db:
            for i in range(0, len(stale), 500):
                chunk = stale[i : i + 500]
                self.db.execute(f"DELETE FROM tok WHERE key IN ({','.join('?' * len(chunk))})", chunk)
            if old != words:
                self.db.execute("DELETE FROM word")
                self.db.executemany("INSERT INTO word VALUES (?)", [(w,) for w in words])
        return len(stale)

    def __call__(self, texts: Sequence[str]) -> list[list[str]]:
        """Tokens of each text: cached ones read, the others tokenized and committed."""
        by_key = {content_hash(t): t for t in texts}
        keys = list(by_key)
        found: dict[str, list[str]] = {}
        for i in range(0, len(keys), 500):
            chunk = keys[i : i + 500]
            q = f"SELECT key, tokens FROM tok WHERE key IN ({','.join('?' * len(chunk))})"
            for k, tokens in self.db.execute(q, chunk):
                found[by_key[k]] = [sys.intern(t) for t in tokens.split(SEPARATOR)] if tokens else []  # as the tokenizer does
        missing = [t for t in by_key.values() if t not in found]
        for i in range(0, len(missing), 5000):  # committed as it goes: a killed build keeps its work
            rows = []
            for t in missing[i : i + 5000]:
                found[t] = toks = self.tokenize(t)
                rows.append((content_hash(t), t, SEPARATOR.join(toks)))
            with self.db:
                self.db.executemany("INSERT OR REPLACE INTO tok VALUES (?, ?, ?)", rows)
        self.tokenized = len(missing)
        return [found[t] for t in texts]

    def close(self) -> None:
        self.db.close()
