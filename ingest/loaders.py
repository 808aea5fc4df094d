"""Read .txt/.md/.docx/.pdf/.html policy files into normalised paragraph and table blocks."""

from __future__ import annotations

import functools
import io
import logging
import pathlib
import re
import unicodedata
import zipfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ingest.records import Block

if TYPE_CHECKING:  # annotations only; the libraries load when a file of their format does
    from bs4 import Tag
    from docx.document import Document as DocxDocument
    from docx.table import Table
    from pypdf import PageObject, PdfReader

log = logging.getLogger(__name__)

# Zip-bomb guard for DOCX. zipfile stops reading a member after the size its header declares,
# so checking the declared sizes bounds what python-docx can inflate. Module constants so tests
# can lower them instead of writing hundreds of megabytes.
MAX_DOCX_UNCOMPRESSED = 200 * 1024 * 1024
MAX_DOCX_RATIO = 200

_TITLE_MAX_CHARS = 30  # a table title is a short caption line such as "重点任务分工表"
_SENTENCE_FINAL = "。！？；："
_CLOSERS = "”’」』》）)\"'"  # may follow the final mark: "…工作。”"

# Lines that start a new paragraph in policy text. PDF line joining must never glue these onto
# the line before.
_HEADING_MARKERS = re.compile(
    r"^(?:[一二三四五六七八九十百]+、"  # 一、
    r"|[（(][一二三四五六七八九十百]+[）)]"  # （一）
    r"|\d+[．.﹒、]"  # 1． 1﹒ 1. 1、
    r"|[（(]\d+[）)]"  # （1）
    r"|第[一二三四五六七八九十百千零〇\d]+[章节条款编]"  # 第一章 第三条
    r"|——)"  # ——市场主导、创新发展。
)

_CFB_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # OLE compound file: legacy .doc or encrypted OOXML
_CFB_ENCRYPTED_STREAMS = ("EncryptionInfo".encode("utf-16-le"), "EncryptedPackage".encode("utf-16-le"))


class LoadError(Exception):
    """A file that cannot be loaded; str(err) is the reason shown to the user."""


def _reason(exc: Exception) -> str:
    """A library exception as a short phrase; KeyError's repr quotes and bare exceptions say nothing."""
    return exc.args[0] if exc.args and isinstance(exc.args[0], str) and exc.args[0] else type(exc).__name__


@dataclass(frozen=True)
class Loaded:
    """A file's blocks in reading order, with the format and encoding it was read as."""

    blocks: tuple[Block, ...]
    format: str  # "txt" | "md" | "docx" | "pdf" | "html"
    encoding: str  # detected text encoding; "binary" for docx/pdf


# --------------------------------------------------------------------------- encodings

# charset-normalizer reports GB2312/GBK for most mainland files; GB18030 decodes all of them
# and more, so one name covers the family.
_ENCODING_ALIASES = {"gb2312": "gb18030", "gbk": "gb18030", "gb18030": "gb18030", "cp936": "gb18030"}
_CJK_FALLBACKS = ("gb18030", "big5")  # always tried: short Chinese samples fool the detector
_CJK_IDEOGRAPH = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_TEXT_CONTROLS = "\t\n\r\f\v"
_MAX_BAD_CHAR_RATIO = 0.05


def decode_text(data: bytes) -> tuple[str, str]:
    """Decode file bytes to text and name the encoding used; raise LoadError for binary or empty."""
    text, encoding = _decode(data)
    if not text.replace("\ufeff", "").strip():
        raise LoadError("empty file")
    if _bad_char_count(text) > _MAX_BAD_CHAR_RATIO * len(text):
        raise LoadError("binary file, not text")
    return text, encoding


