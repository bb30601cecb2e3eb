"""Reporters: each renders the report.json document (what `Report.to_dict()` returns) and computes nothing.

    render("html", report, lang="en")           -> str (json, html, md, sarif)
    write_reports(report, out_dir, ["json", "html", "pdf"]) -> [out_dir/report.json, …, out_dir/report.pdf]
    validate_report(report)                      raises jsonschema.ValidationError
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema

from reports.html_report import render_html
from reports.json_report import render_json
from reports.markdown_report import render_markdown
from reports.sarif_report import render_sarif
from reports.view import LANGS
from scanner.errors import InputError

FORMATS = ("json", "html", "md", "sarif")  # rendered as text by `render`
DOCUMENT_FORMATS = ("docx", "pdf")  # binary case documents: one for the run, and one per target when there are several
SCHEMA_PATH = Path(__file__).parent / "report.schema.json"

Renderer = Callable[[Mapping[str, Any], str], str]
_RENDERERS: dict[str, Renderer] = {
    "json": lambda report, _lang: render_json(report),  # the document carries its own lang
    "html": render_html,
    "md": render_markdown,
    "sarif": render_sarif,
}
FILE_NAMES = {"json": "report.json", "html": "report.html", "md": "report.md", "sarif": "report.sarif"}


@cache
def _validator() -> jsonschema.protocols.Validator:
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    validator_class = jsonschema.validators.validator_for(schema)
    validator_class.check_schema(schema)
    return validator_class(schema)


def validate_report(report: Mapping[str, Any]) -> None:
    """Raise jsonschema.ValidationError (the most relevant one) if `report` breaks report.schema.json."""
    error = jsonschema.exceptions.best_match(_validator().iter_errors(report))
    if error is not None:
        raise error


def _check_choice(fmt: str, lang: str) -> None:
    if fmt not in _RENDERERS and fmt not in DOCUMENT_FORMATS:
        raise InputError(fmt, f"unknown report format; choose from {', '.join((*FORMATS, *DOCUMENT_FORMATS))}")
    if lang not in LANGS:
        raise InputError(lang, f"unknown report language; choose from {', '.join(LANGS)}")


def render(fmt: str, report: Mapping[str, Any], *, lang: str = "zh") -> str:
    """One document as text. `report` must be valid (see validate_report)."""
    _check_choice(fmt, lang)
    if fmt in DOCUMENT_FORMATS:
        raise InputError(fmt, "is a binary case document, not text; write it with write_reports or write_documents")
    return _RENDERERS[fmt](report, lang)


def write_reports(report: Mapping[str, Any], out_dir: Path, formats: Iterable[str], *,
                  lang: str = "zh", docx_template: Path | None = None) -> list[Path]:
    """Validate once, render every format, then write OUT/report.<ext>. Nothing is written when
    validation or rendering fails, so a bad document never leaves a partial set behind."""
    formats = list(dict.fromkeys(formats))
    for fmt in formats:
        _check_choice(fmt, lang)
    validate_report(report)
    texts = {fmt: render(fmt, report, lang=lang) for fmt in formats if fmt in _RENDERERS}
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for fmt, text in texts.items():
        path = out_dir / FILE_NAMES[fmt]
        path.write_text(text, encoding="utf-8")
        written.append(path)
    for fmt in (f for f in formats if f in DOCUMENT_FORMATS):
        written += write_documents(report, out_dir, fmt, lang=lang, docx_template=docx_template)
    return written


def write_documents(report: Mapping[str, Any], out_dir: Path, fmt: str, *, lang: str = "zh",
                    docx_template: Path | None = None, name: str = "report") -> list[Path]:
    """OUT/<name>.docx|pdf for the whole document and, when it has several targets, one case document
    per target in OUT/cases/<target id>.docx|pdf."""
    from reports.campaign import one_target_report, safe_file_name

    def write(document: Mapping[str, Any], path: Path) -> Path:
        if fmt == "docx":
            from reports.document_docx import render_docx

            return render_docx(document, path, lang, template=docx_template)
        from reports.document_pdf import write_pdf

        return write_pdf(document, path, lang)

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    written = [write(report, out_dir / f"{name}.{fmt}")]
    targets = list(report.get("targets", []))
    if len(targets) > 1:
        (out_dir / "cases").mkdir(exist_ok=True)
        for target in targets:
            if safe_file_name(str(target.get("id", ""))):
                written.append(write(one_target_report(report, target), out_dir / "cases" / f"{target['id']}.{fmt}"))
    return written
