"""The case document as Word (.docx), written with python-docx from the same arrangement as the PDF.

With a template (`--docx-template FILE.docx`) the document starts from that file: its letterhead,
headers, footers, page setup and styles stay, its body is replaced by the report. Without one a
plain A4 document is used. The footer gets 第 N 页 共 M 页 as Word fields unless the template has a
footer of its own.
"""

from __future__ import annotations

import zipfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from reports.document import case_view
from scanner.errors import InputError

EAST_ASIAN_FONT = "SimSun"  # 宋体: what Chinese Word installs have; LibreOffice substitutes a CJK font


def check_template(path: Path) -> None:
    """InputError unless `path` is a Word document python-docx can open."""
    from docx import Document
    from docx.opc.exceptions import PackageNotFoundError

    if not Path(path).is_file():
        raise InputError(str(path), "no such template file")
    try:
        Document(str(path))
    except (zipfile.BadZipFile, PackageNotFoundError, KeyError, ValueError) as exc:
        raise InputError(str(path), f"not a Word .docx template ({type(exc).__name__}: {exc})") from None


def _start(template: Path | None) -> Any:
    from docx import Document
    from docx.oxml.ns import qn
    from docx.shared import Mm, Pt

    document = Document(str(template)) if template else Document()
    body = document.element.body
    for child in list(body):
        if child.tag != qn("w:sectPr"):  # the template's own text goes; its section (page, header, footer) stays
            body.remove(child)
    normal = document.styles["Normal"]
    if template is None:  # python-docx's own default is US Letter; a Chinese office prints A4
        normal.font.size = Pt(10.5)
        section = document.sections[0]
        section.page_width, section.page_height = Mm(210), Mm(297)
        section.left_margin = section.right_margin = Mm(20)
        section.top_margin = section.bottom_margin = Mm(20)
    rpr = normal.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.append(fonts)
    fonts.set(qn("w:eastAsia"), EAST_ASIAN_FONT)
    return document


def _field(paragraph: Any, instruction: str) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    simple = OxmlElement("w:fldSimple")
    simple.set(qn("w:instr"), instruction)
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "1"
    run.append(text)
    simple.append(run)
    paragraph._p.append(simple)


def _page_numbers(document: Any, page_of: str) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    footer = document.sections[0].footer
    if any(p.text.strip() for p in footer.paragraphs):
        return  # the office's own footer wins
    paragraph = footer.paragraphs[0] if footer.paragraphs else footer.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    before, _, rest = page_of.partition("{page}")
    middle, _, after = rest.partition("{pages}")
    paragraph.add_run(before)
    _field(paragraph, "PAGE")
    paragraph.add_run(middle)
    _field(paragraph, "NUMPAGES")
    paragraph.add_run(after)


TABLE_POINTS = 9  # table text a size below the body's, as in the PDF
KEY_SHARE = 0.28  # a key–value table's key column, of the text width
KEEP_ROWS = 8  # tables up to this many rows are kept on one page, as in the PDF


def _table(document: Any, headers: Sequence[str] | None, rows: Sequence[Sequence[str]],
           shares: Sequence[float] = ()) -> None:
    """A grid table, its columns `shares` of the text width when given; without headers it is a
    key–value table with a narrow key column."""
    from docx.oxml import OxmlElement
    from docx.shared import Pt

    columns = len(headers) if headers else len(rows[0]) if rows else 0
    if not columns:
        return
    table = document.add_table(rows=0, cols=columns)
    if "Table Grid" in [s.name for s in document.styles]:
        table.style = "Table Grid"
    if headers:
        cells = table.add_row().cells
        for cell, text in zip(cells, headers):
            cell.paragraphs[0].add_run(str(text)).bold = True
    for row in rows:
        for cell, text in zip(table.add_row().cells, row):
            cell.paragraphs[0].add_run(str(text) if text not in (None, "") else "—")
    keep_together = len(table.rows) <= KEEP_ROWS
    for number, row in enumerate(table.rows):
        properties = row._tr.get_or_add_trPr()
        properties.append(OxmlElement("w:cantSplit"))  # a row never breaks across pages
        if headers and number == 0:
            properties.append(OxmlElement("w:tblHeader"))  # the header row repeats on each page
        for cell in row.cells:
            for paragraph in cell.paragraphs:
                # a short table stays on one page: each row keeps with the next
                paragraph.paragraph_format.keep_with_next = keep_together and number < len(table.rows) - 1
                for run in paragraph.runs:
                    run.font.size = Pt(TABLE_POINTS)
    if not shares and headers is None and columns == 2:
        shares = (KEY_SHARE, 1 - KEY_SHARE)
    if len(shares) == columns:
        section = document.sections[-1]
        width = section.page_width - section.left_margin - section.right_margin
        table.autofit = False
        for column, share in zip(table.columns, shares):
            column.width = int(width * share)  # the grid, which LibreOffice reads
            for cell in column.cells:
                cell.width = int(width * share)  # each cell, which Word reads


