"""The reporters' one interface: render, write_reports, and re-rendering from report.json alone."""

from __future__ import annotations

import json

import pytest
from support.sample_report import sample_report

from reports import FORMATS, render, validate_report, write_reports
from scanner.errors import InputError


def test_formats_are_the_four_documented_ones() -> None:
    assert FORMATS == ("json", "html", "md", "sarif")


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_format_renders_text_ending_in_newline(fmt: str) -> None:
    text = render(fmt, sample_report())
    assert text and text.endswith("\n")


def test_json_is_the_document_unchanged_pretty_and_utf8() -> None:
    doc = sample_report()
    text = render("json", doc)
    assert json.loads(text) == doc
    assert "智慧社区" in text and "\\u" not in text
    assert text.startswith('{\n  "schema_version"')


def test_unknown_format_is_an_input_error() -> None:
    with pytest.raises(InputError, match="odt: unknown report format; choose from json, html, md, sarif, docx, pdf"):
        render("odt", sample_report())


def test_a_case_document_is_not_rendered_as_text() -> None:
    with pytest.raises(InputError, match="pdf: is a binary case document"):
        render("pdf", sample_report())


def test_unknown_language_is_an_input_error() -> None:
    with pytest.raises(InputError, match="fr: unknown report language"):
        render("html", sample_report(), lang="fr")


def test_write_reports_writes_one_file_per_format(tmp_path) -> None:
    paths = write_reports(sample_report(), tmp_path / "out", ["json", "html", "md", "sarif", "md"], lang="en")
    assert [p.name for p in paths] == ["report.json", "report.html", "report.md", "report.sarif"]
    assert all(p.read_text(encoding="utf-8") for p in paths)
    assert "Findings" in (tmp_path / "out" / "report.html").read_text(encoding="utf-8")


def test_write_reports_rejects_an_unknown_format_before_writing(tmp_path) -> None:
    with pytest.raises(InputError):
        write_reports(sample_report(), tmp_path / "out", ["json", "odt"])
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("fmt", ["html", "md", "sarif"])
def test_report_re_renders_from_report_json_alone(tmp_path, fmt: str) -> None:
    doc = sample_report()
    (json_path,) = write_reports(doc, tmp_path, ["json"])
    reloaded = json.loads(json_path.read_text(encoding="utf-8"))
    assert render(fmt, reloaded) == render(fmt, doc)


def _edge_case_report() -> dict:
    """Valid but sparse: a dangling evidence id, a rule missing from tool.rules, an empty target."""
    doc = sample_report()
    apk = doc["targets"][0]
    apk["results"][1]["evidence_ids"].append("ev-000000000000")
    apk["results"].append({"rule_id": "ZZZ-999", "rule_version": 1, "outcome": "FAIL", "severity": "low",
                           "confidence": "medium", "message": "rule not shipped", "evidence_ids": [],
                           "fingerprint": "0" * 64})
    doc["targets"].append({"id": "page:empty", "kind": "page", "uri": "", "sha256": "", "label": "",
                           "attributes": {}, "extractors": [], "evidence": [], "results": [],
                           "score": {"value": None, "grade": "N/A"}, "errors": []})
    return doc


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_sparse_but_valid_documents_render(fmt: str, lang: str) -> None:
    doc = _edge_case_report()
    validate_report(doc)
    text = render(fmt, doc, lang=lang)
    if fmt in ("html", "md"):
        assert ("（报告中无此证据）" if lang == "zh" else "(evidence not in this report)") in text
        assert "ZZZ-999" in text and "page:empty" in text


@pytest.mark.parametrize("fmt", FORMATS)
def test_report_without_targets_renders(fmt: str) -> None:
    doc = sample_report()
    doc["targets"] = []
    assert render(fmt, doc)
