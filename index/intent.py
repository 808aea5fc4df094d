"""What a question asks for, by ordered rules: one table, shared by retrieval and answering."""

from __future__ import annotations

import re
from dataclasses import dataclass

# Ordered: the first rule that matches decides. Patterns run on the folded, alias-expanded query.
# "tasks_of" needs a department named in the question; that check is done in classify().
INTENT_RULES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("tasks_of", re.compile(r"(负责|牵头|承担|分工|管|参与|配合|做)(了)?(哪些|什么|啥|几项|多少|哪项|哪块|哪几项)"
                            r"|(哪些|什么|几项|哪项|哪块)[^，。?？]{0,6}(任务|工作|事|活)|(任务|工作|事|活)(有|是)?(哪些|什么|啥)"
                            r"|要干|干(些)?(什么|啥|哪些)|分到|职责")),
    # "有哪些行为会被有关部门责令改正": a generic body (有关部门) is who acts, not what is asked
    ("department", re.compile(r"哪(个|些|几个|家)?[^，。?？]{0,6}(?<![^些个家哪]有关)(?<![^些个家哪]相关)(部门|厅|局|委|单位|机构)|还有谁|(牵头|负责)的是"
                              r"|(由|归)[^，。?？]{1,14}(牵头|负责|主管|在抓|在管|来管)(吗|么|呢|\?|？|$)|被列为责任|谁(来)?(负责|牵头|管|主管|统筹|抓|定|制定|确定|决定|审批|批准|认定|监管|查处)|归(谁|哪)|由谁|牵头(部门|单位)|责任(部门|单位)|主管部门|负责部门|哪里管|找谁"
                              r"|(是不是|是否|是)[^，。?？]{0,14}(牵头|负责|主管|在抓|在管|来管|来定|来做|来抓)")),
    ("figure", re.compile(r"多少|几(家|个|年|项|成|天|日|倍)|百分之|比例|目标是|税率|%|指标")),
    # "什么是平台经济" / "平台经济是什么？" / "…怎么定义的" / "X指的是什么样的企业": what a term means.
    ("definition", re.compile(r"^(请问)?(什么是|什么叫|何谓|何为|啥是)|(是什么|是指什么|指的是什么|是啥)(意思)?[?？。]?$"
                              r"|是指什么|指的是什么|指什么|什么意思|怎么理解|如何理解|(怎么|如何|怎样)定义|的(定义|含义|概念)"
                              r"|(^|\s)(定义|含义|概念)(\s|$)")),
    ("locate", re.compile(r"哪(一)?条|哪一(部分|节|段|款)|在哪(里)?(提|讲|说|写|规定)|条款|原文|怎么(写|说|表述)|出处|第几")),
)

LEAD = re.compile(r"牵头|领头|主抓|主责|带头")

# Wordings that can only ask for a definition ("平台经济是什么" may also ask what a policy is).
STRICT_DEFINITION = re.compile(r"^(请问)?(什么是|什么叫|何谓|何为|啥是)|是指什么|指的是什么|(怎么|如何)定义|的(定义|含义|概念)")

# The term a definition question asks about: after "什么是", or before "是什么" / "怎么定义" / "的含义".
_TERM_AFTER = re.compile(r"^(?:请问)?(?:什么是|什么叫|何谓|何为|啥是)(?:所谓的?)?[“\"]?(.+?)[”\"]?[?？。，,]*$")
_TERM_BEFORE = re.compile(r"^(?:请问)?(?:所谓的?)?[“\"]?(.+?)[”\"]?(?:到底|究竟)?(?:是什么|是指什么|指的是什么|指什么|是啥|什么意思|怎么理解|如何理解|的定义|的含义|的概念|是?(?:怎么|如何|怎样)(?:定义|界定))")
# A clause that points back at the term ("这个“交易条件相同”怎么理解"): the pointer is not the term.
_POINTER = re.compile(r"^(?:那么|那)?(?:这个|那个|这里|那里|其中|上面|前面|里面|这)?(?:说|讲|提到|所说)?的?")
_KEYWORD_ASKS = frozenset({"定义", "含义", "概念", "意思"})

# "“快件”具体包括哪些东西": a quoted term and what it covers, which a "所称X，包括…" or "(以下统称X)"
# sentence answers; checked before the rules above ("包括哪些单位" would read as a department question).
QUOTED_SCOPE = re.compile(r"[“\"]([^”\"]{2,20})[”\"][，,]?(具体|都|到底|究竟)?(包括|包含|涵盖|指)(了)?(哪些|什么|啥)")

