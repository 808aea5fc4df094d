"""Hybrid clause search: jieba BM25 and m3e dense retrieval, fused by reciprocal rank (index/fusion.py)."""

from __future__ import annotations

import json
import math
import logging
import dataclasses
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Literal

import numpy as np

from index.build import Layout, store_folder
from index.embedder import Embedder
from index.fusion import FUSIONS
from index.keyword import KeywordIndex
from index.store import ClauseVectors
from index.tokenizer import Tokenizer, fold, normalize_query
from index.intent import ASKED_DEGREE, ASKING_WORDS, PENALTY, PUNISH_ASK, Intent, asking_part, classify, defined_term
from index.legal import LawEvidence
from index.lexicon import Lexicon, body_key, duty_bodies, equivalent_names, learn_collectives, learn_lexicon, partner_bodies
from index.numbers import quantities
from index.query import Catalogue, Query, Scope
from index.units import expand_heading, is_container, sentences
from ingest.records import Clause, Document, Hit, ParsedDocument, clause_from_dict, document_from_dict
from ingest.refs import ArticleRef, article_of, cross_references
from ingest.store import read_json

log = logging.getLogger(__name__)

Mode = Literal["hybrid", "keyword", "semantic"]
MODES: tuple[str, ...] = ("hybrid", "keyword", "semantic")
CANDIDATES = 40  # per retriever, before fusion
ROWS_CANDIDATES = 3
# How Chinese laws state their scope, and how people ask about it (general legal wording).
_CJK_WORD = re.compile(r"[\u4e00-\u9fff]+")
APPLIES = re.compile(r"适用本(条例|法|办法|规定|细则)|本(条例|法|办法|规定|细则)适用于")
APPLIES_ASK = re.compile(r"适用(于|范围|对象)|适不适用|管(哪些|什么)(人|企业|单位|事|行为|活动)|管不管|管得着|也算|包不包括|在不在(这个)?范围")
# Fusion of the rankings (index/fusion.py): "rrf" (reciprocal rank, the default) reads only ranks;
# "relative" (min-max normalised scores, summed) also uses how far ahead a clause is. On the gold set
# relative scored higher (see README); rrf is the robust default.
FUSION_MODES = tuple(FUSIONS)
DENSE_UNITS = 120  # units fetched from Chroma; several units map to one clause
MASKS_KEPT = 64  # allowed-clause masks kept per searcher (one per document scope and section)


class IndexMismatch(Exception):
    pass


class QueryError(ValueError):
    """Unusable input from a user (empty question, unknown document, bad mode): say what to do."""


@dataclass(frozen=True)
class Ranked:
    """One retriever's clause ranking for a query."""

    ids: list[str]
    scores: dict[str, float]
    sentence_sims: dict[tuple[str, int], float]  # (clause id, sentence start) -> similarity


