"""Tests for ingest.loaders: every format, every encoding, every refusal, with fixtures built here."""

from __future__ import annotations

import io
import pathlib
import zipfile

import pytest

from ingest import loaders
from ingest.loaders import SUPPORTED_SUFFIXES, Loaded, LoadError, blocks_from_text, decode_text, load_file
from ingest.records import Block

REPO = pathlib.Path(__file__).resolve().parents[2]
GUIDELINE = REPO / "corpus" / "jiangsu-platform-economy-guideline.txt"
CJK_FONT = pathlib.Path("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc")  # Debian: fonts-wqy-zenhei
needs_cjk_font = pytest.mark.skipif(
    not CJK_FONT.exists(), reason=f"{CJK_FONT} missing: apt-get install -y fonts-wqy-zenhei"
)

HEADER = ("序号", "工作任务", "责任部门")
ROW1 = ("1", "建立健全工作协调推进机制，成立互联网平台经济工作推进小组", "省发展改革委、经济和信息化委、科技厅、财政厅、商务厅、金融办等")
ROW2 = ("2", "提升发展大宗商品互联网交易平台，推动传统产业转型", "省经济和信息化委、商务厅等")


def P(text: str) -> Block:
    return Block("para", text=text)


def T(*rows: tuple[str, ...], title: str = "") -> Block:
    return Block("table", rows=rows, title=title)


def write(tmp_path: pathlib.Path, name: str, data: bytes | str) -> pathlib.Path:
    path = tmp_path / name
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return path


# --------------------------------------------------------------------------- encodings

SIMPLIFIED = [  # short GBK samples: two or three sentences, where detectors are weakest
    "省政府关于加快互联网平台经济发展的指导意见。各市、县（市、区）人民政府：",
    "建立健全工作协调推进机制。成立互联网平台经济工作推进小组。",
    "促进居民消费升级。",
    "（一）指导思想。深入贯彻党的十八大精神，抢抓互联网和大数据发展机遇。",
]
TRADITIONAL = [  # short Big5 samples; "促進居民消費升級。" alone is read as Shift_JIS by charset-normalizer
    "省政府關於加快互聯網平台經濟發展的指導意見。各市、縣（市、區）人民政府：",
    "促進居民消費升級。",
    "第一條 為了規範政府資訊公開工作，制定本辦法。第二條 本辦法適用於本市各級行政機關。",
    "行政院為推動數位轉型，訂定本計畫。各機關應配合辦理。",
]


@pytest.mark.parametrize("text", SIMPLIFIED)
def test_decode_short_gbk_as_gb18030(text: str) -> None:
    assert decode_text(text.encode("gbk")) == (text, "gb18030")


@pytest.mark.parametrize("text", TRADITIONAL)
def test_decode_short_big5(text: str) -> None:
    assert decode_text(text.encode("big5")) == (text, "big5")


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ("一、总体要求".encode(), ("一、总体要求", "utf-8")),
        (b"\xef\xbb\xbf" + "一、总体要求".encode(), ("一、总体要求", "utf-8-sig")),
        ("一、总体要求".encode("utf-16"), ("一、总体要求", "utf-16")),  # Notepad "Unicode", with BOM
        ("第一条 本办法自发布之日起施行。".encode("gb18030"), ("第一条 本办法自发布之日起施行。", "gb18030")),
    ],
)
def test_decode_text(data: bytes, expected: tuple[str, str]) -> None:
    assert decode_text(data) == expected


def test_gbk_file(tmp_path: pathlib.Path) -> None:
    text = "省政府关于加快互联网平台经济发展的指导意见\r\n一、总体要求\r\n促进居民消费升级。\r\n"
    loaded = load_file(write(tmp_path, "gbk.txt", text.encode("gbk")))
    assert loaded == Loaded(
        (P("省政府关于加快互联网平台经济发展的指导意见"), P("一、总体要求"), P("促进居民消费升级。")), "txt", "gb18030"
    )


