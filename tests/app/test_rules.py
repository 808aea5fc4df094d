"""Rule tables of answering: what a question asks for, and what enumerates."""

import pytest

from app.qa import _satisfies
from app.rules import DOC_ISSUER_ASK, MENTIONS_ASK, asked_types, asking_clauses


@pytest.mark.parametrize(
    "question, labels",
    [
        ("市、区政府多久要向人大常委会报告一次？", ["频次"]),  # how often, not how long
        ("数字经济发展评价多久搞一次？", ["频次"]),
        ("末端网点多久之内要备案？", ["期限或年限"]),
        ("投诉几天内处理？", ["期限或年限"]),
        ("数据泄露 报告 几小时内", ["期限或年限"]),  # hours and minutes are periods too
        ("发生事故后多少分钟内要上报？", ["期限或年限"]),
        ("快递三轮车车身最长能有几米？", ["尺寸、重量或距离"]),
        ("多大岁数可以当快递员？", ["年龄"]),
        ("董事会至少要有多少人？", ["数量"]),
        ("数据安全事件要分成几级？", ["数量"]),  # levels are counted too
        ("应急响应分哪几级？", []),  # which levels: a list, not a count
        ("无证经营快递会有什么处理结果？", ["处罚"]),
        ("违法线索互联 监管标准互通 处理结果互认", []),  # a phrase of policy, not an asked result
        # in a yes/no question 几 with a measure word is "a few": nothing asked for
        ("物业想让几家快递合用一套末端设施，条例支持吗？", []),
        ("工作人员能不能让我跑好几趟、一次补一点？", []),
        ("罚款是一万元以上吗？多少天内要改正吗？", ["期限或年限"]),  # 多少 still asks
    ],
)
def test_asks(question, labels):
    assert [a.label for a in asked_types(question)] == labels


@pytest.mark.parametrize(
    "text, holds",
    [
        ("市、区人民政府应当每年将中小企业发展情况向同级人大常委会书面报告。", True),
        ("开展数字经济年度发展评价，定期向社会公布主要统计指标。", True),
        ("制定并公布年度公共数据开放清单。", True),
        ("应当向社会公布主要统计指标。", False),
    ],
)
def test_how_often_is_answered_by_a_period(text, holds):
    assert _satisfies(asked_types("多久公布一次？")[0], text) is holds


@pytest.mark.parametrize(
    "text, holds",
    [
        ("中小企业、大型企业依合同订立时的企业规模类型确定。", True),  # a time given as an event
        ("应当自货物交付之日起30日内支付款项。", True),
        ("本条例自2024年3月1日起施行。", True),
        ("《安徽省快递车辆暂行办法》同时废止。", False),  # 同时 is not a time
        ("快递企业应当及时处理投诉。", False),
    ],
)
def test_a_time_may_be_an_event(text, holds):
    assert _satisfies(next(a for a in asked_types("按什么时候的规模来算？") if a.label == "具体时间"), text) is holds


@pytest.mark.parametrize(
    "question, asking",
    [
        ("北京一家担保机构去年新增业务10个亿，按条例服务小微企业的业务至少得占多少？", "按条例服务小微企业的业务至少得占多少？"),
        ("快递公司手里压着一批信件，去年10月确认无法退回的，公司能自己销毁吗？", "公司能自己销毁吗？"),
        ("去年的目标完成了吗？", "去年的目标完成了吗？"),
        ("平台经济发展目标", "平台经济发展目标"),  # no clause asks by itself: the whole text
    ],
)
def test_asking_clauses(question, asking):
    assert asking_clauses(question) == asking


@pytest.mark.parametrize("question, expected", [
    ("北京的几部条例里，哪些地方提到了京津冀协同？", True),
    ("哪几条涉及个人信息？", True),
    ("区块链还在哪些地方出现？", True),
    ("哪一条讲容灾备份？", False),  # one place: locate
    ("哪些企业可以申请补贴？", False),
])
def test_a_question_for_every_place_a_word_is_said(question, expected):
    assert bool(MENTIONS_ASK.search(question)) is expected


@pytest.mark.parametrize(
    "question, text, holds",
    [
        ("快递三轮车车身最长能有几米？", "整车总长度不超过三米，总宽度不超过一米。", True),
        ("快递三轮车车身最长能有几米？", "快递专用电动三轮车应当向公安机关交通管理部门申请登记。", False),
        ("多大岁数可以当快递员？", "快件收派人员应当年满十八周岁。", True),
        ("多大岁数可以当快递员？", "快件收派人员应当经过培训。", False),
    ],
)
def test_a_measure_or_an_age_asked_for_is_held_only_by_a_sentence_stating_one(question, text, holds):
    assert all(_satisfies(a, text) for a in asked_types(question)) is holds


@pytest.mark.parametrize(
    "question, asked",
    [
        ("这份意见是谁发布的？", "谁发布"),
        ("深圳数据条例是哪个机关通过的？", "哪个机关通过"),
        ("这个文件是哪一级政府发的？", "哪一级政府发的"),
        ("快递暂行条例的制定机关是谁？", "制定机关"),
        ("这个条例是谁定的？", "谁定的"),
        ("哪个先施行？", None),  # when, not who: taking effect is no act of an issuer
        ("谁负责发布数据开放目录？", None),  # a duty
    ],
)
def test_a_question_for_a_documents_issuer(question, asked):
    m = DOC_ISSUER_ASK.search(question)
    assert (m.group(0) if m else None) == asked