class Searcher:
    """Reads one index generation; immutable once opened, so it is safe to share between threads."""

    def __init__(self, layout: Layout, embedder: Embedder, chroma_url: str = "", fusion: str = "rrf"):
        meta = layout.meta()
        self.meta = meta
        self.generation = meta["generation"]
        gen = layout.gen_dir(self.generation)
        if meta["model"] != embedder.name or meta["dim"] != embedder.dim:
            raise IndexMismatch(
                f"the index was built with embedding model {meta['model']} ({meta['dim']} dims) but the "
                f"configured model is {embedder.name} ({embedder.dim} dims); run `policyqa ingest --rebuild`"
            )
        built_in = meta.get("chroma", "embedded")
        if (built_in == "embedded") != (not chroma_url) or (chroma_url and built_in != chroma_url):
            raise IndexMismatch(
                f"the index was built in {'the embedded store' if built_in == 'embedded' else built_in} but "
                f"POLICYQA_CHROMA_URL is {chroma_url or 'unset'}; run `policyqa ingest --rebuild` with the "
                "setting you mean to serve with"
            )
        self.tokenizer = Tokenizer(meta["user_words"])
        if self.tokenizer.dictionary_hash != meta["dictionary_hash"]:
            raise IndexMismatch(
                "the tokenizer dictionary changed since the index was built (index/domain_words.txt or jieba); "
                "run `policyqa ingest --rebuild`"
            )
        self.embedder = embedder
        self.clauses: list[Clause] = [
            clause_from_dict(d) for d in read_json(gen / "clauses.json")
        ]
        self.docs: dict[str, Document] = {
            d["id"]: document_from_dict(d) for d in json.loads((gen / "docs.json").read_text(encoding="utf-8"))
        }
        self.by_id: dict[str, Clause] = {c.id: c for c in self.clauses}
        self.position = {c.id: i for i, c in enumerate(self.clauses)}
        self.law_evidence = LawEvidence.of([c.doc_id for c in self.clauses])
        self._doc_position = {c.doc_id: int(p) for c, p in zip(self.clauses, self.law_evidence.clause_doc)}
        self._masks: dict[tuple, np.ndarray] = {}  # (documents, section) -> allowed clauses
        kids: dict[str, list[Clause]] = {}
        for c in self.clauses:
            if c.parent_id:
                kids.setdefault(c.parent_id, []).append(c)
        self.searchable = np.array([not is_container(c, kids.get(c.id, [])) for c in self.clauses], dtype=bool)
        self._kids = kids
        self._roots = [c for c in self.clauses if c.parent_id is None]
        self.is_row = np.array([c.kind == "row" for c in self.clauses], dtype=bool)
        lex_file = gen / "lexicon.json"
        if lex_file.exists():
            stored = json.loads(lex_file.read_text(encoding="utf-8"))
            if "collectives" not in stored:  # stored before collective names were learnt
                stored["collectives"] = learn_collectives([d.text for d in self.docs.values()])
            self.lexicon = Lexicon.from_json(stored)
        else:  # a generation built before the lexicon was stored: learn it now, same result
            self.lexicon = learn_lexicon(_parsed_by_doc(self.docs, self.clauses))
        self.tokenizer.learn_collectives(self.lexicon.collectives)
        self.catalogue = Catalogue(self.docs, self.lexicon.regions)
        self.departments = department_names(self.lexicon.bodies)
        self._department_set = frozenset(self.departments)
        self._department_keys = frozenset(body_key(d) for d in self.departments)
        # Body key -> positions of the task rows that list it / lead with it.
        self._rows_of: dict[str, list[int]] = {}
        self._rows_led_by: dict[str, list[int]] = {}
        for i, c in enumerate(self.clauses):
            if c.row:
                for j, d in enumerate(dict.fromkeys(body_key(d) for d in c.row.departments)):
                    self._rows_of.setdefault(d, []).append(i)
                    if j == 0:
                        self._rows_led_by.setdefault(d, []).append(i)
        self._duty: np.ndarray | None = None
        self._bodies: list[frozenset[str]] | None = None
        self._applies: np.ndarray | None = None
        self._penalties: np.ndarray | None = None
        self._penalty_cites: dict[int, list[int]] = {}
        self._diffs: dict[tuple[str, str], list] = {}
        self._articles: dict[str, dict[str, str]] | None = None  # doc id -> article label -> clause id
        self._lists: dict[str, list[Clause]] | None = None
        self._citing: dict[str, list[tuple[Clause, int]]] | None = None
        self.idf: dict[str, float] = json.loads((gen / "idf.json").read_text(encoding="utf-8"))
        self.terms_present = frozenset(meta.get("terms_present", ()))
        self._mentions: dict[str, bool] = {}
        self._expansions: dict[str, tuple[str, ...]] = {}
        self._naming: dict[tuple[str, int], int] = {}
        self._top_idf: float | None = None
        self._folded: dict[str, list[tuple[tuple[int, int], str]]] = {}
        units_file = gen / "units.json"
        self._units_of: dict[str, list[str]] | None = None  # clause id -> its unit ids
        self.unit_info: dict[str, list] | None = (
            read_json(units_file) if units_file.exists() else None
        )
        self.keyword = KeywordIndex.load(gen / "bm25")
        self.sentence_keyword = KeywordIndex.load(gen / "bm25-sentences")
        self.sentence_clause = np.array(json.loads((gen / "sentences.json").read_text()), dtype=np.int64)
        self.vectors = ClauseVectors(
            meta["collection"], path=None if chroma_url else gen / store_folder(meta), url=chroma_url
        )
        if fusion not in FUSION_MODES:
            raise QueryError(f"unknown fusion {fusion!r}; choose one of {', '.join(FUSION_MODES)}")
        self._fuse = FUSIONS[fusion]

    # -- understanding ------------------------------------------------------------------------
    def resolve_doc(self, doc: str | None) -> set[str] | None:
        """A document id, or a part of its title or file name."""
        if not doc:
            return None
        if doc in self.docs:
            return {doc}
        found = {d.id for d in self.docs.values() if doc in d.title or doc in d.source or doc in d.id}
        if not found:
            raise QueryError(f"no ingested document matches {doc!r}; `policyqa documents` lists them")
        return found

    def intent(self, normalized_query: str) -> Intent:
        # A body the question names in a form the corpus does not write (经信委 for 经济和信息化委)
        # counts when it is another name of one of the corpus's bodies.
        # So does a body of the general table (司法行政部门, 税务机关) that the corpus names under one of
        # its names, though no sentence gave it a duty in the words the lexicon learns from.
        extra = [t for t in self.tokenizer.tokenize(normalized_query)
                 if len(t) >= 3 and t not in self._department_set
                 and ((t[-1] in "局厅委办" and body_key(t) in self._department_keys) or self._general_body(t))]
        return classify(normalized_query, self.departments + extra)

    def _general_body(self, word: str) -> bool:
        names = equivalent_names(word)
        return len(names) > 1 and any(self.mentions(n) for n in names)

    def understand(self, text: str, doc: str | None = None, section: str | None = None,
                   mode: Mode = "hybrid", asking: str | None = None) -> Query:
        """The one place a question is normalised, tokenised, scoped, classified and embedded. With
        `asking` (a follow-up's own words, `text` being it merged with the last question), what kind
        of fact is asked for is read from those words alone."""
        if mode not in MODES:
            raise QueryError(f"unknown search mode {mode!r}; choose one of {', '.join(MODES)}")
        q = normalize_query(text)
        chosen = self.resolve_doc(doc)
        scope = self.catalogue.scope(q, self.tokenizer.tokenize(q))
        if chosen is not None:  # an explicit filter wins over what the question's words suggest
            scope = Scope(docs=frozenset(chosen), named=scope.named, versions=True)
        # The query is embedded first, not alongside jieba and BM25: the forward pass keeps both
        # cores busy, and Python work beside it only adds contention (p95 4.9 against 4.1 ms, medians
        # alike: `python -m evals.components`).
        # Inside the documents a question names, their name says nothing more: the topic is the rest.
        topic = _without(q, [n for n in scope.named if scope.docs is not None and not scope.boosted]) or q
        # What the question asks about, for coverage and refusals: without the names that set its scope.
        about = _without(q, scope.named) or q
        vector = self.embedder.encode_query(topic) if mode != "keyword" else None
        asked = [p for p in re.split(r"[?？；;]", topic) if len(p.strip()) >= 2]
        own = normalize_query(asking) if asking else None
        asking = (asking_part(own) or own) if own else asking_part(q)
        # words jieba cut wrongly for this corpus (建工|会 where the documents say 工会): the corpus's words
        misread = self.tokenizer.misread(topic, lambda w: w in self.idf)
        meant = [w for found in misread.values() for w in found]
        # contractions the corpus writes out (小微企业 where the law says 小型微型企业)
        meant += [t for w in dict.fromkeys(self.tokenizer.tokenize(topic)) for full in self.expansions(w)
                  for t in self.tokenizer.tokenize(full)]
        return Query(
            text=text.strip(),
            normalized=q,
            tokens=tuple(self.tokenizer.tokenize_query(topic)) + tuple(meant),
            own_tokens=self._own_tokens(ASKED_DEGREE.sub("", about)) or self._own_tokens(about),
            salient=tuple(v for w in dict.fromkeys(self.tokenizer.nouns(about, known=self.mentions))
                          if w not in ASKING_WORDS for v in misread.get(w, [w])),
            # what kind of answer is wanted, from the part that asks: "我开了几家药店。…企业必须给吗？"
            # asks yes or no, not for a count
            intent=self.intent(asking),
            scope=scope,
            numbers=tuple(quantities(q)),
            # "快递暂行条例说的邮政法第十一条…": an article of a law the corpus only cites is no article asked for
            article=None if self.catalogue.cites_absent_article(q) else article_asked(q),
            section=section,
            mode=mode,
            vector=vector,
            parts=tuple(tuple(self.tokenizer.tokenize_query(p)) for p in asked) if len(asked) > 1 else (),
            asking=asking,
        )

    def narrowed(self, query: Query, doc_id: str) -> Query:
        """The question asked of one of the documents it names ("上海和深圳的数据条例各自…"): that
        document only, its topic without the names that chose the documents."""
        topic = _without(query.normalized, query.scope.named) or query.normalized
        vector = self.embedder.encode_query(topic) if query.vector is not None else None
        return dataclasses.replace(query, scope=dataclasses.replace(query.scope, docs=frozenset({doc_id})),
                                   tokens=tuple(self.tokenizer.tokenize_query(topic)), vector=vector, parts=())

    def _allowed(self, scope: Scope, section: str | None) -> np.ndarray:
        docs = scope.docs
        if docs is None and not scope.versions and self.catalogue.superseded:
            docs = frozenset(self.docs) - self.catalogue.superseded
        if docs is None and not section:
            return self.searchable
        # Computed once per scope: a loop over every clause costs ~50 ms per question over laws/.
        mask = self._masks.get((docs, section))
        if mask is None:
            mask = self.searchable.copy()
            if docs is not None:
                mask &= np.isin(self.law_evidence.clause_doc, [self._doc_position[d] for d in docs if d in self._doc_position])
            if section:
                prefix = tuple(section.split("."))
                mask &= np.array([c.labels[: len(prefix)] == prefix for c in self.clauses], dtype=bool)
            if len(self._masks) >= MASKS_KEPT:
                self._masks.pop(next(iter(self._masks)))
            self._masks[(docs, section)] = mask
        return mask

    # -- retrievers: each one ranking of clauses for a query ---------------------------------------
    def keyword_ranking(self, query: Query | list[str], allowed: np.ndarray, n: int = CANDIDATES) -> Ranked:
        """Clause-level BM25 (of a query's tokens, or of a token list)."""
        tokens = list(query.tokens if isinstance(query, Query) else query)
        scores = np.where(allowed, self.keyword.scores(tokens), 0.0)
        if isinstance(query, Query):  # the keyword retriever itself: with law-level evidence (index/legal.py)
            scores = self.law_evidence.run(scores)
        order = top_positions(scores, n)
        ids = [self.clauses[i].id for i in order if scores[i] > 0]
        return Ranked(ids, {self.clauses[i].id: float(scores[i]) for i in order if scores[i] > 0}, {})

    def sentence_ranking(self, query: Query | list[str], allowed: np.ndarray, n: int = CANDIDATES) -> Ranked:
        """Clauses ranked by their best-matching sentence under BM25."""
        scores = self.sentence_keyword.scores(list(query.tokens if isinstance(query, Query) else query))
        best: dict[int, float] = {}
        for j in top_positions(scores, n * 4):
            i = int(self.sentence_clause[j])
            if scores[j] <= 0:
                break
            if allowed[i] and i not in best:
                best[i] = float(scores[j])
        ids = [self.clauses[i].id for i in sorted(best, key=lambda i: -best[i])][:n]
        return Ranked(ids, {self.clauses[i].id: v for i, v in best.items()}, {})

    def rows_ranking(self, query: Query, allowed: np.ndarray) -> Ranked:
        """For questions about who owns what: task-table rows. With a department named ("商务厅负责
        哪些任务") the rows that list it, lead rows first; otherwise rows ranked by BM25."""
        mask = allowed & self.is_row
        intent = query.intent
        if intent.kind == "tasks_of" and intent.departments:
            wanted = {body_key(w) for w in intent.departments}
            order = []
            for i in np.flatnonzero(mask):
                depts = [body_key(d) for d in self.clauses[i].row.departments]
                pos = [depts.index(w) for w in wanted if w in depts]
                if pos:
                    order.append((min(pos), i))
            ids = [self.clauses[i].id for _, i in sorted(order)]
            return Ranked(ids, {cid: 1.0 / (r + 1) for r, cid in enumerate(ids)}, {})
        # Only the best few rows: RRF (k=60) rewards being in many lists far more than being first
        # in one, so a long rows list would lift every row above a body clause that tops the others.
        return self.keyword_ranking(query.tokens, mask, n=ROWS_CANDIDATES)

    def duty_ranking(self, query: Query, allowed: np.ndarray) -> Ranked:
        """For "哪个部门负责X" in any document: body clauses that give some body a duty
        ("…主管部门负责…", "由省商务厅负责审核"), ranked by BM25."""
        return self.keyword_ranking(query.tokens, allowed & self.duty_mask, n=ROWS_CANDIDATES)

    @property
    def duty_mask(self) -> np.ndarray:
        if self._duty is None:
            self._duty = np.array([c.row is None and bool(duty_bodies(c.text)) for c in self.clauses], dtype=bool)
        return self._duty

    def bodies_ranking(self, query: Query, allowed: np.ndarray) -> Ranked:
        """For "X部门要负责哪些事": the body clauses that give the asked body a duty, or have another
        body do one with it ("会同商务、海关等部门…"), ranked by BM25."""
        wanted = {body_key(d) for d in query.intent.departments}
        mask = allowed & np.array([bool(wanted & keys) for keys in self.clause_bodies], dtype=bool)
        return self.keyword_ranking(query.tokens, mask, n=ROWS_CANDIDATES)

    @property
    def clause_bodies(self) -> list[frozenset[str]]:
        """Per clause, the bodies its sentences give a duty or a part in one, as body keys."""
        if self._bodies is None:
            self._bodies = [frozenset() if c.row else frozenset(body_key(b) for b in (*duty_bodies(c.text), *partner_bodies(c.text)))
                            for c in self.clauses]
        return self._bodies

    def applicability_ranking(self, query: Query, allowed: np.ndarray) -> Ranked:
        """For "这个条例管哪些人": the articles that say to whom and what a document applies
        ("…适用本条例", "本法适用于…"), those sharing the question's words first (BM25), then the rest
        in document order: "管哪些人" shares no word with "…从事网络交易经营活动…，适用本条例"."""
        if self._applies is None:
            self._applies = np.array([c.row is None and bool(APPLIES.search(c.text)) for c in self.clauses], dtype=bool)
        mask = allowed & self._applies
        matched = self.keyword_ranking(query.tokens, mask, n=ROWS_CANDIDATES).ids
        ids = list(dict.fromkeys(matched + [self.clauses[i].id for i in np.flatnonzero(mask)]))[:ROWS_CANDIDATES]
        return Ranked(ids, {cid: 1.0 / (r + 1) for r, cid in enumerate(ids)}, {})

    def penalty_ranking(self, query: Query, allowed: np.ndarray) -> Ranked:
        """For "…怎么处罚", "罚多少": the clauses that state a penalty, ranked by BM25 of the offence,
        wherever the law words it: in the penalty itself, in an item of the list it punishes ("…有下列
        情形之一的，…依法给予处分：（一）未在规定的期限内支付…"), or in the provision it cites ("违反
        本条例第十五条第一款第二项规定的，…处二十元以上五十元以下罚款" — the 头盔 is in 第十五条).
        Among all clauses the duty outranks the penalty for its breach, since the offence is worded
        there and only named here."""
        if self._penalties is None:
            states = np.array([c.row is None and bool(PENALTY.search(c.text)) for c in self.clauses], dtype=bool)
            parents = [self.position.get(c.parent_id or "") if c.kind == "item" else None for c in self.clauses]
            self._penalties = np.array([s or (p is not None and bool(states[p])) for s, p in zip(states, parents)], dtype=bool)
            self._penalty_cites = {i: [self.position[t] for _, _, t in self.clauses[i].refs if t in self.position]
                                   for i in np.flatnonzero(states)}
        mask = allowed & self._penalties
        scores = self.keyword.scores(list(query.tokens))
        offence = np.where(mask, scores, 0.0)
        for i, cited in self._penalty_cites.items():
            if mask[i] and cited:
                offence[i] = max(offence[i], max(scores[j] for j in cited))
        order = top_positions(offence, ROWS_CANDIDATES)
        ids = [self.clauses[i].id for i in order if offence[i] > 0]
        return Ranked(ids, {cid: 1.0 / (r + 1) for r, cid in enumerate(ids)}, {})

    def definition_ranking(self, query: Query, allowed: np.ndarray) -> Ranked:
        """For "什么是平台经济": the clauses that define the term, in document order."""
        term = defined_term(query.normalized)
        if not term or not self.mentions(term):
            return Ranked([], {}, {})
        ids = [self.clauses[i].id for i in np.flatnonzero(allowed)
               if term in self.clauses[i].text and definition_span(self.clauses[i].text, term)]
        return Ranked(ids, {cid: 1.0 / (r + 1) for r, cid in enumerate(ids)}, {})

    def article_ranking(self, query: Query, allowed: np.ndarray) -> Ranked:
        """"快递暂行条例第二十条讲了什么": that article (or the item it names) of each document in
        scope that has it; superseded versions only when the question asks about versions."""
        if self._articles is None:
            self._articles = {}
            for c in self.clauses:
                if c.kind == "article":
                    self._articles.setdefault(c.doc_id, {})[c.labels[-1]] = c.id
        ids = []
        for doc_id, articles in self._articles.items():
            cid = articles.get(query.article.article)
            if cid is None or not allowed[self.position[cid]] and not self._container_allowed(cid, allowed):
                continue
            kids = [k for k in self.children(cid, doc_id) if k.labels[-1] == query.article.item] if query.article.item else []
            ids.append(next((k.id for k in kids if not query.article.paragraph or k.paragraph == query.article.paragraph), cid))
        return Ranked(ids, {cid: 1.0 for cid in ids}, {})

    def _container_allowed(self, cid: str, allowed: np.ndarray) -> bool:
        """An article that only heads its items is not searchable itself; its document decides."""
        doc_id = self.by_id[cid].doc_id
        return any(allowed[self.position[k.id]] for k in self.children(cid, doc_id))

    def dense_matches(self, vector: np.ndarray, docs, section: str | None) -> Ranked:
        """One Chroma query: every clause among the DENSE_UNITS nearest units, with the similarity
        of its best unit, and the similarity of each sentence unit returned."""
        where: dict | None = None
        conds = []
        if docs is not None:
            conds.append({"doc_id": {"$in": sorted(docs)}})
        if section:
            conds.append({"section": section.split(".")[0]})
        if conds:
            where = conds[0] if len(conds) == 1 else {"$and": conds}
        best: dict[str, float] = {}
        sent: dict[tuple[str, int], float] = {}
        units = self.unit_info
        for uid, sim, meta in self.vectors.query(vector, DENSE_UNITS, where, metadata=units is None):
            if units is not None:
                kind, start = units[uid]
                meta = {"clause_id": uid.rsplit("@", 1)[0], "kind": kind, "start": start}
            cid = meta["clause_id"]
            best[cid] = max(best.get(cid, -1.0), sim)
            if meta.get("kind") == "sentence":
                sent[(cid, int(meta["start"]))] = sim
        return Ranked(sorted(best, key=lambda c: -best[c]), best, sent)

    def dense_ranking(self, matches: Ranked, allowed: np.ndarray, n: int = CANDIDATES) -> Ranked:
        """The clauses of dense_matches that the filters allow, best first."""
        kept = {c: sim for c, sim in matches.scores.items() if allowed[self.position[c]]}
        return Ranked([c for c in matches.ids if c in kept][:n], kept, matches.sentence_sims)

    # -- search --------------------------------------------------------------------------------
    def search(self, query: str | Query, k: int = 5, doc: str | None = None, section: str | None = None,
               mode: Mode = "hybrid") -> list[Hit]:
        q = query if isinstance(query, Query) else self.understand(query, doc, section, mode)
        dense = self.dense_matches(q.vector, q.scope.docs, q.section) if q.vector is not None else None
        allowed = self._allowed(q.scope, q.section)
        intent = q.intent
        if q.mode != "semantic" and intent.kind == "tasks_of" and intent.departments:
            # "商务厅负责哪些任务": the rows that list the department are an exact answer set; they
            # come first (ranked by topic and lead position), then anything else that matches.
            listing = allowed & self._rows_listing(intent.departments, lead_only=intent.lead)
            if intent.lead and not listing.any():
                listing = allowed & self._rows_listing(intent.departments)
            if listing.any():
                # The rows that list it, lead rows first, then in the table's order (what a reader
                # scanning the table would see); relevance ranks only what follows.
                first = sorted(self._ranked_hits(q, dense, listing, max(k, int(listing.sum()))),
                               key=lambda h: (_lead_position(h.clause, intent.departments), h.clause.row.number))
                rest = self._ranked_hits(q, dense, allowed & ~listing, k, rows=False)
                return (first + rest)[:k]
        return self._ranked_hits(q, dense, allowed, k)

    def _rows_listing(self, departments: tuple[str, ...], lead_only: bool = False) -> np.ndarray:
        """Task rows that list one of the departments (as lead, first in the list, if lead_only)."""
        table = self._rows_led_by if lead_only else self._rows_of
        mask = np.zeros(len(self.clauses), dtype=bool)
        for d in departments:
            mask[table.get(body_key(d), [])] = True
        return mask

    def _rankings(self, q: Query, dense: Ranked | None, allowed: np.ndarray, rows: bool = True) -> dict[str, Ranked]:
        """Every retriever that applies to the question (RETRIEVERS), each run once."""
        rankings: dict[str, Ranked] = {}
        if q.mode in ("hybrid", "keyword"):
            for name, applies in RETRIEVERS:
                if applies(q) and (rows or name != "rows"):
                    rankings[name] = getattr(self, f"{name}_ranking")(q, allowed)
        if dense is not None:
            rankings["dense"] = self.dense_ranking(dense, allowed)
        return {name: r for name, r in rankings.items() if r.ids}

    def _ranked_hits(self, q: Query, dense: Ranked | None, allowed, k, rows: bool = True) -> list[Hit]:
        rankings = self._rankings(q, dense, allowed, rows)
        if not rankings:
            return []
        if len(rankings) > 1:
            # A few more than k: an article's items and the article itself become one hit below.
            fused = self._fuse(list(rankings.values()), max(k, CANDIDATES) if q.scope.boosted else k + ARTICLE_SLACK,
                               weights=self.fusion_weights(q, rankings))
        else:
            only = next(iter(rankings.values()))
            fused = [(cid, only.scores[cid]) for cid in only.ids[:k]]
        if "article" in rankings:  # an article asked for by number comes first, then the rest
            wanted = set(rankings["article"].ids)
            fused = sorted(fused, key=lambda x: x[0] not in wanted)
        if q.scope.boosted:  # a region the question names: its documents before national ones
            fused = sorted(fused, key=lambda x: -x[1] * (SCOPE_BOOST if self.by_id[x[0]].doc_id in q.scope.boosted else 1.0))
        # An article asked for by number stays whole; otherwise its best-ranked item is the more precise hit.
        fused = one_per_article(fused, self.by_id, items_first=q.article is None)[:k]
        sims = rankings["dense"].sentence_sims if "dense" in rankings else {}
        similarity = self.similarities(q, [cid for cid, _ in fused], rankings["dense"].scores) if "dense" in rankings else {}
        return [
            Hit(
                clause=self.by_id[cid],
                doc_title=self.docs[self.by_id[cid].doc_id].title,
                score=score,
                span=self.best_span(self.by_id[cid], list(q.tokens), sims),
                sources={name: r.ids.index(cid) + 1 for name, r in rankings.items() if cid in r.ids},
                similarity=similarity.get(cid, 0.0),
            )
            for cid, score in fused
        ]

    def similarities(self, q: Query, ids: list[str], dense: dict[str, float]) -> dict[str, float]:
        """Each clause's dense similarity to the question (its best unit's): from the dense ranking
        where the clause was among the nearest units, else computed from its stored vectors. Over a
        large corpus a clause found by its words is often outside the nearest units, and a
        similarity of 0 there would read as "nothing like the question" to the answerability decision."""
        out = {cid: dense[cid] for cid in ids if cid in dense}
        missing = [cid for cid in ids if cid not in out]
        if not missing or q.vector is None or self.unit_info is None:
            return out
        if self._units_of is None:
            self._units_of = {}
            for uid in self.unit_info:
                self._units_of.setdefault(uid.rsplit("@", 1)[0], []).append(uid)
        uids = [u for cid in missing for u in self._units_of.get(cid, ())]
        vector = np.asarray(q.vector, dtype=np.float32)
        for uid, v in self.vectors.vectors(uids).items():
            cid = uid.rsplit("@", 1)[0]
            sim = float(v @ vector / ((np.linalg.norm(v) * np.linalg.norm(vector)) or 1.0))
            out[cid] = max(out.get(cid, -1.0), sim)
        return out

    def fusion_weights(self, q: Query, rankings: dict[str, Ranked]) -> list[float]:
        """Each ranking's weight in the fusion: FUSION_WEIGHTS, shifted toward the dense ranking
        when the question's words are not the documents' (see LEXICAL_GAP_FROM)."""
        base = [FUSION_WEIGHTS.get(name, 1.0) for name in rankings]
        if "dense" not in rankings or "keyword" not in rankings:
            return base
        gap = 1.0 - self.lexical_confidence(q, rankings["keyword"])
        shift = max(0.0, gap - LEXICAL_GAP_FROM) / (1.0 - LEXICAL_GAP_FROM)
        if shift == 0.0:
            return base
        factor = {"dense": 1.0 + LEXICAL_GAP_DENSE * shift, "keyword": 1.0 - LEXICAL_GAP_KEYWORD * shift,
                  "sentence": 1.0 - LEXICAL_GAP_KEYWORD * shift}
        return [w * factor.get(name, 1.0) for name, w in zip(rankings, base)]

    def lexical_confidence(self, q: Query, keyword: Ranked, top: int = 3) -> float:
        """The idf-weighted share of the question's own content words that the best of the top
        keyword matches contains literally (1: every word is there; near 0: the clause shares few)."""
        words = {t for t in q.own_tokens if len(t) >= 2} or set(q.own_tokens)
        if not words:
            return 1.0
        weights = {t: self.idf.get(t, 0.0) or 1.0 for t in words}
        total = sum(weights.values()) or 1.0
        best = 0.0
        for cid in keyword.ids[:top]:
            text = self._folded_text(self.by_id[cid])
            best = max(best, sum(w for t, w in weights.items() if t in text) / total)
        return best

    def _folded_text(self, clause: Clause) -> str:
        return "".join(f for _, f in self._folded_sentences(clause))

    def _own_tokens(self, text: str) -> tuple[str, ...]:
        return tuple(t for t in self.tokenizer.tokenize(text) if t not in ASKING_WORDS)

    def sentence_scores(self, clause: Clause, tokens: list[str], sims: dict | None = None) -> list[tuple[tuple[int, int], float]]:
        """Each sentence of a clause with how well it matches the query: the idf-weighted share of
        query words it contains (as substrings of the folded sentence: segmentation of a name can
        differ between question and clause), plus half its dense similarity when Chroma returned it.
        A sentence that is only the clause's heading is extended over the next sentence."""
        weights = {t: self.idf.get(t, 0.0) or 1.0 for t in set(tokens)}
        total = sum(weights.values()) or 1.0
        out = []
        for (s, e), folded in self._folded_sentences(clause):
            lexical = sum(w for t, w in weights.items() if t in folded) / total
            out.append((expand_heading(clause, (s, e)), lexical + 0.5 * (sims or {}).get((clause.id, s), 0.0)))
        return out

    def _folded_sentences(self, clause: Clause) -> list[tuple[tuple[int, int], str]]:
        """Sentence spans of a clause with their folded text, computed once per clause."""
        got = self._folded.get(clause.id)
        if got is None:
            got = [((s, e), fold(clause.text[s:e])) for s, e in sentences(clause.text)]
            self._folded[clause.id] = got
        return got

    def best_span(self, clause: Clause, tokens: list[str], sims: dict) -> tuple[int, int]:
        scored = self.sentence_scores(clause, tokens, sims)
        if not scored:
            return (0, len(clause.text))
        return max(scored, key=lambda x: x[1])[0]

    def text_similarity(self, query: Query, text: str) -> float:
        """Dense similarity of a text to the question: the text embedded as a clause is (not cached:
        the quoted evidence varies with every question), compared with the question's vector; 0
        when the question was not embedded (keyword mode)."""
        if query.vector is None or not text:
            return 0.0
        v = self.embedder.encode([text[:self.embedder.max_chars]])[0]
        q = np.asarray(query.vector, dtype=np.float32)
        return float(v @ q / ((np.linalg.norm(v) * np.linalg.norm(q)) or 1.0))

    def mentioning(self, query: Query, term: str) -> list[Clause]:
        """The clauses of the question's scope (a region it names: that region's documents) whose text
        says the term, in corpus order: "哪些地方提到了X" asks for every place, not the best match.
        Clause texts are stored simplified, as the folded question is."""
        scope = query.scope
        if scope.docs is None and scope.boosted:
            scope = dataclasses.replace(scope, docs=scope.boosted)
        mask = self._allowed(scope, query.section)
        return [c for c, ok in zip(self.clauses, mask) if ok and term in c.text]

    def expansions(self, word: str) -> tuple[str, ...]:
        """The full forms the corpus writes of a contraction: the way Chinese shortens a phrase to the
        first character of each of its words, keeping the head noun (小型微型企业 -> 小微企业, 科技创新
        企业 -> 科创企业). A word of four to six characters whose end is a corpus word is looked up as
        "X?Y?<end>", where X? and Y? are corpus words of two characters; a form found in more clauses
        than the word itself is how the corpus says it (most frequent first, at most two), and the
        tokenizer learns it as another name of the word. Cached; one scan of the clauses that hold
        the end (found through the keyword index, not by reading every clause), for each new word."""
        found = self._expansions.get(word)
        if found is not None:
            return found
        found = ()
        head = word[2:]
        if 4 <= len(word) <= 6 and _CJK_WORD.fullmatch(word) and head in self.idf:
            pattern = re.compile(f"{word[0]}([\u4e00-\u9fff]){word[1]}([\u4e00-\u9fff]){re.escape(head)}")
            own, counts = 0, {}
            for i in np.flatnonzero(self.keyword.scores([head])):
                c = self.clauses[i]
                if head not in c.text or word[1] not in c.text:
                    continue
                own += word in c.text
                for form in {m.group(0) for m in pattern.finditer(c.text)
                             if word[0] + m.group(1) in self.idf and word[1] + m.group(2) in self.idf}:
                    counts[form] = counts.get(form, 0) + 1
            found = tuple(f for f in sorted(counts, key=lambda f: -counts[f]) if counts[f] > own)[:2]
        if len(self._expansions) >= 10_000:
            self._expansions.clear()
        self._expansions[word] = found
        self.tokenizer.learn_expansion(word, found)
        return found

    def mentions(self, term: str) -> bool:
        """Whether any clause contains the term verbatim (cached; a full scan only for new terms)."""
        if term in self.terms_present or term in self.idf:
            return True
        found = self._mentions.get(term)
        if found is None:
            found = any(term in c.text for c in self.clauses)
            if len(self._mentions) < 10_000:
                self._mentions[term] = found
        return found

    def word_idf(self, term: str) -> float:
        """The term's idf as the index computes it; for a term that is no token of any clause (小型微型
        企业, segmented 小型|微型|企业), from the clauses that contain it verbatim (one scan, cached); a
        term no clause says weighs as the rarest token does."""
        if term in self.idf:
            return self.idf[term]
        n = max(1, len(self.clauses))
        k = self.naming_count(term, n)
        if k:
            return math.log(1 + (n - k + 0.5) / (k + 0.5))
        if self._top_idf is None:  # read once: "还有别的吗" weighs every noun for every clause it checks
            self._top_idf = max(self.idf.values(), default=1.0)
        return self._top_idf

    def naming_count(self, term: str, limit: int) -> int:
        """How many clauses contain the term verbatim, counted up to `limit` (cached)."""
        key = (term, limit)
        n = self._naming.get(key)
        if n is None:
            n = 0
            for c in self.clauses:
                if term in c.text:
                    n += 1
                    if n >= limit:
                        break
            if len(self._naming) < 10_000:
                self._naming[key] = n
        return n

    # -- versions ------------------------------------------------------------------------------
    def version_changes(self, old_id: str, new_id: str) -> list:
        """The clause-by-clause changes between two versions of a document (ingest.versions),
        computed once per pair."""
        from ingest.versions import diff_versions

        key = (old_id, new_id)
        if key not in self._diffs:
            parsed = {p.document.id: p for p in _parsed_by_doc(
                {i: self.docs[i] for i in key}, [c for c in self.clauses if c.doc_id in key])}
            self._diffs[key] = diff_versions(parsed[old_id], parsed[new_id])
        return self._diffs[key]

    # -- browsing ------------------------------------------------------------------------------
    def clause(self, clause_id: str) -> Clause:
        try:
            return self.by_id[clause_id]
        except KeyError:
            raise KeyError(f"no clause {clause_id!r}; ids look like <doc>#五.（二） — see `policyqa outline DOC`") from None

    def children(self, clause_id: str | None, doc_id: str | None = None) -> list[Clause]:
        found = self._kids.get(clause_id, []) if clause_id is not None else self._roots
        return [c for c in found if doc_id is None or c.doc_id == doc_id]

    def citing(self, clause_id: str) -> list[tuple[Clause, int]]:
        """The clauses whose text cites this one ("违反本条例第十五条…"), each with where the
        reference starts; the map is built once per index from the resolved references."""
        if self._citing is None:
            self._citing = {}
            for c in self.clauses:
                for start, _, target in c.refs:
                    if target in self.by_id:
                        self._citing.setdefault(target, []).append((c, start))
        return self._citing.get(clause_id, [])

    def headed_lists(self, doc_id: str) -> list[Clause]:
        """A document's clauses that head two or more items (the containers of enumerations)."""
        if self._lists is None:
            self._lists = {}
            for c in self.clauses:
                if len(self._kids.get(c.id, ())) >= 2:
                    self._lists.setdefault(c.doc_id, []).append(c)
        return self._lists.get(doc_id, [])

    def neighbours(self, clause_id: str) -> tuple[Clause | None, Clause | None]:
        i = self.position[clause_id]
        doc = self.clauses[i].doc_id
        prev = self.clauses[i - 1] if i > 0 and self.clauses[i - 1].doc_id == doc else None
        nxt = self.clauses[i + 1] if i + 1 < len(self.clauses) and self.clauses[i + 1].doc_id == doc else None
        return prev, nxt