def test_big5_file(tmp_path: pathlib.Path) -> None:
    text = "行政院公告\n第一條 為了規範政府資訊公開工作，制定本辦法。\n第二條 本辦法適用於本市各級行政機關。\n"
    loaded = load_file(write(tmp_path, "big5.txt", text.encode("big5")))
    assert loaded == Loaded(
        (P("行政院公告"), P("第一條 為了規範政府資訊公開工作，制定本辦法。"), P("第二條 本辦法適用於本市各級行政機關。")),
        "txt",
        "big5",
    )


# --------------------------------------------------------------------------- text normalisation


def test_utf8_bom_crlf_and_unicode_spaces(tmp_path: pathlib.Path) -> None:
    text = (
        "\ufeff\u3000\u3000各市、县（市、区）人民政府：\r\n"
        "\u3000\u3000\r\n"  # an all-space line is blank
        "\u00a0（一）指导思想。\u3000\r\n"
        "\r\n"
        "1﹒市场主导、创新发展\u2003\r"  # old Mac CR line end, em space at the end
        "\t——促进融合。\u00a0"
    )
    loaded = load_file(write(tmp_path, "bom.txt", text.encode("utf-8")))
    assert loaded == Loaded(
        (P("各市、县（市、区）人民政府："), P("（一）指导思想。"), P("1﹒市场主导、创新发展"), P("——促进融合。")),
        "txt",
        "utf-8-sig",
    )


def test_inner_spaces_and_punctuation_are_kept() -> None:
    assert blocks_from_text("第一条\u3000为了规范 政府信息（１）﹒\n") == (P("第一条\u3000为了规范 政府信息（１）﹒"),)


# --------------------------------------------------------------------------- text tables


def test_guideline_task_table() -> None:
    loaded = load_file(GUIDELINE)
    assert (loaded.format, loaded.encoding) == ("txt", "utf-8")
    tables = [b for b in loaded.blocks if b.kind == "table"]
    assert len(tables) == 1
    table = tables[0]
    assert loaded.blocks[-1] is table  # the trailing " " line is blank, not a paragraph
    assert table.title == "重点任务分工表"
    assert len(table.rows) == 15
    assert table.rows[0] == HEADER
    assert table.rows[1] == ROW1
    assert table.rows[14] == ("14", "建立健全平台经济社会信用体系和信用评价制度", "省经济和信息化委、工商局、质监局等")
    assert all(len(row) == 3 for row in table.rows)
    assert P("重点任务分工表") not in loaded.blocks  # consumed as the title
    assert loaded.blocks[:2] == (P("省政府关于加快互联网"), P("平台经济发展的指导意见"))
    assert loaded.blocks[-2].text.startswith("（五）开展平台经济统计监测和标准信用体系建设。")
    assert len(loaded.blocks) == 44


def test_tab_table_keeps_ragged_rows_and_prose_after() -> None:
    text = "附表：任务清单\n\t序号\n\t任务\n\n\t1\n\t甲任务\n\t备注\n\n\t2\n\n正文继续。\n"
    assert blocks_from_text(text) == (
        T(("序号", "任务"), ("1", "甲任务", "备注"), ("2",), title="附表：任务清单"),
        P("正文继续。"),
    )


@pytest.mark.parametrize(
    "text",
    [
        "\t第一段正文，前面有制表符缩进。\n\n\t第二段正文。\n",  # one-cell "header": indented prose
        "\t短行一\n\t短行二\n正文。\n",  # a single group is not a table
    ],
)
def test_tab_indented_prose_is_not_a_table(text: str) -> None:
    assert all(b.kind == "para" for b in blocks_from_text(text))


def test_title_needs_to_look_like_a_caption() -> None:
    text = "各部门按下表分工落实，并报送进展情况表。\n\t序号\n\t任务\n\n\t1\n\t甲\n"
    assert blocks_from_text(text) == (
        P("各部门按下表分工落实，并报送进展情况表。"),
        T(("序号", "任务"), ("1", "甲")),
    )


