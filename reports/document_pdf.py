"""The case document as PDF: reports/templates/document.html.j2 laid out by WeasyPrint, A4, with
第 N 页 共 M 页 page numbers and its fonts embedded (subsets of the installed CJK font).

A Chinese document needs a Chinese font on the machine; without one the PDF would show empty boxes,
so `render_pdf` says so and writes nothing (Debian: apt-get install fonts-noto-cjk or fonts-wqy-microhei).
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

from reports.document import case_view
from reports.templating import html_environment
from scanner.errors import InputError

# Families tried in order; fontconfig picks the first one installed.
FONTS = '"Noto Sans CJK SC", "Noto Serif CJK SC", "WenQuanYi Micro Hei", "WenQuanYi Zen Hei", "Source Han Sans SC", "DejaVu Sans", sans-serif'


@cache
def has_chinese_font() -> bool:
    """True when fontconfig knows a font covering Chinese."""
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return False
    listed = subprocess.run([fc_list, ":lang=zh", "family"], capture_output=True, text=True, check=False)
    return bool(listed.stdout.strip())


def document_html(report: Mapping[str, Any], lang: str, *, title: str | None = None) -> str:
    view = case_view(report, lang, title=title)
    before, _, rest = view["L"]["page_of"].partition("{page}")
    middle, _, after = rest.partition("{pages}")
    return html_environment().get_template("document.html.j2").render(
        **view, fonts=FONTS, page_label_before=before, page_label_middle=middle, page_label_after=after)


def render_pdf(report: Mapping[str, Any], lang: str, *, title: str | None = None) -> bytes:
    if lang == "zh" and not has_chinese_font():
        raise InputError("pdf", "no Chinese font is installed, so the PDF would show empty boxes; install one "
                         "(Debian: apt-get install fonts-noto-cjk or fonts-wqy-microhei) and render again")
    from weasyprint import HTML

    return HTML(string=document_html(report, lang, title=title)).write_pdf()


def write_pdf(report: Mapping[str, Any], path: Path, lang: str, *, title: str | None = None) -> Path:
    Path(path).write_bytes(render_pdf(report, lang, title=title))
    return Path(path)
