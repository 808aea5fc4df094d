"""Synthetic policy corpora for the scaling benchmark: deterministic, varied, and parsed like real ones.

Document i depends only on (seed, i), so the corpus of 10 documents is the first 10 of the corpus
of 1,000. Each document is a provincial implementation opinion with a 一、/（一）/1． outline, figures,
named places and a task-division table, filled from the tables below so that texts differ between
documents (few sentences repeat, which would flatter the embedding cache).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path

PROVINCES: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("江苏省", "苏", ("南京", "无锡", "徐州", "常州", "苏州", "南通", "扬州", "镇江")),
    ("浙江省", "浙", ("杭州", "宁波", "温州", "嘉兴", "湖州", "绍兴", "金华", "台州")),
    ("广东省", "粤", ("广州", "深圳", "珠海", "佛山", "东莞", "中山", "惠州", "江门")),
    ("山东省", "鲁", ("济南", "青岛", "烟台", "潍坊", "淄博", "临沂", "济宁", "威海")),
    ("四川省", "川", ("成都", "绵阳", "德阳", "宜宾", "泸州", "南充", "乐山", "眉山")),
    ("湖北省", "鄂", ("武汉", "宜昌", "襄阳", "荆州", "黄石", "十堰", "孝感", "黄冈")),
    ("河南省", "豫", ("郑州", "洛阳", "开封", "新乡", "许昌", "南阳", "安阳", "焦作")),
    ("福建省", "闽", ("福州", "厦门", "泉州", "漳州", "莆田", "宁德", "龙岩", "三明")),
    ("安徽省", "皖", ("合肥", "芜湖", "蚌埠", "马鞍山", "安庆", "滁州", "阜阳", "宣城")),
    ("湖南省", "湘", ("长沙", "株洲", "湘潭", "衡阳", "岳阳", "常德", "郴州", "益阳")),
)

INDUSTRIES: tuple[str, ...] = (
    "集成电路", "生物医药", "新能源汽车", "人工智能", "工业互联网", "智能装备", "新材料", "跨境电商",
    "数字文创", "现代物流", "节能环保", "航空航天", "海洋经济", "智慧农业", "软件和信息服务", "医疗器械",
    "氢能", "储能", "北斗导航", "网络安全", "区块链", "大数据", "云计算", "智能网联汽车",
)

# (lead department, supporting departments)
DEPARTMENTS: tuple[str, ...] = (
    "发展改革委", "工业和信息化厅", "科技厅", "财政厅", "商务厅", "人力资源社会保障厅", "自然资源厅",
    "生态环境厅", "交通运输厅", "农业农村厅", "市场监管局", "统计局", "地方金融监管局", "教育厅", "税务局",
)

# Task headings with two body sentences each; {ind} industry, {c1}/{c2} cities, {n}/{m} figures.
TASKS: tuple[tuple[str, str, str], ...] = (
    ("建设公共服务平台", "支持{c1}建设{ind}共性技术服务平台，提供检验检测、中试验证等服务",
     "对服务中小企业超过{n}家的平台给予运营补助"),
    ("推进数字化转型", "实施{ind}企业数字化改造行动，每年推动{n}家企业完成智能化改造",
     "对购置工业软件的企业按投资额的{p}%给予补助"),
    ("培育创新主体", "支持{ind}企业建设研发中心，新认定的省级研发中心给予{m}万元奖励",
     "鼓励企业与高校共建联合实验室"),
    ("拓展国际市场", "支持{ind}企业参加境外展会，展位费补助比例不超过{p}%",
     "在{c2}布局海外仓和国际营销网络"),
    ("完善标准体系", "鼓励{ind}龙头企业主导制定国际标准和国家标准",
     "对主导制定国家标准的企业给予{m}万元资助"),
    ("加强金融支持", "设立规模{b}亿元的{ind}产业投资基金",
     "引导银行机构开发知识产权质押贷款等产品，贷款贴息比例最高{p}%"),
    ("保障用地需求", "将{ind}重大项目纳入省级重大项目清单，优先保障新增建设用地指标",
     "工业用地可采取弹性年期出让，最长不超过{y}年"),
    ("优化产业布局", "以{c1}、{c2}为核心，打造{ind}产业创新走廊",
     "到期末建成{n}个主导产业突出的{ind}特色园区"),
    ("壮大龙头企业", "实施{ind}领军企业培育计划，支持企业兼并重组",
     "对首次营业收入超过{b}亿元的企业给予一次性奖励{m}万元"),
    ("强化应用示范", "在{c1}开展{ind}应用场景示范，每年发布{n}个示范场景",
     "政府采购对首台套产品给予支持"),
    ("推动绿色发展", "推进{ind}企业清洁生产改造，单位产值能耗下降{p}%",
     "对获评绿色工厂的企业给予{m}万元奖励"),
    ("发展服务业态", "支持{c2}发展{ind}设计、检测、咨询等生产性服务业",
     "培育{n}家以上专业化服务机构"),
)

MEASURES: tuple[tuple[str, str], ...] = (
    ("加大财税支持", "对新认定的{ind}重点项目给予最高{m}万元奖励，符合条件的企业减按15%的税率征收企业所得税。"),
    ("强化人才支撑", "引进的{ind}高端人才可享受{k}万元安家补贴，签订{y2}年以上劳动合同的可优先入住人才公寓。"),
    ("加强组织领导", "建立{ind}产业发展联席会议制度，由省{lead}负责统筹协调，各设区市制定具体实施方案。"),
    ("优化营商环境", "对{ind}重大项目实行审批代办制，项目审批时间压缩至{d}个工作日以内。"),
    ("加强监测评估", "省统计局会同有关部门建立{ind}产业统计监测制度，每年{mo}月发布发展报告。"),
)

TITLES: tuple[str, ...] = (
    "人民政府关于加快{ind}产业高质量发展的实施意见",
    "人民政府关于促进{ind}产业集聚发展的若干措施",
    "人民政府办公厅关于推动{ind}产业创新发展的指导意见",
)


@dataclass(frozen=True)
class SyntheticDoc:
    name: str  # file name, e.g. "doc-0007.txt"
    text: str


def _fill(template: str, v: dict[str, object]) -> str:
    return template.format(**v)


def _values(rng: random.Random, province: tuple[str, str, tuple[str, ...]], ind: str, year: int) -> dict:
    c1, c2 = rng.sample(province[2], 2)
    return {
        "ind": ind, "c1": c1, "c2": c2, "n": rng.randint(3, 60), "m": rng.choice((50, 100, 200, 300, 500)),
        "p": rng.choice((10, 15, 20, 30, 50)), "b": rng.choice((5, 10, 20, 50, 100)), "y": rng.choice((10, 20)),
        "k": rng.choice((20, 30, 50, 80, 100)), "y2": rng.choice((2, 3, 5)), "d": rng.choice((15, 20, 30, 45)),
        "mo": rng.randint(1, 12), "lead": rng.choice(DEPARTMENTS[:5]), "year": year,
    }


def generate_document(i: int, seed: int = 0, tasks: int = 3, measures: int = 2, rows: int = 3) -> SyntheticDoc:
    """Document i of the corpus with this seed: about 4 + 2 + tasks + measures clauses and a table of `rows`."""
    rng = random.Random(f"policyqa-scaling:{seed}:{i}")
    province = PROVINCES[rng.randrange(len(PROVINCES))]
    ind = INDUSTRIES[rng.randrange(len(INDUSTRIES))]
    year = rng.randint(2016, 2024)
    v = _values(rng, province, ind, year)
    chosen_tasks = rng.sample(TASKS, tasks)
    chosen_measures = rng.sample(MEASURES, measures)
    lines = [
        province[0] + _fill(rng.choice(TITLES), v),
        f"{province[1]}政发〔{year}〕{rng.randint(1, 120)}号",
        "各市、县（市、区）人民政府，省各委办厅局，省各直属单位：",
        f"为加快{ind}产业发展，推动{province[0]}经济转型升级，结合我省实际，现提出如下意见。",
        "一、总体要求",
        f"（一）指导思想。坚持创新驱动、集聚发展，以{v['c1']}、{v['c2']}为重点区域，推动{ind}产业链与创新链深度融合。",
        f"（二）发展目标。到{year + rng.choice((3, 4, 5))}年，全省{ind}产业规模突破{rng.choice((500, 800, 1000, 2000, 3000))}亿元，"
        f"年均增长{rng.randint(8, 25)}%以上。",
        f"1．培育龙头企业。培育营业收入超{rng.choice((10, 50, 100))}亿元的{ind}龙头企业{rng.randint(3, 20)}家。",
        f"2．建设集聚区。在{v['c2']}建成{rng.randint(2, 15)}个{ind}特色产业集聚区。",
        "二、重点任务",
    ]
    cn = "一二三四五六七八九十"
    for j, (head, s1, s2) in enumerate(chosen_tasks):
        v = {**v, **_values(rng, province, ind, year)}
        lines.append(f"（{cn[j]}）{head}。{_fill(s1, v)}。{_fill(s2, v)}。")
    lines.append("三、保障措施")
    for j, (head, body) in enumerate(chosen_measures):
        v = {**v, **_values(rng, province, ind, year)}
        lines.append(f"（{cn[j]}）{head}。{_fill(body, v)}")
    lines += ["重点任务分工表", "\t序号", "\t工作任务", "\t责任部门", ""]
    for r, (head, _s1, _s2) in enumerate(chosen_tasks[:rows], start=1):
        depts = rng.sample(DEPARTMENTS, 3)
        lines += [f"\t{r}", f"\t{head}，发展{ind}产业", f"\t省{depts[0]}、{depts[1]}、{depts[2]}等", ""]
    lines += [f"{province[0]}人民政府", f"{year}年{rng.randint(1, 12)}月{rng.randint(1, 28)}日"]
    return SyntheticDoc(f"doc-{i:04d}.txt", "\n".join(lines) + "\n")


def generate_corpus(n: int, seed: int = 0, **shape) -> list[SyntheticDoc]:
    """The first n documents for this seed."""
    if n < 0:
        raise ValueError(f"the number of documents must be >= 0, got {n}")
    return [generate_document(i, seed, **shape) for i in range(n)]


def write_corpus(folder: Path, docs: list[SyntheticDoc]) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for d in docs:
        p = folder / d.name
        p.write_text(d.text, encoding="utf-8")
        paths.append(p)
    return paths


def template_queries(count: int = 30, seed: int = 0) -> list[str]:
    """A fixed set of questions shaped like the generated clauses (same for every corpus size)."""
    rng = random.Random(f"policyqa-queries:{seed}")
    shapes = (
        "{c1}{ind}产业的发展目标是什么？",
        "{ind}高端人才有多少安家补贴？",
        "哪个部门负责{task}？",
        "{ind}企业所得税有什么优惠",
        "{ind}产业投资基金规模多大",
        "{task}有哪些支持措施",
    )
    out: list[str] = []
    while len(out) < count:
        province = PROVINCES[rng.randrange(len(PROVINCES))]
        ind = INDUSTRIES[rng.randrange(len(INDUSTRIES))]
        task = TASKS[rng.randrange(len(TASKS))][0]
        q = shapes[len(out) % len(shapes)].format(c1=rng.choice(province[2]), ind=ind, task=task)
        if q not in out:
            out.append(q)
    return out