# --------------------------------------------------------------------------- markdown

MARKDOWN = """\
# 省政府关于加快互联网平台经济发展的指导意见

## 一、总体要求 ##

- 市场主导、创新发展。
* 促进融合、统筹发展。

---

重点任务分工表

| 序号 | 工作任务 | 责任部门 |
|:----:|----------|----------|
| 1 | 建立健全工作协调推进机制，成立互联网平台经济工作推进小组 | 省发展改革委、经济和信息化委、科技厅、财政厅、商务厅、金融办等 |
| 2 | 提升发展大宗商品互联网交易平台，推动传统产业转型 | 省经济和信息化委、商务厅等 |

说明：a \\| b 不是表格。
"""


def test_markdown(tmp_path: pathlib.Path) -> None:
    loaded = load_file(write(tmp_path, "guide.md", MARKDOWN))
    assert loaded == Loaded(
        (
            Block("para", text="省政府关于加快互联网平台经济发展的指导意见", level=1),
            Block("para", text="一、总体要求", level=2),
            P("市场主导、创新发展。"),
            P("促进融合、统筹发展。"),
            T(HEADER, ROW1, ROW2, title="重点任务分工表"),
            P("说明：a \\| b 不是表格。"),
        ),
        "md",
        "utf-8",
    )
    assert load_file(write(tmp_path, "guide.markdown", MARKDOWN)).blocks == loaded.blocks


def test_markdown_law_front_matter_and_comments() -> None:
    """A law export: the lines before "<!-- INFO END -->" are front matter; comments are dropped."""
    text = ("# 快递暂行条例\n\n2018年3月2日 中华人民共和国国务院令第697号公布\n\n<!-- INFO END -->\n\n"
            "## 第一章 总则\n\n<!-- FORCE\nBREAK -->\n第一条 为促进快递业健康发展，制定本条例。<!-- x -->\n")
    assert loaders._blocks_from_markdown(text) == (
        Block("para", text="快递暂行条例", level=1),
        Block("para", text="2018年3月2日 中华人民共和国国务院令第697号公布", front=True),
        Block("para", text="第一章 总则", level=2),
        P("第一条 为促进快递业健康发展，制定本条例。"),
    )


def test_markdown_table_without_caption() -> None:
    assert loaders._blocks_from_markdown("前言。\n\n|a|b|\n|---|---|\n|1|2|\n") == (
        P("前言。"),
        T(("a", "b"), ("1", "2")),
    )


# --------------------------------------------------------------------------- html

HTML = """<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>网页标题不应出现</title>
<style>p { color: red }</style></head>
<body>
<script>var secret = "脚本内容不应出现";</script>
<noscript>请启用脚本</noscript>
<!-- 注释不应出现 -->
<h1>省政府关于加快互联网
平台经济发展的指导意见</h1>
<div class="content">
<p>&#12288;&#12288;各市、县（市、区）人民政府：<br>省各委办厅局：</p>
<ul><li>市场主导、<b>创新</b>发展。</li><li>Internet   plus   行动</li></ul>
<p>重点任务分工表</p>
<table border="1">
<tr><th>序号</th><th>工作任务</th><th>责任部门</th></tr>
<tr><td>1</td><td>建立健全工作协调推进机制，成立互联网平台经济工作推进小组</td>
<td>省发展改革委、经济和信息化委、科技厅、财政厅、商务厅、金融办等</td></tr>
<tr><td>2</td><td><p>提升发展大宗商品互联网交易平台，推动传统产业转型</p></td><td>省经济和信息化委、商务厅等</td></tr>
</table>
<table><caption>附表2 资金安排表</caption><tr><td>项目</td><td>金额</td></tr></table>
<table><tr><td><p>布局表格里的正文。</p></td></tr></table>
</div>
</body></html>
"""


