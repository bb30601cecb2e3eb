"""A fact may carry a call path (attrs.path, a list of steps from an entry point to the read): every
format shows the steps as a numbered list, in order, and not among the folded attributes."""

from __future__ import annotations

import html as html_lib
from dataclasses import replace
from typing import Any

from support.sample_report import APK_EVIDENCE, sample_report

from reports import render
from reports.document import case_view
from scanner.contract import evidence_words
from scanner.model import Evidence, Target

STEPS = ["Lcom/example/door/MainActivity;->onCreate(Landroid/os/Bundle;)V",
         "Lcom/example/door/FaceDoorActivity;->scan()V",
         "Lcom/arcsoft/face/FaceEngine;->detectFaces"]


def _with_path() -> dict[str, Any]:
    report = sample_report()
    call: Evidence = APK_EVIDENCE["face_call"]
    stepped = replace(call, attrs={**call.attrs, "path": STEPS})
    target = Target.from_dict(report["targets"][0])
    evidence = tuple(stepped if ev.id == call.id else ev for ev in target.evidence)
    results = tuple(replace(r, evidence_ids=tuple(stepped.id if i == call.id else i for i in r.evidence_ids))
                    for r in target.results)
    target = replace(target, evidence=evidence, results=results,
                     shown={ev.id: evidence_words(ev) for ev in evidence})
    report["targets"][0] = target.to_dict()
    return report


def test_the_words_stored_for_a_fact_hold_its_steps_in_order() -> None:
    document = next(ev for ev in _with_path()["targets"][0]["evidence"] if ev["attrs"].get("path"))
    for lang in ("zh", "en"):
        assert document["shown"][lang]["path"] == STEPS
        assert "path" not in document["shown"][lang]["attrs"]


def test_html_and_markdown_number_the_steps() -> None:
    report = _with_path()
    page = render("html", report)
    listed = page[page.index('<ol class="path">'):]
    listed = html_lib.unescape(listed[:listed.index("</ol>")])
    assert listed.count("<li") == 3
    assert [listed.index(step) for step in STEPS] == sorted(listed.index(step) for step in STEPS)
    md = render("md", report).replace("\\", "")  # Markdown escapes [ and > in the steps
    for number, step in enumerate(STEPS, 1):
        assert f"<br>{number}. {step}" in md


def test_case_documents_get_the_steps() -> None:
    view = case_view(_with_path(), "zh")
    rows = [ev for t in view["targets"] for f in t["ordered"] for ev in f["evidence"] if ev["path"]]
    assert rows and rows[0]["path"] == STEPS
