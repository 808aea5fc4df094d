"""The Chinese a person reads for a refused input or an unavailable index: the web app shows it, the
JSON API returns it beside its English `error` (which scripts match on and which stays stable)."""

from __future__ import annotations

import logging
import re

from index.build import IndexBusy, IndexMissing
from index.embedder import ModelNotFound
from index.search import IndexMismatch
from index.store import StoreUnavailable

log = logging.getLogger(__name__)

# Messages of the service and the index, for people: (pattern of the English message, Chinese).
ZH_MESSAGES = [
    (r"^the question is empty", "请输入问题，例如：哪个部门负责平台经济统计监测？"),
    (r"^the question is (\d+) characters long; keep it under (\d+)", "问题有 {0} 个字，超过了 {1} 字的上限，请精简后再问。"),
    (r"^the question must be text", "问题必须是文字。"),
    (r"^the question has no words", "问题里只有标点，没有文字：请用中文写下您想问的问题。"),
    (r"^the question is not in Chinese", "收录的都是中文文件，请用中文提问，例如：哪个部门负责平台经济统计监测？"),
    (r"^the query is empty", "请输入检索词。"),
    (r"^the query is (\d+) characters long; keep it under (\d+)", "检索词有 {0} 个字，超过了 {1} 字的上限，请精简后再检索。"),
    (r"^the query must be text", "检索词必须是文字。"),
    (r"^k must be between 1 and (\d+)", "条数须为 1 到 {0} 之间的整数。"),
    (r"^unknown search mode", "未知的检索方式，请选择混合、关键词或语义。"),
    (r"^no ingested document matches '(.*)'", "没有与“{0}”相符的已导入文件。"),
    (r"^no ingested document '(.*)'", "没有已导入的文件“{0}”。"),
    (r"^no clause '(.*)'", "找不到条款 {0}，它可能已随文件更新或删除。"),
    (r"^the original file of '(.*)' is no longer there", "文件“{0}”的原件已不在，或导入后被改动过：请管理员重新导入。"),
]
ZH_UNAVAILABLE = [
    (IndexMissing, "还没有建立索引：请管理员先导入文件。"),
    (IndexMismatch, "索引与当前的模型或词表不一致，需要重建：请管理员运行 policyqa ingest --rebuild。"),
    (ModelNotFound, "找不到嵌入模型：请管理员检查 POLICYQA_EMBED_MODEL 设置。"),
    (StoreUnavailable, "向量库暂时无法访问，请稍后再试。"),
    (IndexBusy, "另一个导入正在进行，请稍后再试。"),
]


def zh_message(e: Exception) -> str:
    """The Chinese message a person sees for a refused input or an unavailable index."""
    for kind, text in ZH_UNAVAILABLE:
        if isinstance(e, kind):
            return text
    raw = str(e.args[0]) if isinstance(e, KeyError) and e.args else str(e)
    for pattern, text in ZH_MESSAGES:
        m = re.match(pattern, raw)
        if m:
            return text.format(*m.groups())
    log.warning("no Chinese message for: %s", raw)
    return "请求未能完成，请检查输入后重试。"
