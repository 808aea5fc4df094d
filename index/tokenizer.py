"""Chinese tokenizer: the one place that imports jieba (and zhconv for traditional->simplified folding)."""

from __future__ import annotations

import logging
import re
import threading
import unicodedata
from pathlib import Path
from typing import Iterable

from ingest.records import Clause, ParsedDocument, content_hash

log = logging.getLogger(__name__)

DOMAIN_WORDS_FILE = Path(__file__).with_name("domain_words.txt")

# Department abbreviations people type -> the form the documents use. Applied to queries only;
# ordered longest first at load time so "省发改委" is not half-rewritten by "发改委".
DEPARTMENT_ALIASES: dict[str, str] = {
    "发改委": "发展改革委",
    "发展和改革委员会": "发展改革委",
    "发展改革委员会": "发展改革委",
    "经信委": "经济和信息化委",
    "经信厅": "经济和信息化委",
    "工信厅": "经济和信息化委",
    "经济和信息化委员会": "经济和信息化委",
    "人社厅": "人力资源社会保障厅",
    "人社局": "人力资源社会保障厅",
    "人力资源和社会保障厅": "人力资源社会保障厅",
    "人社部门": "人力资源社会保障厅",
    "财政部门": "财政厅",
    "科技部门": "科技厅",
    "商务部门": "商务厅",
    "统计部门": "统计局",
    "交通厅": "交通运输厅",
    "交通部门": "交通运输厅",
    "教育部门": "教育厅",
    "金融工作办公室": "金融办",
    "地方金融监管局": "金融办",
    "金融监管局": "金融办",
    "通管局": "通信管理局",
    "工商部门": "工商局",
    "市场监管局": "工商局",
    "质监部门": "质监局",
    "质量技术监督局": "质监局",
    "银监会": "银监局",
    "证监会": "证监局",
    "保监会": "保监局",
    "人行": "人民银行",
    "央行": "人民银行",
    "文化部门": "文化厅",
    "旅游部门": "旅游局",
}

# Words people use for what the documents say otherwise; a query keeps its own word and gains these.
QUERY_SYNONYMS: dict[str, tuple[str, ...]] = {
    "用地": ("土地利用",),
    "土地": ("土地利用",),
    "落户": ("户籍",),
    "户口": ("户籍",),
    "房补": ("住房货币补贴",),
    "住房补贴": ("住房货币补贴",),
    "租房": ("公租房", "廉租房"),
    "贷款": ("融资",),
    "借钱": ("融资",),
    "减税": ("税率", "税收"),
    "税收优惠": ("税率", "减按"),
    "优惠税率": ("税率", "减按"),
    "补贴": ("扶持", "支持"),
    "资助": ("扶持", "资金"),
    "奖励": ("扶持",),
    "上市": ("上市融资",),
    "千亿": ("1000亿",),
    "百亿": ("100亿",),
    "五百亿": ("500亿",),
    "网购": ("网络零售", "电子商务"),
    "电商": ("电子商务",),
    "快递": ("配送",),
    "宽带": ("宽带江苏",),
    "无线": ("无线江苏",),
    "数据统计": ("统计监测",),
    "诚信": ("信用",),
    "征信": ("信用",),
}

# Function words and punctuation that carry no retrieval signal in questions or clauses.
STOP_WORDS = frozenset(
    """的 了 和 与 及 等 在 对 是 为 把 被 或 而 并 也 都 就 还 又 以 于 之 其 这 那 有 个 吗 呢 吧 啊 呀 么 嘛
    我 我们 你 你们 他 她 它 他们 咱们 请问 请 问 一下 什么 怎么 怎样 如何 哪些 哪个 哪 谁 多少 几 能 能否 可以 可不可以
    是否 是不是 有没有 会 要 想 需要 应该 该 给 让 从 向 到 上 下 中 里 吗 么 呢 吗 啥 咋 这个 那个 这些 那些 一些 相关 有关 方面
    关于 按照 通过 进行 具有 一批 一个 各类 各项 省 省里 文件 规定 政策文件 意见 指导意见
    哪条 哪一条 一条 哪里 在哪 在哪里 提到 提 提的 提过 部分 一部分 哪部分 内容 条款 怎么 写 说 讲 被 点名 吗
    怎么办 能不能 算不算 有没有 行不行 好不好""".split()
)
_PUNCT = re.compile(r"^[\W_]+$", re.UNICODE)
_ALIAS_RE = re.compile("|".join(sorted(map(re.escape, DEPARTMENT_ALIASES), key=len, reverse=True)))
_DEPT_PREFIX = re.compile(r"^(省|江苏省|江苏)")

_jieba_lock = threading.Lock()


def fold(text: str) -> str:
    """Full-width to half-width (NFKC), traditional to simplified, lower case."""
    import zhconv

    return zhconv.convert(unicodedata.normalize("NFKC", text), "zh-cn").lower()


def apply_aliases(text: str) -> str:
    return _ALIAS_RE.sub(lambda m: DEPARTMENT_ALIASES[m.group(0)], text)