INTENTS: tuple[str, ...] = tuple(dict.fromkeys(name for name, _ in INTENT_RULES)) + ("policy", "social")

# A message that is only a greeting, thanks, farewell or a question about the assistant itself
# ("你好", "谢谢！", "在吗", "你能做什么？"): general Chinese chat, answered as such, not searched.
_SOCIAL_PHRASE = (r"(?:你好|您好|你们好|大家好|hi|hello|hey|嗨|哈喽|哈啰|早上好|上午好|中午好|下午好|晚上好|早安|午安|晚安"
                  r"|在吗|在不在|有人吗|谢谢(?:你|您)?|多谢|谢了|感谢(?:你|您)?|非常感谢|辛苦了|好的|好|嗯|哦|噢|okay|ok|收到|明白了?"
                  r"|再见|拜拜|bye|你是谁|您是谁|你叫什么(?:名字)?|你是什么|你能(?:做|干)什么|你会(?:做)?什么|你可以(?:做|干)什么"
                  r"|怎么用|如何使用|怎么使用|帮助|help)")
# Atomic phrase, possessive particles and punctuation: "哦" is both a phrase and a particle, "明白了"
# is one phrase or two, and with plain quantifiers a long run of them that fails at its end ("哦哦…哦x")
# backtracks exponentially (26 characters took 4 s). A chat message is short besides.
SOCIAL = re.compile(rf"^(?:(?>{_SOCIAL_PHRASE})(?:啊|呀|呢|吗|哈|啦|了|哦)*+[\s,，.。!！?？~～、…]*+)+$")
SOCIAL_MAX_CHARS = 40
THANKS = re.compile(r"谢|辛苦|再见|拜拜|bye|好的|收到|明白")

# Words that only say how something is asked (who, which, may I, what does it say), never what it
# is about: they are not content a document has to contain. General Chinese question wording.
ASKING_WORDS = frozenset("""
牵头 负责 主管 主抓 分管 管 管理 归 谁 哪个 哪些 哪家 哪里 部门 单位 机构 什么 啥 怎么 怎样 如何 为什么 多少 几 多久 多长
是否 能否 可以 可否 能不能 可不可以 允许 必须 需要 需不需要 要不要 应该 应当 吗 呢 吧 么 规定 要求 说 讲 写 提 提到 提及
条 条款 第 文件 文本 原文 内容 具体 一下 请问 咨询 知道 了解 告诉 有没有 有 没有 是 不是 算 算不算 会 会不会 哪 一条
定义 含义 意思 概念 指 是指 包括 包含 列举 情形 情况 方面 措施 政策 办法 条例 法律 法规 意见 有关 相关 关于 对于
哪几 几种 哪种 哪类 几类 哪天 几号 时候 开始 这边 那边 这里 那里 我们 我 你 他们 公司 企业 单位 咱 怎么办 咋办 行不行
啥意思 什么样 比例 具体比例 到底 究竟 一般 通常
""".split())


# A superlative that qualifies the asked quantity ("期限最长多少天", "最高罚多少") is part of the asking:
# the answer's sentence says "60日内" or "不得超过60日", not always the superlative. General Chinese.
ASKED_DEGREE = re.compile(r"(?:最长|最短|最多|最少|最高|最低|最大|最小|至少|至多)"
                          r"(?=(?:是|为|有|能|可以|可|要|需要|得|会|罚|赔|给)?(?:多少|几|多长|多久|多大|多高))")


# Questions that ask what the penalty is, and sentences that state one (the 法律责任 of a law).
# 处理结果 asks when it ends the question or is asked about ("会有什么处理结果", "处理结果是什么"), not
# inside a phrase of policy ("违法线索互联、处理结果互认").
_RESULT_ASKED = r"处理结果(?=$|[^\u4e00-\u9fff]|是|会|怎|如何|呢|吗)"
PENALTY_ASK = re.compile(rf"罚|处分|{_RESULT_ASKED}|法律责任|承担什么责任|什么后果|被吊销|追究")
PENALTY = re.compile(r"罚款|罚金|处罚|处分|吊销|没收|责令停业|停业整顿|拘留|警告")
# Of those, the questions that ask for a punishment, and those that ask for the legal consequence,
# which in civil law is liability rather than a penalty ("伪造资料骗保会有什么后果" — 保险人有权解除合同、
# 不承担赔偿责任; "承揽人应承担什么责任" — 承担修理、重作、减少报酬、赔偿损失等违约责任).
PUNISH_ASK = re.compile(rf"罚|处分|{_RESULT_ASKED}|被吊销")
CONSEQUENCE_ASK = re.compile(r"法律责任|什么责任|什么后果|追究")
LIABILITY = re.compile(r"(承担|负)[^。；]{0,12}责任|赔偿|追究|无效|解除合同|有权解除|撤销|返还")