def one_per_article(fused: list[tuple[str, float]], by_id: dict[str, Clause],
                    items_first: bool = True) -> list[tuple[str, float]]:
    """The fused ranking with one hit per article of a law: an article (第X条) and its items are
    indexed apart, and a list that shows 第十七条 and then its item 第十七条第一款第（一）项 spends two
    places on one provision. The article's place goes to the more precise of them, its best-ranked
    item when one ranks at all (with items_first; else whichever ranks first), with the better
    score. Clauses outside articles are kept."""
    keys = [article_of(by_id[cid]) for cid, _ in fused]
    best_item: dict[tuple[str, str], str] = {}
    for (cid, _), key in zip(fused, keys):
        if items_first and key is not None and by_id[cid].citation != key[1]:
            best_item.setdefault(key, cid)
    seen: set[tuple[str, str]] = set()
    out = []
    for (cid, score), key in zip(fused, keys):
        if key is None:
            out.append((cid, score))
        elif key not in seen:
            seen.add(key)
            out.append((best_item.get(key, cid), score))
    return out


def top_positions(scores: np.ndarray, n: int) -> np.ndarray:
    """Positions of the n highest scores, highest first, ties in position order: the first n of a
    stable argsort, without sorting every score (257,000 sentence scores over laws/)."""
    if n <= 0 or scores.size == 0:
        return np.zeros(0, dtype=np.int64)
    # BM25 gives most texts 0: partition only the others (a fifth of the work over laws/).
    positive = np.flatnonzero(scores > 0)
    if positive.size < n:  # every positive score, then zeros (and negatives) in position order
        rest = np.flatnonzero(scores <= 0)
        candidates = np.concatenate([positive, rest[np.argsort(-scores[rest], kind="stable")][: n - positive.size]])
        return candidates[np.argsort(-scores[candidates], kind="stable")][:n]
    values = scores[positive]
    if positive.size > 4 * n:
        threshold = np.partition(values, values.size - n)[values.size - n]
        positive = positive[values >= threshold]
    return positive[np.argsort(-scores[positive], kind="stable")][:n]