def _decode(data: bytes) -> tuple[str, str]:
    if not data.strip():
        raise LoadError("empty file")
    # Notepad's "Unicode" is UTF-16 with a BOM; its NUL bytes are text, not a sign of binary.
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError:
            pass
    if b"\x00" in data:
        raise LoadError("binary file, not text")
    if data.startswith(b"\xef\xbb\xbf"):
        try:
            return data.decode("utf-8-sig"), "utf-8-sig"
        except UnicodeDecodeError:
            pass
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    return _detect(data)


def _detect(data: bytes) -> tuple[str, str]:
    import charset_normalizer

    candidates: list[tuple[str, str]] = []  # (encoding, text), detector's preference first
    for match in charset_normalizer.from_bytes(data):
        encoding = _ENCODING_ALIASES.get(match.encoding, match.encoding)
        if encoding not in (c[0] for c in candidates):
            text = data.decode(encoding) if encoding == "gb18030" else str(match)
            candidates.append((encoding, text))
    for encoding in _CJK_FALLBACKS:
        if encoding not in (c[0] for c in candidates):
            try:
                candidates.append((encoding, data.decode(encoding)))
            except UnicodeDecodeError:
                pass
    if not candidates:
        raise LoadError("binary file, not text")
    chosen = _prefer_chinese(candidates) or candidates[0]
    if chosen is not candidates[0]:
        log.debug("encoding: detector said %s, Chinese text check chose %s", candidates[0][0], chosen[0])
    return chosen[1], chosen[0]


def _prefer_chinese(candidates: Sequence[tuple[str, str]]) -> tuple[str, str] | None:
    """Pick the decoding that reads as the most common Chinese, or None if none reads as Chinese.

    On two or three sentences charset-normalizer's statistics are thin: Big5 bytes come back as
    Shift_JIS or an EBCDIC code page, GBK as CP949. Decoding the same bytes with the wrong CJK
    codec yields rare characters, kana, Hangul or replacement characters, while the right one
    yields the few thousand characters that make up nearly all policy prose. So score each
    candidate by its common-character count minus a penalty for impossible characters; ties keep
    the detector's order. A candidate must look like Chinese (ideographs are at least 30% of its
    visible characters) to override the detector, so Latin-1 prose that happens to decode as Big5
    stays Latin-1.
    """
    common = _common_chinese()
    best: tuple[int, tuple[str, str]] | None = None
    for candidate in candidates:
        text = candidate[1]
        visible = sum(1 for ch in text if not ch.isspace())
        ideographs = len(_CJK_IDEOGRAPH.findall(text))
        if not visible or ideographs < 0.3 * visible:
            continue
        score = sum(1 for ch in text if ch in common) - 2 * _bad_char_count(text)
        if score > 0 and (best is None or score > best[0]):
            best = (score, candidate)
    return best[1] if best else None


@functools.cache
def _common_chinese() -> frozenset[str]:
    """The GB2312 level-1 characters (3,755 most used simplified) and Big5's 5,401 frequent ones."""
    chars: set[str] = set()
    for lead in range(0xB0, 0xD8):
        for trail in range(0xA1, 0xFF):
            try:
                chars.add(bytes((lead, trail)).decode("gb2312"))
            except UnicodeDecodeError:
                pass
    for lead in range(0xA4, 0xC7):
        for trail in (*range(0x40, 0x7F), *range(0xA1, 0xFF)):
            if (lead, trail) >= (0xC6, 0x7F):
                break
            try:
                chars.add(bytes((lead, trail)).decode("big5"))
            except UnicodeDecodeError:
                pass
    return frozenset(chars)


def _bad_char_count(text: str) -> int:
    """Characters no real document contains: controls, replacement, private use, unassigned."""
    bad = 0
    for ch in text:
        if ch in _TEXT_CONTROLS:
            continue
        if ch == "\ufffd" or "\uff61" <= ch <= "\uff9f" or unicodedata.category(ch) in ("Cc", "Co", "Cn"):
            bad += 1  # half-width katakana: what Big5 read as Shift_JIS looks like
    return bad


