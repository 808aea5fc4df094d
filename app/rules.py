"""Rule tables for answering: follow-ups, answer types, lists, yes/no questions. General wording of
Chinese questions and government texts only; nothing here comes from one document."""

from __future__ import annotations

import re
from dataclasses import dataclass

from index.intent import CONSEQUENCE_ASK, LIABILITY, PENALTY, PENALTY_ASK, PUNISH_ASK  # noqa: F401 (re-exported)

FOLLOW_UP_MORE = re.compile(r"^(那|那么)?(还有|其他|其它|另外|别的)(别的|其他|其它|的)?(吗|呢|么|没有|吧)?[?？。!！]*$")
FOLLOW_UP_REF = re.compile(r"^(那|那么|这|它|该|此|上述|刚才|前面)|它|这项|这个|该项|上述|这条|那条")
# "这条的原文是什么", "原文呢", "给我看看全文": the whole text of the clause the previous answer cited first
FOLLOW_UP_TEXT = re.compile(r"^(?:那|那么)?(?:请|麻烦)?(?:给我)?(?:看看|看一下|发一下|贴一下)?(?:这|那|上面|刚才|前面|第一)?(?:一)?"
                            r"(?:条|个|款)?(?:的)?(?:原文|全文|完整(?:的)?(?:内容|条文|原文)|条文原文)"
                            r"(?:是什么|是啥|呢|吗|有吗|发我|看看|给我看看|能看看吗|是怎么写的)?[?？。!！]*$")
CONTENT_ASK = re.compile(r"内容|怎么写|怎么说|怎么讲|讲了什么|写了什么|说了什么|原文|具体是|是什么")
YEAR = re.compile(r"(?<!\d)(20\d\d)(?=年)")
# Questions about what happened, which texts of rules never record. 实际 alone is not one: laws speak
# of 实际控制人, 实际承担的责任, 实际损失.
ACTUALS = re.compile(r"去年|今年|前年|实际(完成|收入|营收|情况|效果|进展)|完成了(没有|吗)|完成情况|排名第")


# A list written inside a sentence: three items or more ("融资获取、市场准入、投资项目审批等方面").
INLINE_LIST = re.compile(r"[^、，。；：]+、[^、，。；：]+、")
# "一共列了多少种情形", "分几类": how many items an enumeration has, which its items answer, counted.
COUNT_ITEMS_ASK = re.compile(r"(?<!哪)(?:几|多少)(?:项|种|类)")
LIST_ASK = re.compile(r"(有)?哪(几|些)(条|项|个|类|种|方面|原则|措施|情形|内容|要求|目标)?|包括(哪些|什么)|有什么(原则|目标|措施|要求|情形)|几(条|项)(原则|措施|要求)?|都有(啥|什么)|列举")
# "什么情况下…": the cases, which an enumeration lists when the documents have one; a single
# sentence stating the case ("…的，可以…") answers it too.
CASES_ASK = re.compile(r"(?:什么|哪些)情况下")
YESNO_ASK = re.compile(r"能不能|能否|可不可以|可否|是否|要不要|需不需要|用不用|必须|允许|可以[^，。?？]{0,20}吗|[^，。?？]{0,20}吗[?？]?$|算不算|会不会")
# A question put as yes or no ("…算违法吗？", "是否…"): a fact word in it (期限, 税率) names what it is
# about and asks for nothing; only an interrogative (多少, 几, 何时, 哪) asks for a fact then.
YES_NO_FORM = re.compile(r"吗[?？。!！]*$|是否|能否|可否|能不能|可不可以|是不是|算不算|要不要|需不需要")
INTERROGATIVE = re.compile(r"多|几|何|哪|啥|什么|怎")
MODAL = re.compile(r"应当|不得|可以|禁止|必须|须|有权|不予|免予|免征|不受|依法")
# What a yes/no question asks — whether one may, or whether one must — and the words of a rule that
# answer each: "能不能低于成本价" is answered by 不得/可以/有权, "必须照常派件吗" by 应当/须/鼓励/无需.
MAY_ASK = re.compile(r"能|可以|可否|允许|准许|准不准|行不行|合法")
MUST_ASK = re.compile(r"必须|要不要|需不需要|需要|用不用|得不得|应不应|是否应当")
MAY_RULE = re.compile(r"可以|不得|禁止|允许|有权|不予|准予|不受|严禁")
MUST_RULE = re.compile(r"应当|必须|须|不得|无需|无须|不需要|免予|鼓励|不予")
# "哪些地方提到了…", "还在哪几条出现": every place the documents say a word, not the best match.
MENTIONS_ASK = re.compile(r"哪(?:些|几)(?:个)?(?:地方|处|条|条款|条文|章节?|规定)(?:里|中)?(?:都|还|也)?(?:有)?"
                          r"(?:提到|提及|涉及|讲到|说到|写到|出现)|(?:都|还)在哪(?:些|几)?(?:地方|条|处|里)?(?:提到|提及|涉及|讲到|说到|写到|出现)")
