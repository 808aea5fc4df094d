import pytest

from index.intent import STRICT_DEFINITION, asking_part, classify, defined_term
from index.search import definition_span
from index.tokenizer import normalize_query

DEPARTMENTS = ["发展改革委", "商务厅", "统计局"]


@pytest.mark.parametrize(
    "question, kind",
    [
        ("商务厅负责哪些任务？", "tasks_of"),
        ("平台经济统计监测由谁牵头？", "department"),
        ("营收超500亿的平台企业目标多少家？", "figure"),
        ("哪一条讲跨境电商？", "locate"),
        ("什么是平台经济？", "definition"),
        ("平台经济是什么？文件开头怎么定义的", "definition"),
        ("平台經濟的含義", "definition"),
        ("平台企业税收优惠是什么？", "definition"),  # ambiguous wording: qa answers it as policy when nothing defines the term
        ("发展目标是什么", "figure"),  # the figure rule comes first
        ("中國製造網在文件裡是什麼定位？", "policy"),  # "是什么定位" asks about a role, not a definition
        ("平台企业能享受哪些支持？", "policy"),
        ("这个禁寄物品目录是谁定的？", "department"),  # who sets it is who is responsible
        ("数据 定义 上海数据条例", "definition"),  # keywords
        ("北京数字经济条例里的“公共机构”包括哪些单位？", "definition"),  # a quoted term and what it covers
        ("你好", "social"),
        ("您好！在吗？", "social"),
        ("謝謝你！", "social"),
        ("Hello, 你能做什么？", "social"),
        ("你好，哪个部门负责平台经济统计监测？", "department"),  # a greeting before a question is still the question
        ("好的，那情节严重的呢？", "policy"),
        ("Okay，谢谢", "social"),
        ("哦" * 300 + "罚款多少？", "figure"),  # a long run of chat words that is not chat: answered at once
        ("明白了" * 100 + "？", "policy"),  # past the length of a chat message
        ("中介机构有哪些行为会被有关部门责令改正？", "policy"),  # the generic body acts; the behaviours are asked
        ("哪些相关部门负责数据安全？", "department"),
    ],
)
def test_classify(question, kind):
    assert classify(normalize_query(question), DEPARTMENTS).kind == kind


@pytest.mark.parametrize(
    "question, term, strict",
    [
        ("什么是平台经济？", "平台经济", True),
        ("请问什么是“平台经济”", "平台经济", True),
        ("平台经济是什么？文件开头怎么定义的", "平台经济", True),
        ("平台经济的定义", "平台经济", True),
        ("平台经济指的是什么", "平台经济", True),
        ("平台企业税收优惠是什么？", "平台企业税收优惠", False),
        ("是什么", None, False),
        ("款项支付条例里“大型企业”是怎么定义的？企业大小按什么时候算？", "大型企业", True),
        # a remark before the clause that asks, and a pointer to the term in it
        ("深圳数据条例不许对“交易条件相同”的人搞差别待遇，这个“交易条件相同”怎么理解？", "交易条件相同", False),
        ("数据 定义 上海数据条例", "数据", False),
        ("快递暂行条例里说的“快件”，具体包括哪些东西？", "快件", False),
    ],
)
def test_defined_term(question, term, strict):
    q = normalize_query(question)
    assert defined_term(q) == term
    assert bool(STRICT_DEFINITION.search(q)) == strict


@pytest.mark.parametrize(
    "text, term, sentence",
    [
        ("各市人民政府：\n互联网平台经济（以下简称平台经济）是基于互联网的新型经济形态。大力发展平台经济。", "平台经济",
         "互联网平台经济（以下简称平台经济）是基于互联网的新型经济形态。"),
        ("本办法所称平台企业，是指提供网络交易服务的企业。平台企业是重点。", "平台企业", "本办法所称平台企业，是指提供网络交易服务的企业。"),
        ("发展目标。平台经济是新型经济形态；其他。", "平台经济", "平台经济是新型经济形态；"),
        # the full name before its short name defines both
        ("各市人民政府：\n互联网平台经济（以下简称平台经济）是基于互联网的新型经济形态。大力发展平台经济。", "互联网平台经济",
         "互联网平台经济（以下简称平台经济）是基于互联网的新型经济形态。"),
        ("第二条 本条例所称公共数据（以下统称数据）是指公共管理和服务机构收集的数据。", "公共数据",
         "本条例所称公共数据（以下统称数据）是指公共管理和服务机构收集的数据。"),
        ("负责公共数据管理的部门（以下简称责任部门）应当制定规划。", "负责公共数据管理的部门", None),
        ("大力发展平台经济，推动转型。", "平台经济", None),  # uses the term, defines nothing
        ("平台经济是否纳入统计，由统计局确定。", "平台经济", None),
        # a law's article opening with the term: the quote starts after the article's label
        ("第九百五十一条 行纪合同是行纪人以自己的名义为委托人从事贸易活动，委托人支付报酬的合同。", "行纪合同",
         "行纪合同是行纪人以自己的名义为委托人从事贸易活动，委托人支付报酬的合同。"),
        # the legal form that names the term last, up to the end of its sentence
        ("第十八条 自然人为完成工作任务所创作的作品是职务作品，除本条第二款的规定以外，著作权由作者享有。但书。", "职务作品",
         "自然人为完成工作任务所创作的作品是职务作品，除本条第二款的规定以外，著作权由作者享有。"),
        ("以上两种情形的经营者，称为平台内经营者；其余不论。", "平台内经营者", "以上两种情形的经营者，称为平台内经营者；"),
        # what something becomes is not what the term means
        # "(以下统称X)" in half-width brackets, and "所称X，包括…"
        ("第四条 不得利用信件、包裹以及其他寄递物品(以下统称快件)从事违法活动。", "快件",
         "不得利用信件、包裹以及其他寄递物品(以下统称快件)从事违法活动。"),
        ("公共机构应当汇聚数据。\n本条例所称公共机构，包括本市各级国家机关。本条例所称公共数据，是指…", "公共机构",
         "本条例所称公共机构，包括本市各级国家机关。"),
        # an item of a list of terms that says what the term covers
        ("（二）数据处理，包括数据的收集、存储、使用、加工、传输、提供、公开等。", "数据处理",
         "（二）数据处理，包括数据的收集、存储、使用、加工、传输、提供、公开等。"),
        ("企业开展数据处理，包括收集数据的，应当备案。", "数据处理", None),
        ("支持企业成为高新技术企业，给予奖励。", "高新技术企业", None),
        ("经认定为高新技术企业的，减按15%征收。", "高新技术企业", None),
    ],
)
def test_definition_span(text, term, sentence):
    span = definition_span(text, term)
    assert (text[span[0]:span[1]] if span else None) == sentence


@pytest.mark.parametrize(
    "message, asking",
    [
        ("去年全省网络零售额是多少？", "去年全省网络零售额是多少？"),  # one sentence: all of it asks
        ("我公司去年营收5亿，能享受什么补贴？", "我公司去年营收5亿，能享受什么补贴？"),
        ("我公司2019年成立，去年营收下降了。想问下按条例能享受什么政策？", "按条例能享受什么政策？"),
        ("我家去年被拖欠了货款。请问付款期限是多久？逾期利息怎么算？", "付款期限是多久？逾期利息怎么算？"),
        ("快递员没打招呼就放驿站了。这种情况罚多少", "这种情况罚多少"),  # no question mark: the last sentence
    ],
)
def test_asking_part_leaves_out_the_story(message, asking):
    assert asking_part(message) == asking
