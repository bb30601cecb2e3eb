"""report.json → Markdown, in the same order as the HTML report."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from reports.templating import markdown_environment
from reports.view import build_view


def render_markdown(report: Mapping[str, Any], lang: str = "zh") -> str:
    return markdown_environment().get_template("report.md.j2").render(**build_view(report, lang))