def definition_span(text: str, term: str) -> tuple[int, int] | None:
    """The sentence of a text that defines the term: "互联网平台经济（以下简称平台经济）是…" (for
    either name), "平台经济是指…", "所称平台经济，是…", an item of a list of terms ("（二）数据处理，
    包括…"), an article opening with it ("第九百五十一条 行纪合同是…"), or the legal form that names
    the term last ("…所创作的作品是职务作品，", "…的，称为X。").
    None when the text only uses the term."""
    t = re.escape(term)
    m = re.search(rf"[^。；\n]*?([（(]以下(?:简|统)称[“\"]?{t}[”\"]?[）)]|所称[“\"]?{t}[”\"]?[，,]?包括"
                  rf"|(?:^|[。；\n）)])[“\"]?{t}[”\"]?[，,]包括"  # "（二）数据处理，包括…" in a list of terms
                  rf"|(^|[。；\n，,、）)\s]|所称)[“\"]?{t}[”\"]?[，,]?"
                  rf"(?:[（(]以下(?:简|统)称[^）)]{{1,20}}[）)])?(是指|是(?!否)))[^。；\n]*[。；]?", text)
    if not m:
        # "…是X" / "…为X" closing a clause of at least a few characters; not "成为X" or "认定为X",
        # which say what something becomes, not what the term means.
        m = re.search(rf"[^。；\n]{{4,}}?((?<![成作定列评选改转])(是|为|称为)[“\"]?{t}[”\"]?)(?=[。；，,]|$)", text)
        if not m:
            return None
        end = next((i + 1 for i in range(m.end(), len(text)) if text[i] in "。；\n"), len(text))
        return (_after_label(text, max(text.rfind(d, 0, m.start(1)) for d in "。；\n") + 1), end)
    start = max(text.rfind(d, 0, m.start(1) + 1) for d in "。；\n") + 1  # the defining sentence's start
    return (_after_label(text, start), m.end())