# --------------------------------------------------------------------------- shared block assembly

# A detector looks at lines[i]; if a table starts there it returns (rows, index after the table).
_TableDetector = Callable[[list[str], int], "tuple[tuple[tuple[str, ...], ...], int] | None"]


def _lines(text: str) -> list[str]:
    """Split into lines: BOM dropped, CRLF/CR and other Unicode line breaks become line ends."""
    return text.removeprefix("\ufeff").splitlines()


def _plain_para(i: int, line: str) -> Block | None:
    text = line.strip()
    return Block("para", text=text) if text else None


def _assemble(
    lines: list[str], detectors: Sequence[_TableDetector], para: Callable[[int, str], Block | None] = _plain_para
) -> tuple[Block, ...]:
    """Blocks from lines: tables where a detector finds one, else `para(index, line)` (None skips the line)."""
    blocks: list[Block] = []
    i = 0
    while i < len(lines):
        for detect in detectors:
            found = detect(lines, i)
            if found:
                rows, i = found
                blocks.append(Block("table", rows=rows))
                break
        else:
            block = para(i, lines[i])
            if block is not None:
                blocks.append(block)
            i += 1
    return _attach_titles(blocks)


def _is_title(text: str) -> bool:
    """A caption line like "重点任务分工表" or "附件：重点任务分工表", not a sentence mentioning 表."""
    return len(text) <= _TITLE_MAX_CHARS and "表" in text and text[-1] not in _SENTENCE_FINAL + "，"


def _attach_titles(blocks: Sequence[Block]) -> tuple[Block, ...]:
    """Move a caption paragraph directly before an untitled table into the table's title."""
    out: list[Block] = []
    for block in blocks:
        if block.kind == "table" and not block.title and out and out[-1].kind == "para" and _is_title(out[-1].text):
            block = Block("table", rows=block.rows, title=out.pop().text)
        out.append(block)
    return tuple(out)


def _load_decoded(data: bytes, fmt: str, to_blocks: Callable[[str], tuple[Block, ...]]) -> Loaded:
    text, encoding = decode_text(data)
    blocks = to_blocks(text)
    if not blocks:
        raise LoadError("empty file")
    return Loaded(blocks, fmt, encoding)


# --------------------------------------------------------------------------- plain text

_MAX_HEADER_CELLS = 20
_MAX_HEADER_CELL_CHARS = 20


def _is_cell_line(line: str) -> bool:
    return line.startswith("\t") and bool(line.strip())


def _tab_table(lines: list[str], i: int) -> tuple[tuple[tuple[str, ...], ...], int] | None:
    """A table exported as one tab-indented line per cell, one blank-separated group per row.

    The first group is the header: 2-20 short cells. Anything else (tab-indented paragraphs,
    a single group) is left to be read as paragraphs. The header checks fail fast so a long run
    of indented prose is not rescanned from every line.
    """
    if not _is_cell_line(lines[i]) or (i > 0 and _is_cell_line(lines[i - 1])):
        return None
    groups: list[tuple[str, ...]] = []
    j = i
    while j < len(lines):
        group: list[str] = []
        while j < len(lines) and _is_cell_line(lines[j]):
            group.append(lines[j].strip())
            j += 1
            if not groups and (len(group) > _MAX_HEADER_CELLS or len(group[-1]) > _MAX_HEADER_CELL_CHARS):
                return None
        groups.append(tuple(group))
        if len(groups) == 1 and len(group) < 2:
            return None
        k = j
        while k < len(lines) and not lines[k].strip():
            k += 1
        if k == j or k == len(lines) or not _is_cell_line(lines[k]):
            break
        j = k
    if len(groups) < 2:
        return None
    return tuple(groups), j


def blocks_from_text(text: str) -> tuple[Block, ...]:
    """Plain text to blocks: one para per non-blank line, tab-indented cell runs to tables."""
    return _assemble(_lines(text), (_tab_table,))


