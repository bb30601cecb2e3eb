"""report.json → one self-contained HTML page (inline CSS, no scripts, no external resources)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from reports.templating import html_environment
from reports.view import build_view


def render_html(report: Mapping[str, Any], lang: str = "zh") -> str:
    return html_environment().get_template("report.html.j2").render(**build_view(report, lang))
