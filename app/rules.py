"""Rule tables for answering: follow-ups, answer types, and what a policy text never states."""

from __future__ import annotations

import re
from dataclasses import dataclass

FOLLOW_UP_MORE = re.compile(r"^(那|那么)?(还有|其他|其它|另外|别的)(别的|其他|其它|的)?(吗|呢|么|没有|吧)?[?？。!！]*$")
FOLLOW_UP_REF = re.compile(r"^(那|那么|这|它|该|此|上述|刚才|前面)|它|这项|这个|该项|上述|这条|那条")
CONTENT_ASK = re.compile(r"内容|怎么写|怎么说|怎么讲|讲了什么|写了什么|说了什么|原文|具体是|是什么")
YEAR = re.compile(r"(?<!\d)(20\d\d)(?=年)")
ACTUALS = re.compile(r"去年|今年|前年|实际(完成|收入|营收|情况)?|完成了(没有|吗)|完成情况|排名第")


@dataclass(frozen=True)
class AskType:
    """A kind of fact a question asks for, and what evidence must contain to give it."""

    label: str
    question: re.Pattern[str]
    evidence: re.Pattern[str]


# Ordered; every matching type must be satisfied by the cited evidence.
ASK_TYPES: tuple[AskType, ...] = (
    AskType("具体金额", re.compile(r"多少钱|多少元|几元|多少万|几万|多少亿|几亿|金额|补贴标准|奖励多少|拿到多少|能拿多少|租金|价格(是)?多少|什么价格|出让价|一度"),
            re.compile(r"\d[\d.,]*\s*(万|亿)?元|元/")),
    AskType("分值", re.compile(r"几分|多少分"), re.compile(r"\d+\s*分(?!之)")),
    AskType("比例或税率", re.compile(r"税率|利率|比例|百分之|百分比|几成|扣除"), re.compile(r"\d+(\.\d+)?\s*%|百分之")),
    AskType("期限或年限", re.compile(r"几年|多少年|多长时间"), re.compile(r"\d+\s*[－\-~至]?\s*\d*\s*年(以上|内|以内)?|[一二三四五六七八九十]+年")),
    AskType("频次", re.compile(r"多久(一次|开一次)?|多长时间一次|几次|频率|每(年|月|季度)几"), re.compile(r"每(年|季度|月|周|半年)|定期|\d+次")),
    AskType("具体时间", re.compile(r"截止|期限|什么时候|何时|哪天|几月|哪一年|哪年|日期"), re.compile(r"\d{4}\s*年|\d+\s*月\s*\d*\s*日?")),
    AskType("文号", re.compile(r"文号|发文字号|字号"), re.compile(r"〔\d{4}〕\d+号")),
    AskType("联系方式或办理窗口", re.compile(r"电话|窗口|地址|网址|邮箱|联系方式|联系人"), re.compile(r"电话|窗口|地址|网址|\d{7,}")),
    AskType("办理流程", re.compile(r"怎么(办理|申请|申报|备案)|如何(办理|申请|申报|备案)|申报流程|办理流程|(需要|要)(哪些|什么)材料|手续"),
            re.compile(r"申请|申报|办理|备案|提交")),
    AskType("具体条件", re.compile(r"(哪些|什么|具体)条件|门槛|资格要求"), re.compile(r"条件(如下|为|是)|以下条件|具备下列")),
    AskType("数量", re.compile(r"(?<!哪)几家|多少家|多少个"), re.compile(r"\d+\s*(家|个)|[一二两三四五六七八九十百千万]+(家|个)")),
)