# "这些法规里最先施行的是哪一部", "最新的是哪部": which of the documents comes first or last in time,
# answered from each document's own effective date. General wording of Chinese questions.
_FIRST_WORDS = r"最早|最先|最老|最旧|资格最老"
_LAST_WORDS = r"最新|最晚|最近|最后"
DATED_ASK = re.compile(rf"(?P<end>{_FIRST_WORDS}|{_LAST_WORDS})[^，,。？?]{{0,8}}(?:施行|生效|实施|执行|出台|颁布)"
                       rf"[^，,。？?]{{0,4}}(?:是)?哪(?:一)?(?:部|个|份|件)"
                       rf"|(?P<end2>{_FIRST_WORDS}|{_LAST_WORDS})的?(?:一部|一个|一份)?(?:文件|法规|条例|法律)?(?:是)?哪(?:一)?(?:部|个|份|件)"
                       rf"|哪(?:一)?(?:部|个|份|件)(?:文件|法规|条例|法律)?(?:是)?(?:施行|生效|实施|出台|颁布)?(?:得)?(?P<end3>{_FIRST_WORDS}|{_LAST_WORDS})")
FIRST_IN_TIME = re.compile(_FIRST_WORDS)
# "各自哪天开始施行", "2020年有几部法规开始生效", "前后施行差了多久", "深圳数据条例是哪一年通过的": when
# documents were adopted, promulgated, revised or took effect, answered from each one's own dates. 实施
# alone often names an act (实施检查), so only 实施日期/时间; 出台 and 印发 are how people say 公布.
DOC_EVENTS = {"effective": "施行|生效", "adopted": "通过", "promulgated": "公布|发布|颁布|出台|印发", "revised": "修订|修正"}
EVENT_LABELS = {"effective": "施行", "adopted": "通过", "promulgated": "公布", "revised": "修订"}
_EVENT = "|".join(DOC_EVENTS.values())
_WHEN = r"什么时候|什么时间|何时|哪天|哪一天|哪日|几月几[号日]|几号|哪年|哪一年|从何时|日期|时间|同一天|同一日"
_GAP = r"相差|差了|差多少|差几|隔了|间隔|相隔|前后"
DOC_DATE_ASK = re.compile(rf"(?:{_WHEN})[^，,。？?]{{0,6}}(?P<a>{_EVENT}|实施)|(?P<b>{_EVENT}|实施)(?:的)?(?:日期|时间)"
                          rf"|(?P<c>{_EVENT})[^，,。？?]{{0,4}}(?:{_WHEN}|{_GAP})|几部[^，,。？?]{{0,8}}(?P<d>{_EVENT})"
                          rf"|20\d\d年[^，,。？?]{{0,4}}(?P<e>{_EVENT})|哪(?:个|部|一部)(?:先|早|后|晚)(?P<f>{_EVENT})")
# "这份意见是谁发布的", "深圳数据条例是哪个机关通过的", "快递暂行条例的制定机关是谁": who issued a
# document, which its head note (…会议通过, 国务院令第697号公布), its signature or its title says.
_ISSUING = r"通过|公布|发布|颁布|印发|出台|制定|发的|出的|定的|下发"
_ISSUING_BODY = r"机关|部门|单位|机构|政府|主体"
DOC_ISSUER_ASK = re.compile(rf"(?:谁|(?:哪(?:个|家|一个|一?级)?|什么)(?:{_ISSUING_BODY}))(?:(?!负责|主管|先|后)[^，,。？?]){{0,3}}(?:{_ISSUING})"
                            rf"|(?:发文|制定|发布|颁布|印发|公布|出台)(?:{_ISSUING_BODY})")