# --------------------------------------------------------------------------- markdown

_MD_HEADING = re.compile(r"^\s{0,3}#{1,6}(?:\s+|$)")
_MD_HEADING_CLOSE = re.compile(r"\s+#+\s*$")
_MD_LIST = re.compile(r"^\s*[-*+]\s+")
_MD_RULE = re.compile(r"^\s{0,3}(?:(?:-\s*){3,}|(?:\*\s*){3,}|(?:_\s*){3,}|={3,})$")  # also setext "==="
_MD_TABLE_SEP = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(?:\|\s*:?-{3,}:?\s*)*\|?\s*$")
_MD_PIPE = re.compile(r"(?<!\\)\|")


# HTML comments are markup, never text; "<!-- INFO END -->" is where law exports (LawRefBook, the
# national database's Markdown) end their front matter of dates and adopting bodies.
_HTML_COMMENT = re.compile(r"<!--.*?-->", re.S)
_FRONT_MATTER_END = "<!-- INFO END -->"


def _md_clean(line: str) -> tuple[str, int]:
    """A Markdown line's text without its markup, and its heading depth (0 for body text)."""
    if _MD_RULE.match(line):
        return "", 0
    level = 0
    if heading := _MD_HEADING.match(line):
        level = heading.group(0).strip().count("#")
        line = _MD_HEADING_CLOSE.sub("", line[heading.end():])
    else:
        line = _MD_LIST.sub("", line, count=1)
    return line.strip(), level


def _md_cells(line: str) -> tuple[str, ...]:
    line = line.strip()
    line = line.removeprefix("|")
    if line.endswith("|") and not line.endswith("\\|"):
        line = line[:-1]
    return tuple(cell.strip().replace("\\|", "|") for cell in _MD_PIPE.split(line))


def _pipe_table(lines: list[str], i: int) -> tuple[tuple[tuple[str, ...], ...], int] | None:
    """A GitHub-style pipe table: a header row, a |---| separator, then rows containing pipes."""
    if "|" not in lines[i] or i + 1 >= len(lines) or "|" not in lines[i + 1] or not _MD_TABLE_SEP.match(lines[i + 1]):
        return None
    rows = [_md_cells(lines[i])]
    j = i + 2
    while j < len(lines) and lines[j].strip() and "|" in lines[j]:
        rows.append(_md_cells(lines[j]))
        j += 1
    return tuple(rows), j


def _blocks_from_markdown(text: str) -> tuple[Block, ...]:
    lines = _lines(text)
    front_end = next((i for i, line in enumerate(lines) if line.strip() == _FRONT_MATTER_END), -1)
    # A comment becomes as many line breaks as it spans, so line numbers stay put.
    lines = _lines(_HTML_COMMENT.sub(lambda m: "\n" * m.group(0).count("\n"), "\n".join(lines)))

    def para(i: int, line: str) -> Block | None:
        text, level = _md_clean(line)
        return Block("para", text=text, level=level, front=i < front_end and not level) if text else None

    return _assemble(lines, (_pipe_table, _tab_table), para)


# --------------------------------------------------------------------------- docx


def _check_docx_container(data: bytes) -> None:
    if data.startswith(_CFB_MAGIC):
        if any(name in data for name in _CFB_ENCRYPTED_STREAMS):
            raise LoadError("encrypted or password-protected DOCX: save it without a password")
        raise LoadError("legacy Word .doc file named .docx: save it as .docx")
    buffer = io.BytesIO(data)
    if not zipfile.is_zipfile(buffer):
        raise LoadError("corrupt DOCX (not a zip archive)")
    try:
        with zipfile.ZipFile(buffer) as zf:
            members = zf.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise LoadError(f"corrupt DOCX ({_reason(exc)})") from exc
    total = sum(m.file_size for m in members)
    packed = sum(m.compress_size for m in members)
    if total > MAX_DOCX_UNCOMPRESSED:
        raise LoadError(
            f"suspicious DOCX: members expand to {total:,} bytes, over the {MAX_DOCX_UNCOMPRESSED:,} limit "
            "(possible zip bomb)"
        )
    if total > MAX_DOCX_RATIO * max(packed, 1):
        raise LoadError(
            f"suspicious DOCX: compression ratio {total // max(packed, 1):,}:1, over {MAX_DOCX_RATIO}:1 "
            "(possible zip bomb)"
        )