# Where a message that tells a story first turns to its question: "……，我已经去投诉了。想问下按浙江
# 的条例…罚多少钱？". General wording of Chinese questions.
_TURN_TO_ASK = re.compile(r"(?:我)?(?:想|请|麻烦)?(?:问一下|问下|问问|请问|咨询一下|想知道|想了解|我想问)")
_SENTENCE_END = re.compile(r"(?<=[。！!？?])")


def asking_part(query: str) -> str:
    """The part of a (folded) message that asks: its sentences that end with a question mark (else
    its last sentence), from the last "想问下/请问…" on when there is one. The rest is the story
    the user tells ("我公司去年…。") and says nothing of what is asked."""
    sentences = [s for s in _SENTENCE_END.split(query) if s.strip()]
    if len(sentences) <= 1 and not _TURN_TO_ASK.search(query):
        return query
    asking = "".join(s for s in sentences if s.rstrip()[-1:] in "？?") or (sentences[-1] if sentences else query)
    turns = list(_TURN_TO_ASK.finditer(asking))
    return asking[turns[-1].end():] if turns and turns[-1].end() < len(asking) else asking


@dataclass(frozen=True)
class Intent:
    kind: str  # one of INTENTS
    departments: tuple[str, ...]  # department names found in the question (canonical forms)
    lead: bool = False  # the question asks about leading (牵头), not merely taking part


def mentioned_departments(query: str, departments: list[str]) -> tuple[str, ...]:
    """Departments named in the query, longest names first, without overlaps."""
    found: list[str] = []
    for d in sorted(departments, key=len, reverse=True):
        if d in query and not any(d in f for f in found):
            found.append(d)
    return tuple(found)


# "广东营商环境条例里说的容缺受理…": the document named before the term is not part of it.
# The kinds of document a title ends with ("…条例", "…办法"): a shortened name keeps its kind.
DOC_KINDS = re.compile(r"(条例|办法|规定|细则|意见|决定|通知|方案|措施|法)$")
_DOC_BEFORE_TERM = re.compile(r"^.{2,40}?(?:条例|办法|规定|意见|决定|法)(?:里面|里|中|上)?(?:所说的|说的|讲的|提到的|所称的?|的)?(?=.{2})")


def defined_term(query: str) -> str | None:
    """The term of a definition question, e.g. 平台经济 for "平台经济是什么？文件开头怎么定义的"."""
    words = query.split()
    if len(words) > 1 and _KEYWORD_ASKS & set(words):  # "数据 定义 上海数据条例": keywords
        return next((w for w in words if w not in _KEYWORD_ASKS and not DOC_KINDS.search(w)), None)
    m = QUOTED_SCOPE.search(query)
    if m:
        return m.group(1)
    first = re.split(r"[?？。；;]", query.strip(), maxsplit=1)[0] or query
    bare = _DOC_BEFORE_TERM.sub("", first)
    # the clause that asks, when a remark comes before it ("…不许搞差别待遇，这个“X”怎么理解")
    parts = [_POINTER.sub("", p) for p in re.split(r"[，,]", first)[1:]]
    for pattern in (_TERM_AFTER, _TERM_BEFORE):
        for text in dict.fromkeys((bare, first, query.strip(), *reversed(parts))):
            m = pattern.search(text)
            if m and 2 <= len(m.group(1).strip()) <= 20:
                return m.group(1).strip()
    return None


def classify(query: str, departments: list[str]) -> Intent:
    """`query` is already normalised (folded, aliases applied)."""
    if len(query) <= SOCIAL_MAX_CHARS and SOCIAL.match(query.strip()):
        return Intent("social", ())
    depts = mentioned_departments(query, departments)
    if QUOTED_SCOPE.search(query):
        return Intent("definition", depts)
    for name, pattern in INTENT_RULES:
        if pattern.search(query):
            if name == "tasks_of" and not depts:
                continue
            return Intent(name, depts, lead=bool(LEAD.search(query)))
    return Intent("policy", depts)