# A part of such a question that speaks of who issued it, not of a rule.
ISSUER_TALK = re.compile(rf"{_ISSUING}|{_ISSUING_BODY}|谁|哪")
# A part of such a question that speaks of dates ("各是几月几号", "中间隔了两年多吗"), not of a rule.
DATE_TALK = re.compile(rf"{_WHEN}|{_GAP}|{_EVENT}|实施|几月|几号")
# "相差多久", "中间隔了两年多吗", "是不是同一天": the time between the dates.
DATE_GAP_ASK = re.compile(rf"(?:{_GAP})[^，,。？?]{{0,4}}(?:多久|多长|多少|几|两|一|半|年|月|天)|同一天|同一日|同时(?:{_EVENT})")


def doc_event(m: re.Match) -> str:
    """Which dated event of a document a DOC_DATE_ASK match asks about (实施日期 is the effective date)."""
    word = next(g for g in m.groups() if g)
    return next((e for e, words in DOC_EVENTS.items() if re.fullmatch(words, word)), "effective")


CHANGE_ASK = re.compile(r"变化|区别|不同|改了|修改了|改动|调整了|新增了?|删除了?|删掉|有何变|变了|新旧|对比|改成|改为|变成|取消了")
GRADED = re.compile(r"情节严重|情节较重|情节轻微|逾期(?:仍|还|仍然)?[不未]改(?:正)?|拒不改正|屡次|造成严重后果|再次")


def graded_cases(text: str) -> set[str]:
    """The graded cases a text names, each under one key however it is worded: 逾期不改正,
    逾期未改正 and 逾期还不改 are one case."""
    return {re.sub(r"逾期.*", "逾期不改正", m) for m in GRADED.findall(text)}


_ONCE = r"[^，。?？]{0,20}一次"  # "多久…一次": how often


@dataclass(frozen=True)
class AskType:
    """A kind of fact a question asks for, and the figure kinds (index/numbers.py) evidence must hold."""

    label: str
    question: re.Pattern[str]
    kinds: frozenset[str] = frozenset()  # any of these figure kinds satisfies it
    evidence: re.Pattern[str] | None = None  # or this pattern, for facts that are not figures
    along: re.Pattern[str] | None = None  # and, when set, this must be in the same evidence