def _load_docx(data: bytes) -> Loaded:
    _check_docx_container(data)
    import docx

    try:
        document = docx.Document(io.BytesIO(data))
        blocks = _attach_titles(list(_docx_blocks(document)))
    except LoadError:
        raise
    except Exception as exc:  # python-docx/lxml raise many types for damaged packages
        raise LoadError(f"corrupt DOCX ({_reason(exc)})") from exc
    if not blocks:
        raise LoadError("empty file")
    return Loaded(blocks, "docx", "binary")


def _docx_blocks(document: DocxDocument) -> Iterator[Block]:
    """Body paragraphs and tables in document order, descending into content controls (w:sdt)."""
    from docx.oxml.ns import qn
    from docx.oxml.table import CT_Tbl
    from docx.oxml.text.paragraph import CT_P
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    # The lxml body stands in as the parent: python-docx only consults a parent for part lookups
    # (images, hyperlink targets), which reading text never does.
    body = document.element.body
    stack = list(reversed(body))
    while stack:
        element = stack.pop()
        if isinstance(element, CT_P):
            for line in Paragraph(element, body).text.splitlines():
                if line.strip():
                    yield Block("para", text=line.strip())
        elif isinstance(element, CT_Tbl):
            rows = _docx_rows(Table(element, body))
            if rows:
                yield Block("table", rows=rows)
        elif element.tag == qn("w:sdt"):
            content = element.find(qn("w:sdtContent"))
            if content is not None:
                stack.extend(reversed(content))


def _docx_rows(table: Table) -> tuple[tuple[str, ...], ...]:
    rows = []
    for row in table.rows:
        cells: list[str] = []
        previous = None
        for cell in row.cells:
            # A horizontally merged cell is returned once per grid column it spans.
            if previous is not None and cell._tc is previous:
                continue
            previous = cell._tc
            cells.append(" ".join(line.strip() for line in cell.text.splitlines() if line.strip()))
        if any(cells):
            rows.append(tuple(cells))
    return tuple(rows)


# --------------------------------------------------------------------------- pdf

_FULL_LINE_FRACTION = 0.8
_PAGE_NUMBER = re.compile(r"^(?:[-—–－]\s*\d{1,4}\s*[-—–－]|第\s*\d+\s*页(?:\s*[,，/]?\s*共\s*\d+\s*页)?|\d{1,4})$")


def _load_pdf(data: bytes) -> Loaded:
    import pypdf

    try:
        reader = pypdf.PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            _decrypt_empty(reader)
        pages = [_page_lines(page, n) for n, page in enumerate(reader.pages, 1)]
    except LoadError:
        raise
    except Exception as exc:  # pypdf raises PdfReadError, ValueError, KeyError... for damaged files
        raise LoadError(f"corrupt PDF ({_reason(exc)})") from exc
    lines = [line for page in pages for line in page]
    if not any(line.strip() for line in lines):
        raise LoadError("PDF has no text layer (scanned image?): OCR it first")
    blocks = tuple(Block("para", text=line) for line in _join_wrapped_lines(lines))
    return Loaded(blocks, "pdf", "binary")


