"""The contract between extractors and rules (rules/vocab.yaml) holds: every extractor, run on every fixture,
states only facts the contract allows, of the kinds it declares; the vocabulary and the extractors agree on who
emits what; and a broken extractor is caught at run time."""

from __future__ import annotations

import hashlib
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest
import yaml

from scanner.contract import load_vocabulary
from scanner.extractors import all_extractors, extractors_for
from scanner.extractors.base import ExtractorSpec
from scanner.extractors.runner import run_extractors
from scanner.model import Evidence, Location, TargetKind
from scanner.sources.apk import open_apk
from scanner.sources.policy import policy_from_bytes
from scanner.sources.web import CapturedPage, SiteSource, site_sha256

REPO = Path(__file__).resolve().parents[2]
FIXTURE_APKS = sorted((REPO / "tests" / "fixtures" / "apks").glob("*.apk"))
OWN = REPO / "bench" / "labels" / "own"
VOCAB = load_vocabulary()


def _page(url: str, html: str) -> CapturedPage:
    body = html.encode("utf-8")
    return CapturedPage(url=url, final_url=url, status=200, fetched_at="2026-01-01T00:00:00Z",
                        sha256=hashlib.sha256(body).hexdigest(), content_type="text/html; charset=utf-8",
                        company="fixture", warc_path=None, warc_offset=0, content=body)


def _site_from_notices() -> SiteSource:
    """Every own notice as one page of a site, plus pages with a form, an app link and a policy."""
    notices = yaml.safe_load((OWN / "notices_zh.yaml").read_text(encoding="utf-8"))
    pages = [_page(f"https://fixture.example/notice/{n['id']}.html",
                   f"<html><head><title>公告</title></head><body><p>{n['text']}</p></body></html>")
             for n in notices if n["kind"] == "notice"]
    pages.append(_page("http://fixture.example/visit.html", (
        "<html><body><h1>预约看房</h1><form action='http://fixture.example/submit'>"
        "<label for='n'>姓名</label><input id='n' name='name'><label for='p'>手机号</label><input id='p' type='tel'>"
        "<label for='f'>人脸照片</label><input id='f' type='file' name='face'></form>"
        "<a href='/app/owner.apk'>下载App</a> <a href='/privacy.html'>隐私政策</a></body></html>")))
    policy = "".join(f"<p>{s['text']}</p>" for s in yaml.safe_load((OWN / "policy_zh.yaml").read_text(encoding="utf-8")))
    pages.append(_page("https://fixture.example/privacy.html",
                       f"<html><head><title>隐私政策</title></head><body><h1>隐私政策</h1>{policy}</body></html>"))
    return SiteSource(uri="https://fixture.example/", label="fixture", sha256=site_sha256(pages), attributes={},
                      pages=tuple(pages))


def _own_policy() -> Any:
    sentences = yaml.safe_load((OWN / "policy_zh.yaml").read_text(encoding="utf-8"))
    text = "隐私政策\n" + "\n".join(s["text"] for s in sentences)
    return policy_from_bytes(text.encode("utf-8"), uri="own-policy.txt", name="own-policy.txt")


def fixture_sources() -> list[tuple[str, TargetKind, Any]]:
    sources: list[tuple[str, TargetKind, Any]] = [(p.name, TargetKind.APK, open_apk(p)) for p in FIXTURE_APKS]
    sources.append(("own policy sentences", TargetKind.POLICY, _own_policy()))
    sources.append(("own notices as a site", TargetKind.SITE, _site_from_notices()))
    return sources


def _facts_each_extractor_states(source: Any, kind: TargetKind) -> dict[str, list[Evidence]]:
    """Each extractor of the target kind run on its own output of the ones before it, unchecked: what it
    states, before the pipeline's runtime check could drop anything."""
    stated: dict[str, list[Evidence]] = {}
    so_far: list[Evidence] = []
    for spec in extractors_for(kind):
        facts = list(spec.run(source, tuple(so_far)))
        stated[spec.name] = facts
        so_far.extend(facts)
    return stated


SOURCES = fixture_sources()


@pytest.mark.parametrize(("name", "kind", "source"), SOURCES, ids=[s[0] for s in SOURCES])
def test_every_fact_every_extractor_states_holds_to_the_contract(name: str, kind: TargetKind, source: Any) -> None:
    specs = {spec.name: spec for spec in extractors_for(kind)}
    for extractor, facts in _facts_each_extractor_states(source, kind).items():
        undeclared = sorted({ev.kind for ev in facts} - specs[extractor].emits)
        assert not undeclared, f"{name}: {extractor} states kinds it does not declare: {undeclared}"
        problems = sorted({p for ev in facts for p in VOCAB.evidence_problems(ev, extractor)})
        assert not problems, f"{name}: {extractor}: " + "; ".join(problems[:5])