def _after_label(text: str, start: int) -> int:
    """Past an article's own label ("第九百五十一条 ") at the start of its first sentence."""
    m = _ARTICLE_LABEL.match(text, start)
    return m.end() if m else start


_ARTICLE_LABEL = re.compile(r"第[零〇一二三四五六七八九十百千万\d]+条(之[一二三四五六七八九十]+)?[\s\u3000]+")


def department_names(bodies) -> list[str]:
    """Names a question may use for the corpus's bodies: as written, without a region or 县级以上…
    prefix, and their other names (发改委 for 发展改革委)."""
    names: set[str] = set()
    for b in bodies:
        core = re.sub(r"^(县级以上(地方)?(各级)?人民政府|[省市县区]人民政府|国务院)", "", b)
        for form in (b, body_key(b), core):
            if len(form) >= 2:
                names.update(equivalent_names(form))
    return sorted(n for n in names if len(n) >= 2)


def article_asked(normalized: str) -> ArticleRef | None:
    """The article a question asks for by number ("快递暂行条例第20条", "第十四条第二款第（二）项"),
    numerals in the documents' form (ingest.refs, cn2an)."""
    for start, end, ref in cross_references(normalized):
        if ref.article and (ref.law or _cites_article(normalized[:start], normalized[end:])):
            return ref
    return None