def _decrypt_empty(reader: PdfReader) -> None:
    """Many PDFs are "encrypted" with an empty user password only to restrict printing."""
    from pypdf import PasswordType

    try:
        opened = reader.decrypt("")
    except Exception as exc:  # e.g. AES without the cryptography package: still unreadable
        log.debug("decrypting with the empty password failed: %s", exc)
        opened = PasswordType.NOT_DECRYPTED
    if opened == PasswordType.NOT_DECRYPTED:
        raise LoadError("encrypted PDF: remove the password and re-export")


def _page_lines(page: PageObject, number: int) -> list[str]:
    try:
        text = page.extract_text() or ""
    except Exception as exc:  # one bad content stream should not lose the whole document
        log.warning("PDF page %d: text extraction failed (%s); skipping the page", number, exc)
        return []
    lines = [line.strip() for line in _lines(text)]
    lines = [line for line in lines if line]
    # Running page numbers ("- 3 -", "第3页") sit first or last on a page and would otherwise be
    # glued into the paragraph that continues across the page break.
    if lines and _PAGE_NUMBER.match(lines[-1]):
        lines.pop()
    if lines and _PAGE_NUMBER.match(lines[0]):
        lines.pop(0)
    return lines


def _display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _join_wrapped_lines(lines: Sequence[str]) -> list[str]:
    """Undo the PDF's wrapping at the page width: rejoin lines of one paragraph.

    A line continues the previous one when all three hold:
    - the previous line does not end a sentence (。！？；：, possibly followed by a closing quote);
    - the line does not start with a heading marker (一、 （一） 1． 1﹒ （1） 第X条 ——);
    - the previous line is full: at least 80% of the typical (90th percentile) line width.
    The last rule keeps short headings without punctuation, such as "一、总体要求" or a title,
    from swallowing the paragraph below them.
    """
    lines = [line for line in lines if line]
    if not lines:
        return []
    widths = sorted(_display_width(line) for line in lines)
    full = _FULL_LINE_FRACTION * widths[int(0.9 * (len(widths) - 1))]
    out = [lines[0]]
    last_width = _display_width(lines[0])  # of the previous physical line, not the joined paragraph
    for line in lines[1:]:
        ends_sentence = out[-1].rstrip(_CLOSERS)[-1:] in tuple(_SENTENCE_FINAL)
        if not ends_sentence and not _HEADING_MARKERS.match(line) and last_width >= full:
            out[-1] += line
        else:
            out.append(line)
        last_width = _display_width(line)
    return out


# --------------------------------------------------------------------------- html

_HTML_DROP = ("script", "style", "noscript", "head", "title", "template")
_HTML_BLOCKS = frozenset(
    "p div h1 h2 h3 h4 h5 h6 li ul ol dl dt dd section article header footer main nav aside "
    "blockquote pre figure figcaption address hr form fieldset center table caption thead tbody "
    "tfoot tr td th".split()
)
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
_CJK = r"\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef"
# A source line break between two Chinese characters is editor wrapping, not a word space.
_CJK_WRAP = re.compile(rf"(?<=[{_CJK}])[ \t\r\f]*\n[ \t\n\r\f]*(?=[{_CJK}])")
_HTML_SPACE = re.compile(r"[ \t\n\r\f]+")


def _collapse(text: str) -> str:
    """HTML whitespace rules: runs of ASCII whitespace become one space; NBSP and U+3000 stay."""
    return _HTML_SPACE.sub(" ", _CJK_WRAP.sub("", text)).strip()


def _decode_html(data: bytes) -> tuple[str, str]:
    """Valid UTF-8 wins over a stale <meta charset> (pages re-saved as UTF-8 keep "gb2312")."""
    if data.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")) or b"\x00" in data:
        return decode_text(data)
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        return decode_text(data)
    match = _META_CHARSET.search(data[:4096])
    if match:
        import codecs

        name = match.group(1).decode("ascii").lower()
        try:
            encoding = _ENCODING_ALIASES.get(codecs.lookup(name).name, codecs.lookup(name).name)
            return data.decode(encoding), encoding
        except (LookupError, UnicodeDecodeError):
            log.debug("meta charset %r does not decode this page; detecting instead", name)
    return decode_text(data)