def test_html(tmp_path: pathlib.Path) -> None:
    loaded = load_file(write(tmp_path, "page.html", HTML))
    assert loaded == Loaded(
        (
            P("省政府关于加快互联网平台经济发展的指导意见"),
            P("各市、县（市、区）人民政府："),
            P("省各委办厅局："),
            P("市场主导、创新发展。"),
            P("Internet plus 行动"),
            T(HEADER, ROW1, ROW2, title="重点任务分工表"),
            T(("项目", "金额"), title="附表2 资金安排表"),
            P("布局表格里的正文。"),
        ),
        "html",
        "utf-8",
    )
    everything = repr(loaded)
    for hidden in ("脚本", "secret", "网页标题", "color", "请启用", "注释"):
        assert hidden not in everything


def test_html_meta_charset_gbk(tmp_path: pathlib.Path) -> None:
    html = '<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312"></head><body><p>促进居民消费升级。</p></body></html>'
    loaded = load_file(write(tmp_path, "gbk.htm", html.encode("gbk")))
    assert loaded == Loaded((P("促进居民消费升级。"),), "html", "gb18030")


def test_html_stale_meta_charset_loses_to_valid_utf8(tmp_path: pathlib.Path) -> None:
    html = '<meta charset="gb2312"><p>促进居民消费升级。</p>'
    assert load_file(write(tmp_path, "resaved.html", html)).blocks == (P("促进居民消费升级。"),)


# --------------------------------------------------------------------------- docx


def make_docx(path: pathlib.Path) -> pathlib.Path:
    import docx

    document = docx.Document()
    document.add_heading("省政府关于加快互联网平台经济发展的指导意见", level=0)
    document.add_paragraph("各市、县（市、区）人民政府：")
    document.add_heading("一、总体要求", level=1)
    paragraph = document.add_paragraph("（一）指导思想。")
    paragraph.add_run().add_break()  # a soft line break inside one paragraph
    paragraph.add_run("深入贯彻党的十八大精神。")
    document.add_paragraph("\u3000\u3000")  # blank
    document.add_paragraph("重点任务分工表")
    table = document.add_table(rows=3, cols=3)
    for row, values in zip(table.rows, (HEADER, ROW1, ROW2)):
        for cell, value in zip(row.cells, values):
            cell.text = value
    document.add_paragraph("二、保障措施")
    document.save(path)
    return path


def test_docx(tmp_path: pathlib.Path) -> None:
    loaded = load_file(make_docx(tmp_path / "guide.docx"))
    assert loaded == Loaded(
        (
            P("省政府关于加快互联网平台经济发展的指导意见"),
            P("各市、县（市、区）人民政府："),
            P("一、总体要求"),
            P("（一）指导思想。"),
            P("深入贯彻党的十八大精神。"),
            T(HEADER, ROW1, ROW2, title="重点任务分工表"),
            P("二、保障措施"),
        ),
        "docx",
        "binary",
    )


def test_docx_merged_cells_are_not_repeated(tmp_path: pathlib.Path) -> None:
    import docx

    document = docx.Document()
    table = document.add_table(rows=3, cols=3)
    for cell, value in zip(table.rows[0].cells, ("项目", "金额", "备注")):
        cell.text = value
    merged = table.cell(1, 0).merge(table.cell(1, 1))
    merged.text = "合计"
    table.cell(1, 2).text = "万元"
    for cell, value in zip(table.rows[2].cells, ("甲", "第一行\n第二行", "")):
        cell.text = value
    document.save(tmp_path / "merged.docx")
    assert load_file(tmp_path / "merged.docx").blocks == (
        T(("项目", "金额", "备注"), ("合计", "万元"), ("甲", "第一行 第二行", "")),
    )


# --------------------------------------------------------------------------- pdf


