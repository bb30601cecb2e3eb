"""Packed apps (加固): the protector is recognised, the code extractors say they could not see the code,
and every rule whose answer depends on code comes out UNKNOWN with the reason, never PASS or N/A."""

from __future__ import annotations

from pathlib import Path

import pytest

from reports import render
from scanner.contract import load_vocabulary
from scanner.engine.conditions import kinds_in
from scanner.extractors import extractors_for
from scanner.extractors.runner import run_extractors
from scanner.model import Outcome, TargetKind
from scanner.pipeline import build_report, load_ruleset, scan_file
from scanner.signatures import packers
from scanner.signatures.packers import find_packers, unreadable_code_reason

from .fakes import FakeDex, FakeManifest, FakeSource
from .packer_cases import NEAR_MISSES, SEEN

PACKED = Path(__file__).resolve().parents[1] / "fixtures" / "apks" / "packed360.apk"
PLAIN = Path(__file__).resolve().parents[1] / "fixtures" / "apks" / "facedoor.apk"

def test_every_known_protector_has_a_case() -> None:
    assert set(SEEN) == {p.id for p in packers()}


@pytest.mark.parametrize("packer_id", sorted(SEEN))
def test_protector_is_recognised_by_its_stub_libraries_and_assets(packer_id: str) -> None:
    seen = SEEN[packer_id]
    [match] = find_packers(seen.get("files", []), seen.get("classes", []), seen.get("application", ""))
    assert match.packer.id == packer_id
    assert match.names


@pytest.mark.parametrize("seen", NEAR_MISSES)
def test_near_misses_are_no_protector(seen: dict) -> None:
    assert find_packers(seen.get("files", []), seen.get("classes", []), seen.get("application", "")) == ()


def test_a_shell_hides_the_code_a_hardening_sdk_does_not() -> None:
    shell = find_packers(["lib/armeabi/libjiagu.so"], [], "com.stub.StubApp")
    reason = unreadable_code_reason(shell, ["com.example.Main"], [], frozenset({"Lcom/example/Main;"}))
    assert reason.startswith("code is packed by 360 加固 (com.stub.StubApp, libjiagu.so)")
    guard = find_packers(["lib/armeabi/libsgmainso-6.4.36.so"], [], "")
    assert unreadable_code_reason(guard, ["com.example.Main"], [], frozenset({"Lcom/example/Main;"})) == ""


def test_a_launcher_no_dex_defines_is_code_out_of_sight_but_aliases_and_platform_classes_are_not() -> None:
    reason = unreadable_code_reason((), ["com.example.Main"], [], frozenset({"Lcom/other/X;"}))
    assert "com.example.Main is declared but no dex in the package defines it" in reason
    assert unreadable_code_reason((), ["com.example.Alias"], ["com.example.Alias"], frozenset()) == ""
    assert unreadable_code_reason((), ["android.app.NativeActivity"], [], frozenset()) == ""


def test_code_extractors_on_unreadable_code_keep_their_facts_but_do_not_count_as_clean() -> None:
    source = FakeSource(
        FakeManifest(application_class="com.stub.StubApp", permissions=("android.permission.CAMERA",)),
        entries={"lib/arm64-v8a/libjiagu_a64.so": b"", "lib/arm64-v8a/libarcsoft_face.so": b""},
        dex=FakeDex(class_descriptors=frozenset({"Lcom/stub/StubApp;"})),
    )
    evidence, ran, errors = run_extractors(source, extractors_for(TargetKind.APK))
    needs_code = {spec.name for spec in extractors_for(TargetKind.APK) if spec.needs_code}
    assert {label.split("@")[0] for label in ran} == {"apk_manifest", "apk_packer"}
    assert {e.stage for e in errors} == {f"incomplete:{name}" for name in needs_code}
    assert all("code is packed by 360 加固" in e.message for e in errors)
    # what the manifest and the native libraries show is still stated
    assert any(e.kind == "face.sdk" and e.key == "arcsoft_arcface" and e.attrs["via"] == ["native_lib"] for e in evidence)
    assert any(e.kind == "app.permission" for e in evidence)


@pytest.fixture(scope="module")
def packed_target():
    return scan_file(PACKED, load_ruleset())


def test_packed_fixture_states_the_packer_and_what_it_could_still_read(packed_target) -> None:
    [packer] = [e for e in packed_target.evidence if e.kind == "app.packer"]
    assert packer.key == "qihoo_jiagu" and packer.attrs["code_hidden"] is True
    assert packer.attrs["via"] == ["class", "native_lib", "asset"]
    assert "com.stub.StubApp" in packer.attrs["matched"]
    face = {e.key: e.attrs["via"] for e in packed_target.evidence if e.kind == "face.sdk"}
    assert face == {"arcsoft_arcface": ["native_lib"], "baidu_face_liveness": ["asset"]}
    assert any(e.kind == "context.access_control" for e in packed_target.evidence)  # resources still read
    assert any(e.kind == "app.permission" and e.key.endswith("READ_PHONE_STATE") for e in packed_target.evidence)


def _code_dependent_kinds() -> set[str]:
    needs_code = {spec.name for spec in extractors_for(TargetKind.APK) if spec.needs_code}
    vocabulary = load_vocabulary()
    return {kind for kind, spec in vocabulary.kinds.items() if set(spec.emitted_by) & needs_code}


def test_no_rule_whose_answer_depends_on_code_passes_or_does_not_apply_on_a_packed_app(packed_target) -> None:
    ruleset = load_ruleset()
    code_kinds = _code_dependent_kinds()
    results = {r.rule_id: r for r in packed_target.results}
    reading_code = {rule.id for rule in ruleset.rules if "apk" in rule.applies_to and set(rule.requires) & code_kinds}
    assert reading_code >= {"FACE-001", "FACE-002", "FACE-003", "CONS-001", "CONS-002", "MINI-001", "SDK-001"}
    for rule_id in reading_code:
        rule, result = ruleset.by_id(rule_id), results[rule_id]
        applicability_reads_code = rule.applies_when is None or kinds_in(rule.applies_when) & code_kinds
        if result.outcome is Outcome.NOT_APPLICABLE and not applicability_reads_code:
            continue  # it does not apply for facts that were read: CONS-003 needs the company's own site
        assert result.outcome is Outcome.UNKNOWN, (rule_id, result.outcome)
        assert "code is packed by 360 加固" in result.message, rule_id
    assert results["CONS-003"].outcome is Outcome.NOT_APPLICABLE
    assert packed_target.score.value is None  # no grade for an app whose code nobody could read


def test_the_same_unpacked_app_is_judged(packed_target) -> None:
    plain = scan_file(PLAIN, load_ruleset())
    assert not any(e.kind == "app.packer" for e in plain.evidence)
    assert {r.outcome for r in plain.results} - {Outcome.UNKNOWN}  # decided, not unknown for want of code
    assert not any(e.stage.startswith(("extract:", "incomplete:")) for e in plain.errors)


def test_reason_is_in_the_json_and_the_html(packed_target, tmp_path) -> None:
    document = build_report([packed_target], load_ruleset()).to_dict()
    target = document["targets"][0]
    assert any("code is packed by 360 加固" in r["message"] and r["outcome"] == "UNKNOWN" for r in target["results"])
    assert any(e["stage"] == "incomplete:apk_code" and "code-level analysis impossible" in e["message"]
               for e in target["errors"])
    html = render("html", document, lang="zh")
    assert "code is packed by 360 加固" in html and "code-level analysis impossible" in html