def _load_html(data: bytes) -> Loaded:
    from bs4 import BeautifulSoup

    text, encoding = _decode_html(data)
    if not text.replace("\ufeff", "").strip():
        raise LoadError("empty file")
    soup = BeautifulSoup(text, "html.parser")
    for tag in soup.find_all(_HTML_DROP):
        tag.decompose()
    blocks = _attach_titles(list(_html_blocks(soup)))
    if not blocks:
        raise LoadError("empty file")
    return Loaded(blocks, "html", encoding)


def _html_blocks(root: Tag) -> Iterator[Block]:
    """Walk the tree in document order; block elements and <br> end a line, data tables become tables.

    Iterative rather than recursive: scraped government pages can nest deeper than Python's stack.
    """
    from bs4 import NavigableString, Tag
    from bs4.element import PreformattedString

    flush = object()
    buffer: list[str] = []
    stack: list[object] = [root]
    while stack:
        node = stack.pop()
        if node is flush or (isinstance(node, Tag) and node.name == "br"):
            yield from _html_paras(buffer)
            buffer.clear()
        elif isinstance(node, NavigableString):
            if not isinstance(node, PreformattedString):  # comments, doctype, CDATA
                buffer.append(str(node))
        elif isinstance(node, Tag):
            rows = _html_rows(node) if node.name == "table" else None
            if rows is not None:
                yield from _html_paras(buffer)
                buffer.clear()
                caption = node.find("caption")
                title = _collapse(caption.get_text(" ")) if caption else ""
                if rows:
                    yield Block("table", rows=rows, title=title)
                continue
            if node.name in _HTML_BLOCKS:
                stack.append(flush)
                stack.extend(reversed(list(node.children)))
                stack.append(flush)
            else:
                stack.extend(reversed(list(node.children)))
    yield from _html_paras(buffer)


def _html_paras(buffer: list[str]) -> Iterator[Block]:
    text = _collapse("".join(buffer))
    if text:
        yield Block("para", text=text)


def _html_rows(table: Tag) -> tuple[tuple[str, ...], ...] | None:
    """Rows of a data table, or None for a layout table (one column, or tables nested inside).

    Government sites still lay pages out with tables; reading those as data would bury the whole
    article in one cell, so they are walked like any other container.
    """
    if table.find("table") is not None:
        return None
    rows = []
    for tr in table.find_all("tr"):
        cells = tuple(_collapse(cell.get_text(" ")) for cell in tr.find_all(("th", "td"), recursive=False))
        if any(cells):
            rows.append(cells)
    if max((len(r) for r in rows), default=0) < 2:
        return None
    return tuple(rows)


# --------------------------------------------------------------------------- dispatch

_LOADERS: dict[str, Callable[[bytes], Loaded]] = {
    ".txt": lambda data: _load_decoded(data, "txt", blocks_from_text),
    ".md": lambda data: _load_decoded(data, "md", _blocks_from_markdown),
    ".markdown": lambda data: _load_decoded(data, "md", _blocks_from_markdown),
    ".docx": _load_docx,
    ".pdf": _load_pdf,
    ".html": _load_html,
    ".htm": _load_html,
}
SUPPORTED_SUFFIXES: tuple[str, ...] = tuple(_LOADERS)


def load_file(path: pathlib.Path) -> Loaded:
    """Load one file into blocks; raise LoadError with a one-line reason when it cannot be read."""
    suffix = path.suffix.lower()
    loader = _LOADERS.get(suffix)
    if loader is None:
        raise LoadError(f"unsupported file type {suffix or '(none)'}: supported are {', '.join(SUPPORTED_SUFFIXES)}")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise LoadError(f"cannot read file: {exc.strerror or exc}") from exc
    if not data:
        raise LoadError("empty file")
    return loader(data)
