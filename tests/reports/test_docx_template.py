"""An office's own Word template: its letterhead (header), footer and page setup stay, its body text
goes, the case document fills it; anything that is not a .docx is refused in one line."""

from __future__ import annotations

from pathlib import Path

import pytest
from docx import Document
from docx.shared import Mm
from support.sample_report import sample_report

from reports import write_documents
from reports.document_docx import check_template
from scanner.errors import InputError

LETTERHEAD = "某市人民检察院"


@pytest.fixture
def template(tmp_path: Path) -> Path:
    document = Document()
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.header.paragraphs[0].text = LETTERHEAD
    section.footer.paragraphs[0].text = "内部文件"
    document.add_paragraph("（此处为模板正文）")
    path = tmp_path / "letterhead.docx"
    document.save(str(path))
    return path


def test_the_template_keeps_its_letterhead_and_loses_its_body(tmp_path: Path, template: Path) -> None:
    path = write_documents(sample_report(), tmp_path / "out", "docx", docx_template=template)[0]
    written = Document(str(path))
    assert written.sections[0].header.paragraphs[0].text == LETTERHEAD
    assert written.sections[0].footer.paragraphs[0].text == "内部文件"  # the office's footer wins over page numbers
    body = "\n".join(p.text for p in written.paragraphs)
    assert "（此处为模板正文）" not in body and "《个人信息保护法》第二十九条" in body


def test_a_file_that_is_not_a_word_document_is_refused(tmp_path: Path) -> None:
    bogus = tmp_path / "letterhead.docx"
    bogus.write_text("not a document", encoding="utf-8")
    with pytest.raises(InputError, match="not a Word .docx template"):
        check_template(bogus)
    with pytest.raises(InputError, match="no such template file"):
        check_template(tmp_path / "absent.docx")