def make_pdf(paragraphs: list[tuple[str, str]], *, footer: bool = False) -> bytes:
    """Paragraphs as (align, text); long ones wrap at the page width like a real export."""
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_font("zh", fname=str(CJK_FONT))
    pdf.set_font("zh", size=12)
    if footer:

        def page_number() -> None:
            pdf.set_y(-15)
            pdf.cell(0, 10, f"- {pdf.page_no()} -", align="C")

        pdf.footer = page_number  # type: ignore[method-assign]
    pdf.add_page()
    for align, text in paragraphs:
        if align == "break":
            pdf.set_y(float(text))  # push the next paragraph across the page break
            continue
        pdf.multi_cell(w=0, text=text, align=align, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


LONG = (
    "深入贯彻党的十八大、十八届三中四中全会和习近平总书记视察江苏重要讲话精神，抢抓互联网和大数据发展机遇，"
    "着力推进“互联网+”行动计划，2015年平台交易额增长15%以上，培育一批平台企业。"
)
ACROSS = (
    "——促进融合、统筹发展。充分发挥平台企业的综合优势，以需求为导向，有效配置市场资源，培育发展新型业态，"
    "强化平台经济对上下游产业的带动作用，推动平台经济与实体经济深度融合"
)


@needs_cjk_font
def test_pdf(tmp_path: pathlib.Path) -> None:
    data = make_pdf(
        [
            ("C", "省政府关于加快互联网平台经济发展的指导意见"),
            ("L", "一、总体要求"),
            ("L", LONG),
            ("L", "（一）指导思想。"),
            ("L", "1﹒市场主导、创新发展"),
            ("break", "272"),
            ("L", ACROSS),
            ("L", "（二）基本原则。"),
        ],
        footer=True,
    )
    loaded = load_file(write(tmp_path, "guide.pdf", data))
    assert loaded == Loaded(
        (
            P("省政府关于加快互联网平台经济发展的指导意见"),
            P("一、总体要求"),
            P(LONG),
            P("（一）指导思想。"),
            P("1﹒市场主导、创新发展"),
            P(ACROSS),  # rejoined across the page break; "- 1 -" dropped
            P("（二）基本原则。"),
        ),
        "pdf",
        "binary",
    )


@needs_cjk_font
def test_pdf_with_empty_user_password_opens(tmp_path: pathlib.Path) -> None:
    import pypdf

    writer = pypdf.PdfWriter(clone_from=io.BytesIO(make_pdf([("L", "（一）指导思想。")])))
    writer.encrypt(user_password="", owner_password="owner-only")
    out = io.BytesIO()
    writer.write(out)
    assert load_file(write(tmp_path, "restricted.pdf", out.getvalue())).blocks == (P("（一）指导思想。"),)


def blank_pdf(password: str | None = None) -> bytes:
    import pypdf

    writer = pypdf.PdfWriter()
    writer.add_blank_page(width=595, height=842)
    if password:
        writer.encrypt(password)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_join_wrapped_lines() -> None:
    full = "一" * 20
    assert loaders._join_wrapped_lines(["标题", full[:-1] + "二", "接续。", "一、总体要求", full, "（一）新条目", "短行", "下一行"]) == [
        "标题",
        full[:-1] + "二接续。",
        "一、总体要求",
        full,
        "（一）新条目",
        "短行",
        "下一行",
    ]


# --------------------------------------------------------------------------- refusals


def zip_bytes(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return out.getvalue()


CFB = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
UNSUPPORTED = "supported are .txt, .md, .markdown, .docx, .pdf, .html, .htm"


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("empty.txt", b"", "empty file"),
        ("empty.docx", b"", "empty file"),
        ("spaces.txt", " \r\n\t\n", "empty file"),
        ("fullwidth.md", "\ufeff\u3000\u3000\n\u00a0\n".encode(), "empty file"),
        ("rule-only.md", "---\n", "empty file"),
        ("spaces.html", "<html><body> <p>\u3000</p><script>x()</script></body></html>", "empty file"),
        ("nul.txt", bytes(range(256)) * 4, "binary file, not text"),
        ("random.txt", b"\x89PNG\r\n\x1a\n" + b"\x00\x01\x02\xfe\xff" * 50, "binary file, not text"),
        ("controls.txt", bytes(range(1, 9)) * 20, "binary file, not text"),
        ("random.docx", b"\x8f\x13\x00\xaa junk " * 20, "corrupt DOCX (not a zip archive)"),
        (
            "locked.docx",
            CFB + b"\x00" * 100 + "EncryptionInfo".encode("utf-16-le") + b"\x17junk" * 50,
            "encrypted or password-protected DOCX: save it without a password",
        ),
        ("old.docx", CFB + b"\x00WordDocument junk" * 30, "legacy Word .doc file named .docx: save it as .docx"),
        ("random.pdf", b"%PDF-1.7\n garbage \x00\x01", None),  # pypdf's own words: checked by prefix below
        ("encrypted.pdf", blank_pdf("secret"), "encrypted PDF: remove the password and re-export"),
        ("blank.pdf", blank_pdf(), "PDF has no text layer (scanned image?): OCR it first"),
        ("sheet.xlsx", zip_bytes({"[Content_Types].xml": b"<Types/>"}), f"unsupported file type .xlsx: {UNSUPPORTED}"),
        ("README", b"text", f"unsupported file type (none): {UNSUPPORTED}"),
    ],
)
def test_refusals(tmp_path: pathlib.Path, name: str, data: bytes | str, message: str | None) -> None:
    with pytest.raises(LoadError) as raised:
        load_file(write(tmp_path, name, data))
    if message is None:
        assert str(raised.value).startswith("corrupt PDF (")
    else:
        assert str(raised.value) == message


