"""Chinese tokenizer: the one place that imports jieba (and zhconv for traditional->simplified folding)."""

from __future__ import annotations

import itertools
import logging
import re
import sys
import threading
import unicodedata
from pathlib import Path
from typing import Callable, Iterable

from index.lexicon import EQUIVALENT_BODIES, body_key, equivalent_names, learn_lexicon
from ingest.records import ParsedDocument, content_hash

log = logging.getLogger(__name__)

DOMAIN_WORDS_FILE = Path(__file__).with_name("domain_words.txt")

_WORD_CHARS = re.compile(r"[\u4e00-\u9fff]+")
# Spoken Chinese says what is removed with 掉 (删掉, 去掉, 免掉); written rules say 除 (删除, 去除, 免除).
_RESULTATIVE = re.compile(r"([删清消去排拆剔免解])掉")
_NEGATIONS = "未没不"
NEGATED_MAX_FREQ = 5  # jieba's dictionary lists 未备案, 未登记, 未注册 at 3: compounds, not words

# Everyday words for what government texts say otherwise (general usage, not one document's): a
# query keeps its own word and gains these. Bodies' other names come from index/lexicon.py. A key
# matches inside a longer word ("小公司" in "小公司的"), so none may sit inside a common term
# ("小企业" would fire on every "中小企业").
QUERY_SYNONYMS: dict[str, tuple[str, ...]] = {
    "用地": ("土地",),
    "落户": ("户籍",),
    "户口": ("户籍",),
    "房补": ("住房补贴",),
    "租房": ("租赁住房", "公租房"),
    "贷款": ("融资", "信贷"),
    "借钱": ("融资", "贷款"),
    "减税": ("税收优惠", "减按"),
    "免税": ("免征", "税收优惠"),
    "税收优惠": ("减按", "免征"),
    "补贴": ("扶持", "补助", "奖励"),
    "补助": ("补贴", "扶持"),
    "资助": ("扶持", "资金"),
    "奖励": ("扶持", "奖补"),
    "网购": ("网络零售", "电子商务"),
    "网店": ("电子商务", "网络经营"),
    "电商": ("电子商务",),
    "app": ("应用程序",),  # folded: App, APP
    "人脸": ("面部",),  # 人脸识别 as laws write it: 面部识别
    "罚多少": ("罚款",),
    "罚钱": ("罚款",),
    "罚款": ("处罚",),
    "欠款": ("拖欠", "账款"),
    "货款": ("款项", "账款", "价款"),
    "欠钱": ("拖欠", "账款"),
    "付款": ("支付",),
    "付清": ("支付",),
    "结清": ("支付",),
    "生效": ("施行",),
    "开始实施": ("施行",),
    "诚信": ("信用",),
    "征信": ("信用",),
    "老板": ("用人单位", "经营者"),
    "公司": ("企业",),
    "员工": ("劳动者", "职工"),
    # people and businesses as a user names them, as laws name them
    "个体户": ("个体工商户",),
    "小公司": ("小微企业", "中小企业"),
    "大公司": ("大型企业",),
    "大企业": ("大型企业",),
    "国企": ("国有企业",),
    "民企": ("民营企业",),
    "外企": ("外商投资企业",),
    "开公司": ("设立", "登记"),
    "注册公司": ("设立", "登记"),
    "商家": ("经营者", "商户"),
    "行业协会": ("行业组织",),
    "杀熟": ("差别待遇",),  # 大数据杀熟: 对交易条件实行不合理的差别待遇
    "价格歧视": ("差别待遇",),  # laws name the kind: 依法成立的快递行业组织
    "卖家": ("经营者",),
    "买家": ("消费者",),
    "顾客": ("消费者",),
    # money, work and wrongs in everyday words
    "赔钱": ("赔偿",),
    "赔": ("赔偿",),  # "还能要它赔吗": the bare verb; inside 赔偿 it adds nothing
    "损失": ("损害",),  # "我的损失": laws say 造成…损害的，依法承担赔偿责任
    "赔多少": ("赔偿",),
    "怎么赔": ("赔偿",),
    "丢了": ("丢失", "遗失"),
    "弄丢": ("丢失", "遗失"),
    "坏了": ("损坏", "损毁"),
    "弄坏": ("损坏", "损毁"),
    "摔坏": ("损坏", "损毁"),
    "退钱": ("退还",),
    "退款": ("退还",),
    "垫钱": ("垫资",),
    "工资": ("劳动报酬",),
    "加班": ("延长工作时间",),
    "辞退": ("解除劳动合同",),
    "开除": ("解除劳动合同",),
    "坐牢": ("有期徒刑", "刑事责任"),
    "判刑": ("刑事责任",),
    "犯法": ("违法",),
    "违规": ("违反",),
    "老赖": ("失信",),
    "黑名单": ("失信",),
    "吊销执照": ("吊销营业执照", "吊销许可证"),
    "办证": ("许可", "办理"),
    # data and privacy as users put it
    "隐私": ("个人信息",),
    "手机号": ("个人信息", "电话号码"),
    "刷脸": ("人脸识别", "人脸"),
    "打码": ("匿名化", "去标识化"),
    "脱敏": ("去标识化", "匿名化"),
    "明文": ("加密",),
    "爬虫": ("收集", "自动化"),
    "抓取": ("收集", "获取"),
    "卖数据": ("数据交易", "出售"),
    "买卖数据": ("数据交易",),
    # dealing with government
    "一起申请": ("同时申办", "一并办理"),
    "一起办": ("同时申办", "一并办理"),
    "网上办": ("网上办理", "在线政务服务"),
    "办事": ("政务服务",),
    "热线": ("便民热线", "政务服务便民热线"),
    "告状": ("投诉", "举报"),
    # abbreviations of statistical and administrative terms
    "营收": ("营业收入",),
    "规上": ("规模以上",),
    "规模以上": ("规上",),
    "税负": ("税收",),
    "专利": ("知识产权",),
    "商标": ("知识产权",),
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
_ALL_BODY_NAMES = sorted({n for g in EQUIVALENT_BODIES for n in g}, key=len, reverse=True)
_BODY_NAMES = re.compile("|".join(map(re.escape, _ALL_BODY_NAMES)))

_jieba_lock = threading.Lock()
NAMES_KEPT = 50_000  # words whose other names are kept (names_of)
_BODY_ENDS = "局厅委办"
# "开了个" is no noun, whatever the tagger says (jieba's dictionary has it, as a noun); a word that
# starts with 个 is (个人数据, 个体工商户, 个税)
_PARTICLE = re.compile(r"[了着过的吗呢吧]|(?<!^)个")
_NOUN_FLAGS = frozenset({"n", "nr", "nrt", "nrfg", "ns", "nt", "nz", "eng"})
# The last items of a listing are joined by a conjunction ("印刷品以及其他寄递物品"); "其他…" and
# "有关…" items stand for the rest.
_LAST_JOIN = re.compile(r"以及|或者|和|及|与|或")
_OTHER = re.compile(r"^(?:其他|其它|有关|相关|各类|各种|等)|等$")
# Members too general to stand for one document's collective name: a question naming them does not
# ask about it ("单位或者个人", "企业").
GENERIC_MEMBERS = frozenset({"单位", "个人", "组织", "企业", "机构", "部门", "人员", "物品", "公民", "法人",
                             "其他组织", "有关部门", "活动", "行为", "事项", "材料", "资料",
                             "自治区", "直辖市", "设区的市", "县", "乡镇"})


def fold(text: str) -> str:
    """Full-width to half-width (NFKC), traditional to simplified, lower case."""
    import zhconv

    return zhconv.convert(unicodedata.normalize("NFKC", text), "zh-cn").lower()


def normalize_query(text: str) -> str:
    """What a query goes through before tokenizing or embedding: folding only. Other names of a body
    are added as tokens (tokenize_query), never written over the user's words."""
    return fold(text.strip())


def domain_words_hash() -> str:
    """Changes when the maintained word list changes; an index built with another list is stale."""
    import jieba

    return content_hash(DOMAIN_WORDS_FILE.read_bytes() + jieba.__version__.encode())


def domain_words() -> list[str]:
    lines = DOMAIN_WORDS_FILE.read_text(encoding="utf-8").splitlines()
    return [w.strip() for w in lines if w.strip() and not w.startswith("#")]


def corpus_words(docs: Iterable[ParsedDocument]) -> list[str]:
    """Words the corpus itself teaches (bodies, defined and quoted terms, enterprise names)."""
    return learn_lexicon(docs).words


class Tokenizer:
    """jieba with a private dictionary: the shared default jieba instance is left untouched."""

    def __init__(self, user_words: Iterable[str] = ()):
        import jieba

        # jieba installs its own stderr handler at DEBUG; its dictionary chatter is not ours to print.
        jieba.setLogLevel(logging.WARNING)
        self.user_words = sorted(set(domain_words()) | set(_ALL_BODY_NAMES) | set(user_words))
        self._known = frozenset(w for w in self.user_words if len(w) >= 3)
        self._user_set = frozenset(self.user_words)
        self._domain = frozenset(domain_words())
        # Body names the dictionary holds, by body: how this corpus writes each body.
        self._bodies: dict[str, list[str]] = {}
        for w in self.user_words:
            if len(w) >= 3 and w[-1] in _BODY_ENDS and body_key(w) != w:
                self._bodies.setdefault(body_key(w), []).append(w)
        self._jieba = jieba.Tokenizer()
        self._jieba.initialize()
        for w in self.user_words:
            self._jieba.add_word(w, freq=max(2000, 500 * len(w)))
        self._names: dict[str, tuple[str, ...]] = {}
        self._collective: dict[str, tuple[str, ...]] = {}  # member -> the collective names covering it
        self._expanded: dict[str, tuple[str, ...]] = {}  # contraction -> the corpus's full forms of it
        self.dictionary_hash = content_hash("\n".join(self.user_words) + f"|jieba{jieba.__version__}")

    def names_of(self, word: str) -> tuple[str, ...]:
        """A word and every other way to say it the tokenizer knows (synonyms, other names of a body)."""
        names = self._names.get(word)
        if names is None:  # asked for every question word against every clause an answer weighs
            if len(self._names) >= NAMES_KEPT:  # a long-running server meets new words for ever
                self._names.clear()
            spoken = [m.group(1) + "除" for m in _RESULTATIVE.finditer(word)]
            # "未备案", "没登记": a negation glued to a verb (by jieba's HMM, or in its dictionary's rarest
            # entries); the rules write the verb apart ("未向所在地邮政管理部门备案"). Not for a word of its
            # own (未成年人, 未经) or of the corpus.
            if (len(word) >= 3 and word[0] in _NEGATIONS and (self._jieba.FREQ.get(word) or 0) <= NEGATED_MAX_FREQ
                    and word not in self._user_set):
                spoken.append(word[1:])
            names = self._names[word] = (word, *QUERY_SYNONYMS.get(word, ()), *spoken, *self.other_names(word),
                                         *self._collective.get(word, ()), *self._expanded.get(word, ()))
        return names

    def learn_expansion(self, word: str, full: tuple[str, ...]) -> None:
        """The corpus's full forms of a contraction a question used (小微企业 -> 小型微型企业): a clause
        saying the full form says the word."""
        if full and self._expanded.get(word) != full:
            if len(self._expanded) >= NAMES_KEPT:
                self._expanded.clear()
            self._expanded[word] = full
            self._names.pop(word, None)

    def learn_collectives(self, collectives: dict[str, list[str]]) -> None:
        """The corpus's collective names ("信件、包裹、印刷品以及其他寄递物品（以下统称快件）"): a question
        that names a member (包裹) also asks about the name the document uses for all of them (快件),
        and a clause saying that name says the member. Members are the listing's items; of the first
        item, which carries the words before the listing ("不得利用信件"), its last word. A listing
        whose last item is "…等…" names examples of something else ("供水、供电等提供公共服务的组织"),
        not the members."""
        members: dict[str, list[str]] = {}
        for name, listings in collectives.items():
            for listing in listings:
                for member in self._listed(listing):
                    if member != name and name not in member:
                        members.setdefault(member, []).append(name)
        self._collective = {m: tuple(dict.fromkeys(names)) for m, names in members.items()}
        self._names.clear()

    def _listed(self, listing: str) -> list[str]:
        items = listing.split("、")
        if "等" in items[-1]:
            return []
        last = _LAST_JOIN.split(items[-1])
        items = items[:-1] + last
        out = []
        for i, item in enumerate(items):
            item = _OTHER.sub("", item.strip())
            if i == 0:
                item = self._last_word(item)
            if 2 <= len(item) <= 12 and _WORD_CHARS.fullmatch(item) and item not in GENERIC_MEMBERS:
                out.append(item)
        return out if len(out) >= 2 else []  # one item is no listing (a clause's words before a name)

    def _last_word(self, text: str) -> str:
        words = self.cut(text)
        return words[-1] if words else ""

    def other_names(self, name: str) -> list[str]:
        """Other names of the body `name` names: the general table's, and the corpus's own names of
        it (an older text's name of a renamed body for a question's current one, and back)."""
        key = body_key(name)
        return [n for n in dict.fromkeys([*equivalent_names(name)[1:], *self._bodies.get(key, [])]) if n != name]

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
            # Interned: over laws/ the ~9M tokens of 257k texts take ~830 MB as separate strings
            # and ~120 MB as references to one copy of each distinct word (measured).
            out.append(sys.intern(tok))
            # "省发展改革委" also counts as "发展改革委": a table writes the prefix only on the first name.
            key = body_key(tok)
            if key != tok and key in self._known:
                out.append(sys.intern(key))
        return out

    def tokenize_query(self, text: str) -> list[str]:
        """Tokens of a query (already normalised or not), with synonyms of its words added."""
        q = normalize_query(text)
        own = self.tokenize(q)
        extra = [alt for word, alts in QUERY_SYNONYMS.items() if word in q for alt in alts]
        extra += [m.group(1) + "除" for m in _RESULTATIVE.finditer(q)]  # 删掉 -> 删除
        tokens = own + (self.tokenize(" ".join(dict.fromkeys(extra))) if extra else [])
        # Other names of a body the question names, whole ("市场监管局" also finds "工商行政管理局" and back;
        # the dictionary keeps every such name whole in the clauses too).
        named = _BODY_NAMES.findall(q) + [t for t in own if len(t) >= 3 and t[-1] in _BODY_ENDS]
        tokens += [alt for name in dict.fromkeys(named) for alt in self.other_names(name) if alt not in own]
        # The collective name a document uses for a member the question names (包裹 -> 快件).
        tokens += [n for name in dict.fromkeys(own) for n in self._collective.get(name, ()) if n not in own]
        # A name the dictionary knows whole (an enterprise, a department, a policy term) says more
        # than the sub-words search mode also emits for it ("中国制造网" vs "中国", "制造"): count it twice.
        return tokens + [t for t in own if t in self._known]

    def misread(self, text: str, known: Callable[[str], bool]) -> dict[str, list[str]]:
        """Words jieba joined wrongly, with the corpus words the text says across their boundary:
        "快递公司建工会" is cut 建工|会 (a dictionary word, 建工, beside 会), where the corpus says 工会.
        At each boundary with a word the corpus never says (`known`: does it?) on one side, a corpus
        word of two or three characters that spans the boundary is what was meant. jieba's
        dictionary is general Chinese; which of two overlapping words a text means depends on its
        domain, which only the corpus knows."""
        words = self.cut(fold(text))
        joined = "".join(words)
        ends = list(itertools.accumulate(len(w) for w in words))
        out: dict[str, list[str]] = {}
        for i in range(len(words) - 1):
            left, right, s1, e1, e2 = words[i], words[i + 1], ends[i] - len(words[i]), ends[i], ends[i + 1]
            wrong = [w for w in (left, right) if len(w) >= 2 and _WORD_CHARS.fullmatch(w) and not known(w)]
            if not wrong:
                continue
            # up to two characters either side of the boundary, inside the two words
            found = [joined[a:b] for a in range(max(s1, e1 - 2), e1) for b in range(e1 + 1, min(e2, e1 + 2) + 1)
                     if 2 <= b - a <= 3 and _WORD_CHARS.fullmatch(joined[a:b]) and known(joined[a:b])]
            for w in wrong:
                out.setdefault(w, []).extend(f for f in found if f not in out.get(w, []))
        return {w: f for w, f in out.items() if f}

    def places(self, text: str) -> list[str]:
        """Place names (jieba part-of-speech ns) in a text, e.g. 浙江省, 上海."""
        with _jieba_lock:
            pairs = self._tagger().lcut(fold(text))
        return [w for w, flag in pairs if flag == "ns" and len(w) >= 2]

    def nouns(self, text: str, known: Callable[[str], bool] | None = None) -> list[str]:
        """Names and nouns of a text (jieba parts of speech n, nr, ns, nt, nz, eng and the
        dictionary's own words): what a question is about, as opposed to how it is asked.

        jieba's HMM joins the single characters its dictionary leaves over into new words, and in a
        question these are often a noun's last character glued to the next word: 集聚区|能不能 gives
        区能, 创新券|能用 券能, 驾驶室|里塞 里塞, 快递柜|向 柜向. Such a guess is no topic the user named.
        With `known` (does the corpus say it?), a word neither jieba's dictionary nor ours holds, with
        no other name, is kept only when the corpus says it (网约车 in a corpus that writes it); one it
        does not is dropped. The price: a new word that is real but in neither dictionary nor corpus
        is not named in a refusal (its characters still weigh in the coverage of the question)."""
        with _jieba_lock:
            pairs = self._tagger().lcut(fold(text))
        out = [w for w, flag in pairs
               if len(w) >= 2 and (flag in _NOUN_FLAGS or w in self._known) and not _PARTICLE.search(w)]
        if known is None:
            return out
        return [w for w in out if not self._guessed(w) or known(w)]

    def person_name(self, word: str) -> bool:
        """A word jieba's dictionary tags as a person's name (nr, nrt, nrfg). In a question about
        policy such a word is nearly always a cut across two words, not a person: 多拉|点货 in
        "为了多拉点货" (多拉 is a transliterated name in the dictionary)."""
        with _jieba_lock:
            return self._tagger().word_tag_tab.get(word, "").startswith("nr")

    def _tagger(self):
        """jieba's part-of-speech tagger over this tokenizer's dictionary, made once (hold _jieba_lock)."""
        if not hasattr(self, "_pos"):
            import jieba.posseg

            self._pos = jieba.posseg.POSTokenizer(self._jieba)
        return self._pos

    def _guessed(self, word: str) -> bool:
        """A word only jieba's HMM made: in neither dictionary, with no synonym or other name."""
        return (not self._jieba.FREQ.get(word) and word not in self._user_set and not word.isascii()
                and len(self.names_of(word)) == 1)