# What stands around "第X条" when it cites an article (条例第五条, 旧版第十四条, 第二条讲了什么, 那第三条
# 呢), rather than counting something else ("发完第二条要等多久": the second message).
_BEFORE_ARTICLE = frozenset("例法定规办见知版本里中的看查按依据照在和与及、,， 那这")
_AFTER_ARTICLE = frozenset("规讲说写内是的里中提怎有和与及、?？,，。第呢吗啊")


def _cites_article(before: str, after: str) -> bool:
    return not before or not after or before[-1] in _BEFORE_ARTICLE or after[0] in _AFTER_ARTICLE


def _lead_position(row_clause: Clause, departments) -> int:
    keys = [body_key(d) for d in row_clause.row.departments]
    return min((keys.index(body_key(d)) for d in departments if body_key(d) in keys), default=len(keys))


def _without(text: str, names) -> str:
    """The text without the names, each with the particle that tied it to the rest ("条例里的…",
    "广东省的…"). Only a removed name's particle goes: "中央财政…" and "中小企业…" keep their 中."""
    for name in names:
        text = re.sub(re.escape(name) + r"(?:中的|里的|里|的|中(?![小央国华]))?", " ", text)
    return text.strip(" \t\n，,")


def _parsed_by_doc(docs: dict[str, Document], clauses: list[Clause]) -> list[ParsedDocument]:
    by_doc: dict[str, list[Clause]] = {}
    for c in clauses:
        by_doc.setdefault(c.doc_id, []).append(c)
    return [ParsedDocument(d, tuple(by_doc.get(d.id, ()))) for d in docs.values()]


