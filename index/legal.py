"""Retrieval for questions about laws and regulations asked in everyday words.

Two small components, each taking plain data and with one `run`:
- `LegalQuery`: the tokens a question is searched by, without the words that only make it a
  question or a consultation (请问, 怎么办, 可以吗, 我…), and with the legal wording of everyday
  words added (工资 -> 劳动报酬): the question keeps its own words and gains these.
- `LawEvidence`: clause keyword scores in which each clause's own score is combined with its
  document's (the sum of its clauses' scores): clause + weight × law, both scaled to the best
  score of the question.

The tables hold general knowledge of Chinese questions and of legal language, not words of any
one document or question set; the weights are chosen on the STARD development split
(`policyqa eval --suite stard`, see evals/stard.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Sequence

import numpy as np

# Words that make a sentence a question or a request for advice, and the asker's pronouns. They
# are rare in legal texts, so BM25 would count them as strong evidence if they were kept.
CONSULTATION_WORDS = frozenset(
    """吗 呢 吧 啊 呀 嘛 么 哦 啦 呗 哈
    请问 问问 问一下 问下 咨询 想问 想知道 请教 求助 求问 谢谢 麻烦 帮忙 急急 急
    怎么办 怎么 怎么样 怎样 如何 咋办 咋 啥 什么 为什么 为何 哪些 哪个 哪里 哪儿 多少 几 多久
    是否 是不是 能否 能不能 可否 可不可以 可以吗 会不会 有没有 要不要 该不该 算不算 行不行 对不对 好不好
    我 我们 我的 咱 咱们 你 你们 他 她 他们 她们 人家 某 某某
    应该 该 需要 想 要 能 会 得 还 又 就 都 才 呢 了 的 地 过 着 这 那 这个 那个 这样 那样 这种 那种
    情况 问题 一般 请 现在 已经 然后 但是 可是 因为 所以 如果 的话 吗 呢""".split()
)

# Everyday words -> the words laws use for the same thing (general legal language).
LEGAL_TERMS: dict[str, tuple[str, ...]] = {
    "老板": ("用人单位",),
    "单位": ("用人单位",),
    "员工": ("劳动者", "职工"),
    "工人": ("劳动者",),
    "打工": ("劳动者", "劳动合同"),
    "上班": ("工作", "劳动"),
    "工资": ("劳动报酬",),
    "薪水": ("劳动报酬", "工资"),
    "欠薪": ("拖欠", "劳动报酬"),
    "不给钱": ("拖欠", "支付"),
    "不发工资": ("拖欠", "劳动报酬"),
    "辞退": ("解除劳动合同",),
    "开除": ("解除劳动合同",),
    "炒鱿鱼": ("解除劳动合同",),
    "辞职": ("解除劳动合同",),
    "离职": ("解除劳动合同",),
    "裁员": ("裁减人员",),
    "加班": ("延长工作时间",),
    "社保": ("社会保险",),
    "五险一金": ("社会保险", "住房公积金"),
    "病假": ("医疗期",),
    "老婆": ("配偶", "夫妻"),
    "老公": ("配偶", "夫妻"),
    "丈夫": ("配偶", "夫妻"),
    "妻子": ("配偶", "夫妻"),
    "孩子": ("子女",),
    "小孩": ("子女", "未成年人"),
    "儿子": ("子女",),
    "女儿": ("子女",),
    "爸妈": ("父母",),
    "老人": ("老年人",),
    "养老": ("赡养",),
    "房东": ("出租人",),
    "租客": ("承租人",),
    "房客": ("承租人",),
    "租房": ("租赁",),
    "房子": ("房屋",),
    "卖家": ("出卖人", "经营者"),
    "商家": ("经营者",),
    "买家": ("买受人", "消费者"),
    "顾客": ("消费者",),
    "借钱": ("借款",),
    "欠钱": ("借款", "债务"),
    "借条": ("借款",),
    "欠条": ("债务",),
    "欠债": ("债务",),
    "还钱": ("清偿", "债务"),
    "担保人": ("保证人",),
    "赔钱": ("赔偿",),
    "打官司": ("诉讼",),
    "告他": ("起诉",),
    "法院": ("人民法院",),
    "警察": ("公安机关",),
    "派出所": ("公安机关",),
    "偷": ("盗窃",),
    "骗": ("诈骗",),
    "打人": ("故意伤害", "殴打"),
    "坐牢": ("有期徒刑", "刑罚"),
    "判刑": ("刑罚", "判处"),
    "酒驾": ("饮酒", "醉酒"),
    "车祸": ("交通事故",),
    "撞人": ("交通事故",),
    "医院": ("医疗机构",),
    "医生": ("医务人员", "医师"),
    "看病": ("诊疗",),
    "生活费": ("抚养费",),
    "订金": ("定金",),
    "押金": ("保证金",),
    "假货": ("假冒", "伪劣"),
    "网购": ("网络", "电子商务"),
    "政府": ("人民政府", "行政机关"),
    "拆迁": ("征收", "补偿"),
    "物业费": ("物业服务费用",),
    "开发商": ("房地产开发企业", "建设单位"),
    "装修": ("装饰装修",),
    "邻居": ("相邻",),
    "宠物": ("饲养动物",),
    "狗": ("饲养动物",),
    "造谣": ("诽谤", "名誉"),
    "谣言": ("诽谤", "名誉"),
    "照片": ("肖像",),
    "版权": ("著作权",),
    "精神损失": ("精神损害",),
    "老赖": ("失信被执行人",),
}


def _scaled(scores: np.ndarray) -> np.ndarray:
    top = float(scores.max()) if scores.size else 0.0
    return scores / top if top > 0 else np.zeros_like(scores)


class LegalQuery:
    """A question's search tokens: consultation words dropped, legal wording of everyday words added."""

    def __init__(self, tokenize: Callable[[str], list[str]], drop: frozenset[str] = CONSULTATION_WORDS,
                 equivalents: dict[str, tuple[str, ...]] | None = None):
        self.tokenize = tokenize
        self.drop = drop
        self.equivalents = LEGAL_TERMS if equivalents is None else equivalents

    def run(self, question: str) -> list[str]:
        extra = [t for word, terms in self.equivalents.items() if word in question for t in terms]
        text = question + ("\n" + " ".join(extra) if extra else "")
        return [t for t in self.tokenize(text) if t not in self.drop]


@dataclass(frozen=True)
class LawEvidence:
    """Clause keyword scores combined with their document's: a document (a law) is scored by the
    sum of its clauses' scores, and each clause gets clause/best + weight × law/best. A question's
    words spread over several articles of the right law lift that law's articles together."""

    clause_doc: np.ndarray  # for each clause, the position of its document (0 .. documents-1)
    weight: float = 0.25

    @classmethod
    def of(cls, doc_ids: Sequence[str], weight: float = 0.25) -> "LawEvidence":
        """From each clause's document id, in clause order."""
        positions: dict[str, int] = {}
        return cls(np.array([positions.setdefault(d, len(positions)) for d in doc_ids], dtype=np.int64), weight)

    def run(self, clause_scores: np.ndarray) -> np.ndarray:
        if not clause_scores.size or self.weight == 0:
            return clause_scores
        law = np.bincount(self.clause_doc, weights=clause_scores)
        combined = _scaled(clause_scores) + self.weight * _scaled(law)[self.clause_doc]
        # A clause that shares no word with the question is not found through its law alone.
        return np.where(clause_scores > 0, combined, 0.0)