def normalize_query(text: str) -> str:
    """What a query goes through before tokenizing or embedding."""
    return apply_aliases(fold(text.strip()))


def domain_words_hash() -> str:
    """Changes when the maintained word list changes; an index built with another list is stale."""
    import jieba

    return content_hash(DOMAIN_WORDS_FILE.read_bytes() + jieba.__version__.encode())


def domain_words() -> list[str]:
    lines = DOMAIN_WORDS_FILE.read_text(encoding="utf-8").splitlines()
    return [w.strip() for w in lines if w.strip() and not w.startswith("#")]


def corpus_words(docs: Iterable[ParsedDocument]) -> list[str]:
    """Words the corpus itself teaches: department names from task tables (with and without the 省
    prefix), clause headings' quoted terms (“互联网+”, “宽带江苏”) and enterprise names listed
    before 等 in support clauses."""
    words: set[str] = set()
    for parsed in docs:
        for c in parsed.clauses:
            if c.row:
                for d in c.row.departments:
                    words.add(d)
                    words.add(_DEPT_PREFIX.sub("", d))
            words.update(re.findall(r"“([^”]{2,12})”", c.text))
            words.update(_named_entities(c))
    return sorted(w for w in words if 2 <= len(w) <= 16)


_ENTITY_LIST = re.compile(r"(?:支持|鼓励|推动|依托|培育|推进)([^。；：]{2,80}?)等")


def _named_entities(c: Clause) -> set[str]:
    """Items of enumerations like "鼓励苏宁易购、中国制造网等本地优势企业" -> {苏宁易购, 中国制造网}."""
    out: set[str] = set()
    for m in _ENTITY_LIST.finditer(c.text):
        # The listed names follow the last verb: "鼓励和支持苏宁易购、中国制造网" -> after 支持.
        items = re.split(r"支持|鼓励|推动|依托|培育|推进|引进", m.group(1))[-1].split("、")
        if len(items) < 2:
            continue
        for item in items:
            item = item.strip()
            if 2 <= len(item) <= 12 and not re.search(r"[，,的]", item):
                out.add(item)
    return out


class Tokenizer:
    """jieba with a private dictionary: the shared default jieba instance is left untouched."""

    def __init__(self, user_words: Iterable[str] = ()):
        import jieba

        # jieba installs its own stderr handler at DEBUG; its dictionary chatter is not ours to print.
        jieba.setLogLevel(logging.WARNING)
        self.user_words = sorted(set(domain_words()) | set(user_words))
        self._known = frozenset(w for w in self.user_words if len(w) >= 3)
        self._domain = frozenset(domain_words())
        self._jieba = jieba.Tokenizer()
        self._jieba.initialize()
        for w in self.user_words:
            self._jieba.add_word(w, freq=max(2000, 500 * len(w)))
        self.dictionary_hash = content_hash("\n".join(self.user_words) + f"|jieba{jieba.__version__}")

    def cut(self, text: str) -> list[str]:
        with _jieba_lock:  # jieba's Tokenizer is not safe to call from several threads at once
            return self._jieba.lcut(text, HMM=True)

    def tokenize(self, text: str) -> list[str]:
        """Search tokens: folded, segmented in jieba's search mode (a long word also yields its
        sub-words, so "住房货币补贴" meets "住房补贴" half-way), stop words and punctuation removed."""
        out: list[str] = []
        with _jieba_lock:
            toks = self._jieba.lcut_for_search(fold(text), HMM=True)
        for tok in toks:
            tok = tok.strip()
            if not tok or tok in STOP_WORDS or _PUNCT.match(tok):
                continue
            out.append(tok)
            # "省发展改革委" also counts as "发展改革委": the table writes the 省 prefix only on the first name.
            if tok.startswith("省") and tok[1:] in self._known:
                out.append(tok[1:])
        return out

    def tokenize_query(self, text: str) -> list[str]:
        """Tokens of a query (already normalised or not), with synonyms of its words added."""
        q = normalize_query(text)
        extra = [alt for word, alts in QUERY_SYNONYMS.items() if word in q for alt in alts]
        tokens = self.tokenize(q + (" " + " ".join(extra) if extra else ""))
        # A name the dictionary knows whole (an enterprise, a department, a policy term) says more
        # than the sub-words search mode also emits for it ("中国制造网" vs "中国", "制造"): count it twice.
        return tokens + [t for t in tokens if t in self._known]

    def places(self, text: str) -> list[str]:
        """Place names (jieba part-of-speech ns) in a text, e.g. 浙江省, 上海."""
        import jieba.posseg

        with _jieba_lock:
            if not hasattr(self, "_pos"):
                self._pos = jieba.posseg.POSTokenizer(self._jieba)
            pairs = self._pos.lcut(fold(text))
        return [w for w, flag in pairs if flag == "ns" and len(w) >= 2]

    def known_terms(self, tokens: list[str]) -> list[str]:
        """Tokens that are whole entries of the maintained policy vocabulary."""
        return [t for t in dict.fromkeys(tokens) if t in self._domain]