def test_the_fixtures_exercise_most_of_the_vocabulary() -> None:
    """The test above means something only if the fixtures make the extractors state most kinds."""
    seen = {ev.kind for _, kind, source in SOURCES
            for facts in _facts_each_extractor_states(source, kind).values() for ev in facts}
    cross_target = {"company.face_capture_admitted"}  # stated by the campaign, tested in tests/spiders
    missing = sorted(set(VOCAB.kinds) - seen - cross_target)
    assert len(missing) <= 3, f"kinds no fixture makes any extractor state: {missing}"


def test_vocabulary_and_extractors_agree_on_who_emits_what() -> None:
    declared: dict[str, set[str]] = defaultdict(set)
    for spec in all_extractors():
        for kind in spec.emits:
            declared[kind].add(spec.name)
    for kind, spec in VOCAB.kinds.items():
        assert set(spec.emitted_by) == declared.get(kind, set()), (
            f"{kind}: vocab.yaml says {sorted(spec.emitted_by)}, the extractors declare {sorted(declared.get(kind, ()))}")
    assert set(declared) <= set(VOCAB.kinds), f"declared but not in vocab.yaml: {sorted(set(declared) - set(VOCAB.kinds))}"
    consumed = {kind for spec in all_extractors() for kind in spec.consumes}
    assert consumed <= set(VOCAB.kinds), f"consumed but not in vocab.yaml: {sorted(consumed - set(VOCAB.kinds))}"


def test_each_extractor_reads_the_source_type_it_declares() -> None:
    for name, kind, source in SOURCES:
        for spec in extractors_for(kind):
            assert isinstance(source, spec.reads), f"{spec.name} reads {spec.reads.__name__}, {name} is {type(source).__name__}"


def test_a_fact_outside_the_contract_fails_its_extractor_at_run_time() -> None:
    """A misspelt value would otherwise silently never match a rule: the extractor counts as failed instead,
    so the rules that need it say UNKNOWN, and the others still get their facts."""
    good = Evidence("camera.use", "android.hardware.Camera.open",
                    {"api": "android.hardware.Camera.open", "caller": "a.B.c", "own_code": True, "code_origin": "app"},
                    Location("x.apk", "La/B;->c()V"), "apk_code@1")
    misspelt = Evidence("face.capture", "access-control", {"purpose": "access-control", "basis": ["x"]},
                        Location("x.apk"), "apk_derived@1")
    specs = [
        ExtractorSpec("apk_code", 1, lambda _s, _e: [good], emits=frozenset({"camera.use"}), reads=object),
        ExtractorSpec("apk_derived", 1, lambda _s, _e: [misspelt], emits=frozenset({"face.capture"}), reads=object),
    ]

    class Source:
        uri = "x.apk"

    facts, ran, errors = run_extractors(Source(), specs, VOCAB)
    assert facts == [good] and ran == ["apk_code@1"]
    [error] = errors
    assert error.stage == "extract:apk_derived" and "'access-control' is not one of access_control" in error.message


def test_a_derived_extractor_on_incomplete_facts_does_not_count_as_clean() -> None:
    """policy_consistency states what a policy leaves out; with face derivation failed it cannot know the face
    capture is left out, so silence from it must not read as 'nothing undisclosed'."""
    def boom(_s: object, _e: object) -> list[Evidence]:
        raise RuntimeError("broken")

    upstream = ExtractorSpec("apk_derived", 1, boom, emits=frozenset({"face.capture"}), reads=object)
    derived = ExtractorSpec("policy_consistency", 1, lambda _s, _e: [], emits=frozenset({"data.undisclosed"}),
                            reads=object, consumes=frozenset({"face.capture"}))

    class Source:
        uri = "x.apk"

    _, ran, errors = run_extractors(Source(), [upstream, derived], VOCAB)
    assert ran == [] and [e.stage for e in errors] == ["extract:apk_derived", "incomplete:policy_consistency"]
    assert "ran on incomplete facts: face.capture (apk_derived did not run cleanly)" in errors[1].message
    # with its input there, it is clean
    fine = ExtractorSpec("apk_derived", 1, lambda _s, _e: [], emits=frozenset({"face.capture"}), reads=object)
    assert run_extractors(Source(), [fine, derived], VOCAB)[1] == ["apk_derived@1", "policy_consistency@1"]