def _title(document: Any, text: str) -> None:
    """The cover's title, formatted directly: templates' Title styles differ too much to rely on."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    paragraph = document.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.paragraph_format.space_before = Pt(96)
    paragraph.paragraph_format.space_after = Pt(30)
    run = paragraph.add_run(text)
    run.bold = True
    run.font.size = Pt(20)


def _heading(document: Any, text: str, level: int) -> None:
    names = [s.name for s in document.styles]
    if f"Heading {level}" in names:
        document.add_heading(text, level=level)
    else:  # a template without heading styles: bold text instead
        document.add_paragraph().add_run(text).bold = True


def render_docx(report: Mapping[str, Any], path: Path, lang: str, *, template: Path | None = None,
                title: str | None = None) -> Path:
    from docx.enum.text import WD_BREAK
    from docx.shared import Pt

    view = case_view(report, lang, title=title)
    L = view["L"]
    document = _start(template)
    _title(document, view["title"])
    cover: list[tuple[str, str]] = []
    for t in view["targets"]:
        cover.append((L["target"], t["label"] + (f"（{t['package']} {t['version']}）" if t["package"] else "")))
        if t["company"]:
            cover.append((L["company"], t["company"]))
        if t["region"]:
            cover.append((L["region"], t["region"]))
    cover += [(L["date"], view["date"]), (L["tool"], f"{view['tool_name']} {view['tool_version']}"),
              (L["ruleset"], view["ruleset_sha256"]), (L["rule_versions"], view["rules_versions"]),
              (L["inputs"], "\n".join(f"{uri}\nsha256 {sha}" for t in view["targets"] for uri, sha in t["inputs"]))]
    _table(document, None, cover)
    if view["scale"]:
        document.add_paragraph(f"{L['scale_title']}：{view['scale']}")
    document.add_paragraph(f"{L['auditor']}：＿＿＿＿＿＿＿＿　　{L['date']}：＿＿＿＿＿＿＿＿")
    if len(view["targets"]) > 1:
        document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
        _heading(document, L["summary_ranked"], 1)
        _table(document, [L["rank"], L["label"], L["company"], L["grade"], L["coverage"], L["fails"], L["worst"]],
               [[str(i), t["label"], t["company"] or "—", t["grade"], t["coverage"]["percent"] if t["coverage"] else "—",
                 str(sum(t["fail_counts"].values())), "\n".join(f["title"] for f in t["worst"]) or "—"]
                for i, t in enumerate(view["targets"], 1)], shares=(0.06, 0.18, 0.14, 0.09, 0.09, 0.09, 0.35))
    for number, t in enumerate(view["targets"], 1):
        document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
        _heading(document, f"{number}. {t['label']}", 1)
        _heading(document, L["summary_title"], 2)
        document.add_paragraph(t["summary_text"])
        if t["coverage"] and t["coverage"]["gaps"]:
            _heading(document, L["gaps"], 3)
            for gap in t["coverage"]["gaps"]:
                document.add_paragraph(f"{L['gap_reason']}：{gap['reason']}\n{L['gap_remedy']}：{gap['remedy']}")
        _heading(document, L["findings"], 2)
        if not t["ordered"]:
            document.add_paragraph(L["no_violations"] if t["undecided"] else L["no_findings"])
        for index, f in enumerate(t["ordered"], 1):
            _heading(document, f"{index}. {f['title']}（{f['outcome_label']} · {L['severity']}{f['severity_label']} · "
                               f"{L['confidence']}{f['confidence_label']}）", 3)
            document.add_paragraph(f["message"]).paragraph_format.keep_with_next = True  # with its evidence
            if f["waiver_reason"]:
                document.add_paragraph(f"{L['waiver_reason']}：{f['waiver_reason']}").paragraph_format.keep_with_next = True
            if f["evidence"]:
                _table(document, [L["evidence_sentence"], L["location"], L["snippet"]],
                       [[ev["sentence"] + "".join(f"\n{n}. {step}" for n, step in enumerate(ev["path"], 1))
                         + (f"\n{L['why']}：{ev['why']}" if ev["why"] else ""), ev["location"], ev["snippet"]]
                        for ev in f["evidence"]])
            if f["basis"]:
                basis = document.add_paragraph()
                basis.paragraph_format.space_before = Pt(6)  # clear of the evidence table above
                basis.add_run(L["legal_basis"]).bold = True
                joiner = "；" if lang == "zh" else "; "
                basis.add_run("：" + joiner.join(
                    b["cite"] + (L["ref_mark"].format(ref=b["ref"]) if b["words"] else "") for b in f["basis"]))
                if any(b["words"] for b in f["basis"]):
                    basis.add_run(f"（{L['article_ref']}）")
            if f["remediation"]:
                document.add_paragraph(f"{L['remediation']}：{f['remediation']}")
            if f["outcome"] == "FAIL":
                document.add_paragraph(f"{L['reply_deadline']}：{L['reply_deadline_blank']}")
        if t["undecided"]:
            _heading(document, L["undecided_title"], 2)
            _table(document, [L["title"], L["message"]], [[f"{f['title']}（{f['rule_id']}）", f["message"]] for f in t["undecided"]])
        document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
        _heading(document, L["appendix"], 2)
        for cert in t["certificates"]:
            _heading(document, L["signing"], 3)
            _table(document, None, [(L["subject"], cert["subject"]), (L["issuer"], cert["issuer"]), (L["sha256"], cert["sha256"])])
        for info in t["app_info"]:
            _heading(document, L["app_info"], 3)
            _table(document, None, [(L["package"], info["package"]), *info["fields"]])
        for section in t["facts"]:
            _heading(document, section["title"], 3)
            _table(document, section["headers"], [row["cells"] for row in section["rows"]])
    cited = [a for a in view["articles"] if a["words"]]
    if cited:
        document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
        _heading(document, L["articles_title"], 1)
        for a in cited:
            _heading(document, f"{L['ref_mark'].format(ref=a['ref'])} {a['cite']}", 3)
            document.add_paragraph(a["about"] + ("" if a["verbatim"] else f" · {a['words_label']}"))
            for paragraph in a["paragraphs"]:
                document.add_paragraph(paragraph)
    _page_numbers(document, L["page_of"])
    document.save(str(path))
    return Path(path)