# Ordered; every matching type must be satisfied by the cited evidence.
ASK_TYPES: tuple[AskType, ...] = (
    AskType("具体金额", re.compile(r"多少钱|多少元|几元|多少万|几万|多少亿|几亿|金额|补贴标准|奖励多少|拿到多少|能拿多少|罚多少|罚款多少|租金多少|价格(是)?多少|什么价格|出让价"),
            frozenset({"amount"})),
    AskType("分值", re.compile(r"几分(?!钟)|多少分(?!钟)"), evidence=re.compile(r"\d+\s*分(?!之)|[一二三四五六七八九十]+分(?!之)")),
    AskType("比例或税率", re.compile(r"税率|利率|比例|百分之|百分比|几成"), frozenset({"rate"})),
    # "多久要报告一次" asks how often, not how long: it is the next type's.
    AskType("期限或年限", re.compile(rf"几年|多少年|(多长时间|多久)(?!{_ONCE})|几天|多少天|几个工作日|多少日|几个月|几个?小时|多少个?小时|几分钟|多少分钟|几周|多少周|几个星期|期限|时限"),
            frozenset({"duration", "date", "period"})),
    AskType("频次", re.compile(rf"(多久|多长时间|隔多久)(?={_ONCE})|几次|频率|每(年|月|季度)几"), frozenset({"period", "count"}),
            re.compile(r"每(年|季度|月|周|半年|[一二两三四五六\d]+(个月|年|周|日|天))|年度|季度|月度")),
    AskType("施行日期", re.compile(r"(什么时候|何时|哪天|哪一天|几号|哪年|哪一年|从哪|几月)[^，。?？]{0,6}(施行|生效|实施|执行)|施行日期|生效日期|生效时间"),
            frozenset({"date"}), along=re.compile(r"施行|生效|实施|执行")),
    # "哪一年出台的": a year, which an event ("同意时") or a day of no year ("3月31日前") does not give.
    AskType("年份", re.compile(r"哪一年|哪年|哪个年份|几几年"), evidence=re.compile(r"(?:19|20)\d\d\s*年|[〇零一二][〇零一二三四五六七八九]{3}年")),
    # A time of a law is often an event, not a date: "合同订立时的企业规模", "自交付之日起".
    AskType("具体时间", re.compile(r"什么时候|何时|哪天|几月|哪一年|哪年|日期|几号|实施的时间"), frozenset({"date"}),
            re.compile(r"之日|(?<![同及临适准随按届])时(?=[的起止前后，。])")),
    AskType("文号", re.compile(r"文号|发文字号|字号|令第几号"), evidence=re.compile(r"〔\d{4}〕\d+号|令第[\d一二三四五六七八九十百]+号")),
    AskType("联系方式或办理窗口", re.compile(r"电话|网址|邮箱|联系方式|联系人"), evidence=re.compile(r"电话|网址|邮箱|\d{7,}")),
    AskType("数量", re.compile(r"(?<!哪)几家|多少家|(?<!哪)几级|多少级|(?<!哪)几档|多少档|多少个(?!工作日|月|小时)|(?<!哪)几个(?!工作日|月|小时)|几倍|多少倍|几名|多少名|(?<!哪)几人|多少人"),
            frozenset({"count"})),
    AskType("尺寸、重量或距离", re.compile(r"(?:几|多少)(?:米|公里|千米|公斤|千克|吨|平方米|平方公里|亩)|多远|多宽|尺寸|限重"),
            frozenset({"measure"})),
    AskType("年龄", re.compile(r"几岁|多少岁|多大年纪|多大岁数"), evidence=re.compile(r"\d+\s*周?岁|[一二三四五六七八九十]+周?岁")),
    AskType("处罚", PUNISH_ASK, evidence=PENALTY),
    AskType("法律后果", CONSEQUENCE_ASK, evidence=re.compile(f"{PENALTY.pattern}|{LIABILITY.pattern}")),
)
# A figure question that names no unit ("最高时速不能超过多少？"): any figure answers it.
ANY_FIGURE = AskType("具体数字", re.compile(r"多少"), frozenset({"amount", "rate", "duration", "period", "count", "measure", "date"}))


def asked_types(q: str) -> list[AskType]:
    """The kinds of fact a (folded) question asks for. In a yes/no question a fact word (期限, 税率)
    only names its topic; there only an interrogative asks ("多少天内…吗"), and 几 with a measure
    word is "a few", not "how many" ("想让几家快递合用一套设施，…支持吗", "让我跑好几趟吗")."""
    yes_no = bool(YES_NO_FORM.search(q))
    return [a for a in ASK_TYPES if (m := a.question.search(q))
            and (not yes_no or (INTERROGATIVE.search(m.group(0)) and not m.group(0).startswith("几")))]


_CLAUSE = re.compile(r"[^，,；;：:]+")


def asking_clauses(q: str) -> str:
    """The clauses of a (folded) question that ask (an interrogative, or put as yes or no), joined:
    "北京一家担保机构去年新增业务10个亿，按条例…至少得占多少" asks in its second clause; its first
    tells what happened (去年) and asks nothing. The whole text when no clause asks by itself."""
    asking = [c for c in _CLAUSE.findall(q) if INTERROGATIVE.search(c) or YES_NO_FORM.search(c) or YESNO_ASK.search(c)]
    return ",".join(asking) or q


def asked_figures(q: str) -> list[AskType]:
    """What a figure question asks for; one that names no kind of figure asks for any figure."""
    return asked_types(q) or ([ANY_FIGURE] if ANY_FIGURE.question.search(q) else [])