# Retrievers besides the three that always run (clause BM25, sentence BM25, dense), with the
# questions they apply to. Each is a Searcher method `<name>_ranking(query, allowed) -> Ranked`.
RETRIEVERS: tuple[tuple[str, Callable[[Query], bool]], ...] = (
    ("keyword", lambda q: True),
    ("sentence", lambda q: True),
    ("rows", lambda q: q.intent.kind in ("department", "tasks_of")),
    ("duty", lambda q: q.intent.kind == "department"),
    ("bodies", lambda q: q.intent.kind == "tasks_of" and bool(q.intent.departments)),
    ("definition", lambda q: q.intent.kind == "definition"),
    ("applicability", lambda q: bool(APPLIES_ASK.search(q.normalized))),
    ("penalty", lambda q: bool(PUNISH_ASK.search(q.asking or q.normalized))),  # asked, not told: "已经罚了它…还能要它赔吗"
    ("article", lambda q: q.article is not None),
)
SCOPE_BOOST = 2.0  # fused score multiplier for the documents of a region the question names
# Weight of each retriever's ranking in the fusion (others 1; empty: equal weights). Measured and
# left equal: on STARD's development questions over laws/ (evals/stard.py, 287 real questions,
# 1,422 documents) dense 1.5 and sentence BM25 0.5 moved search hit@10 from 0.537 to 0.571, but on
# the gold sets' dev splits the same weights cost answer accuracy (related-policies 0.914 -> 0.883,
# guideline-fresh 0.915 -> 0.894) and guideline hit@1 (0.953 -> 0.922): what suits layperson legal
# questions does not suit policy questions, and no weighting helped both.
FUSION_WEIGHTS: dict[str, float] = {}
# Query-dependent fusion (Searcher.fusion_weights): when the best keyword matches hold less than
# 1 - LEXICAL_GAP_FROM of the question's own words (idf-weighted), the question is worded unlike the
# documents (a layperson's "老板不给钱" against "拖欠劳动报酬") and the meaning carries more than the
# words: the dense ranking's weight grows by up to LEXICAL_GAP_DENSE and the two keyword rankings'
# shrinks by up to LEXICAL_GAP_KEYWORD, in proportion to how far past that point the gap is. Chosen on
# dev splits only (STARD dev over laws/, the gold sets' dev splits; README Quality): from 0 (any gap)
# the gold sets' dev splits lost three answers, from 0.3 one, and STARD dev hit@10 gains 0.038.
LEXICAL_GAP_FROM = 0.3
LEXICAL_GAP_DENSE = 1.0
LEXICAL_GAP_KEYWORD = 0.5
ARTICLE_SLACK = 10  # extra fused hits taken so that k remain after one_per_article