def test_zip_that_is_not_a_docx(tmp_path: pathlib.Path) -> None:
    with pytest.raises(LoadError, match=r"^corrupt DOCX \(.*\[Content_Types\]\.xml.*\)$"):
        load_file(write(tmp_path, "other.docx", zip_bytes({"hello.txt": b"hello"})))


def test_unreadable_path(tmp_path: pathlib.Path) -> None:
    with pytest.raises(LoadError, match=r"^cannot read file: "):
        load_file(tmp_path / "missing.txt")


def test_zip_bomb_by_size(tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The real limit is 200 MB; lower it so the test writes a few megabytes, not hundreds.
    monkeypatch.setattr(loaders, "MAX_DOCX_UNCOMPRESSED", 1_000_000)
    path = tmp_path / "bomb.docx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", b"<Types/>")
        with zf.open("word/document.xml", "w") as member:
            for _ in range(4):
                member.write(b"\0" * 1_000_000)
    with pytest.raises(LoadError) as raised:
        load_file(path)
    assert str(raised.value) == (
        "suspicious DOCX: members expand to 4,000,008 bytes, over the 1,000,000 limit (possible zip bomb)"
    )


def test_zip_bomb_by_ratio(tmp_path: pathlib.Path) -> None:
    path = write(tmp_path, "ratio.docx", zip_bytes({"word/document.xml": b"\0" * 3_000_000}))
    with zipfile.ZipFile(path) as zf:
        (info,) = zf.infolist()
    ratio = info.file_size // info.compress_size
    assert ratio > loaders.MAX_DOCX_RATIO
    with pytest.raises(LoadError) as raised:
        load_file(path)
    assert str(raised.value) == f"suspicious DOCX: compression ratio {ratio:,}:1, over 200:1 (possible zip bomb)"


def test_supported_suffixes() -> None:
    assert SUPPORTED_SUFFIXES == (".txt", ".md", ".markdown", ".docx", ".pdf", ".html", ".htm")


def test_suffix_is_case_insensitive(tmp_path: pathlib.Path) -> None:
    assert load_file(write(tmp_path, "NOTICE.TXT", "第一条 总则。")).blocks == (P("第一条 总则。"),)
