"""The rule engine on a small rule pack written by each test."""

import datetime as dt
import textwrap

import pytest

from scanner.engine.conditions import evaluate
from scanner.engine.evaluate import apply_waivers, judge, load_waivers, score
from scanner.engine.ruleset import load_ruleset
from scanner.errors import RuleLoadError
from scanner.model import Confidence, Evidence, Location, Outcome, RuleResult, Severity, finding_fingerprint

SOURCES = """
LAW:
  title: {zh: 测试法, en: Test Law}
  confidence: A
  articles: ["10", "29"]
"""

RULE = """
id: TEST-001
slug: face-door-only
version: 2
title: {zh: 仅刷脸开门, en: Face-only door}
severity: high
confidence: medium
category: face
applies_to: [apk]
applies_when: {evidence: context.access_control}
fails_when:
  all:
    - {evidence: face.capture, where: {purpose: access_control}}
    - none:
        - {evidence: access.alternative_method, where: {for: [residents, all]}}
message: {zh: "仅支持人脸：{keys}", en: "Face only: {keys}"}
rationale: {zh: 理由, en: why}
remediation: {zh: 应当提供其他方式, en: "Do: offer other ways"}
legal_basis: [{source: LAW, article: "10"}]
"""


def ev(kind, key="", **attrs):
    return Evidence(kind, key, attrs, Location("app.apk", key), "t@1")


def write_pack(tmp_path, rule_text=RULE, name="TEST-001.face-door-only.yaml", sources=SOURCES):
    (tmp_path / "face").mkdir(exist_ok=True)
    (tmp_path / "face" / name).write_text(textwrap.dedent(rule_text), encoding="utf-8")
    (tmp_path / "sources.yaml").write_text(sources, encoding="utf-8")
    return tmp_path


def test_outcomes_follow_the_conditions(tmp_path):
    rule = load_ruleset(write_pack(tmp_path)).by_id("TEST-001")
    ran = {"apk_derived", "apk_strings"}
    door, face = ev("context.access_control", "刷脸开门"), ev("face.capture", "access_control", purpose="access_control")
    visitor_qr = ev("access.alternative_method", "qr", method="qr", **{"for": "visitors"})
    card = ev("access.alternative_method", "card", method="card", **{"for": "residents"})

    assert judge(rule, [face], ran).outcome is Outcome.NOT_APPLICABLE
    failed = judge(rule, [door, face, visitor_qr], ran)
    assert failed.outcome is Outcome.FAIL
    assert failed.message == "仅支持人脸：门禁通行"  # closed values read in the report language
    assert face.id in failed.evidence_ids and door.id in failed.evidence_ids
    passed = judge(rule, [door, face, card], ran)
    assert passed.outcome is Outcome.PASS
    assert card.id in passed.evidence_ids  # the alternative is the proof of the pass
    # apk_derived did not run: whether faces are captured cannot be told, so neither can the answer
    unknown = judge(rule, [door], {"apk_strings"})
    assert unknown.outcome is Outcome.UNKNOWN and unknown.unseen == ("face.capture",)
    # a fact already stated decides as it is: the face capture is there, no alternative is
    assert judge(rule, [door, face], {"apk_strings"}).outcome is Outcome.FAIL
    # an alternative seen decides a PASS whatever else failed
    assert judge(rule, [door, card], {"apk_strings"}).outcome is Outcome.PASS
    assert judge(rule, [door, face], ran, lang="en").message == "Face only: door access"  # closed values in words


def test_unknown_names_why_the_kinds_could_not_be_seen(tmp_path):
    rule = load_ruleset(write_pack(tmp_path)).by_id("TEST-001")
    door = ev("context.access_control", "刷脸开门")
    why = "code is packed by 360 加固 (com.stub.StubApp)"
    unknown = judge(rule, [door], {"apk_strings"}, reasons={"apk_derived": why, "apk_code": "not asked"})
    assert unknown.outcome is Outcome.UNKNOWN
    # only the reason the emitter of the unseen kind gave; the kind itself is kept apart, not worded as found
    assert unknown.message == f"无法判断：判断所需的事实未能提取（{why}）" and unknown.unseen == ("face.capture",)
    assert judge(rule, [door], {"apk_strings"}, reasons={}).message == "无法判断：判断所需的事实未能提取（提取器出错）"


def test_min_count_and_key_lists():
    evs = [ev("identifier.collect", "imei", own_code=True), ev("identifier.collect", "android_id", own_code=True)]
    assert evaluate({"evidence": "identifier.collect", "key": ["imei", "mac"]}, evs).truth
    assert not evaluate({"evidence": "identifier.collect", "key": "mac"}, evs).truth
    assert evaluate({"evidence": "identifier.collect", "min_count": 2}, evs).truth
    assert not evaluate({"evidence": "identifier.collect", "min_count": 3}, evs).truth
    assert not evaluate({"evidence": "identifier.collect", "where": {"own_code": False}}, evs).truth
    assert not evaluate({"evidence": "identifier.collect", "where": {"missing": 1}}, evs).truth


def test_conditions_are_three_valued_over_unseen_kinds():
    unseen = frozenset({"camera.use"})
    face = ev("face.sdk", "x")
    leaf_seen, leaf_unseen = {"evidence": "face.sdk"}, {"evidence": "camera.use"}
    assert evaluate(leaf_unseen, [], unseen).truth is None
    assert evaluate(leaf_unseen, [ev("camera.use", "k")], unseen).truth is True  # stated facts still count
    assert evaluate({"all": [leaf_seen, leaf_unseen]}, [face], unseen).truth is None
    assert evaluate({"all": [leaf_seen, leaf_unseen]}, [], unseen).truth is False  # false wins an all
    assert evaluate({"any": [leaf_seen, leaf_unseen]}, [face], unseen).truth is True  # true wins an any
    assert evaluate({"any": [leaf_seen, leaf_unseen]}, [], unseen).truth is None
    assert evaluate({"none": [leaf_unseen]}, [], unseen).truth is None
    assert evaluate({"none": [leaf_seen, leaf_unseen]}, [face], unseen).truth is False
    assert evaluate({"all": [leaf_unseen]}, [], unseen).unseen == {"camera.use"}


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda r: r.replace("context.access_control", "context.nonsense"), "unknown evidence kind"),
        (lambda r: r.replace('article: "10"', 'article: "99"'), "not a confirmed article"),
        (lambda r: r.replace("source: LAW", "source: NOPE"), "unknown source"),
        (lambda r: r.replace("severity: high", "severity: dire"), "severity"),
        (lambda r: r + "surprise: 1\n", "surprise"),
        # a value the contract does not have would silently never match: a FAIL could become a PASS
        (lambda r: r.replace("purpose: access_control", "purpose: access-control"),
         "rule TEST-001: fails_when: face.capture.purpose: 'access-control' is not an allowed value; allowed: access_control"),
        (lambda r: r.replace("for: [residents, all]", "for: [residents, everyone]"), "'everyone' is not an allowed value"),
        (lambda r: r.replace("where: {purpose: access_control}", "where: {porpose: access_control}"),
         "face.capture: unknown attribute 'porpose'"),
        (lambda r: r.replace("{evidence: context.access_control}", "{evidence: context.access_control, key: [1]}"),
         "context.access_control key: 1 can never match a string"),
        # what a rule needs is derived from the contract; a hand-written list is refused, with the known names
        (lambda r: r.replace("applies_to: [apk]", "applies_to: [apk]\nrequires: {face.capture: [apk_derivd]}"),
         "rule TEST-001: `requires` is not written in rule files"),
    ],
)
def test_broken_rules_are_load_errors_naming_the_file(tmp_path, change, message):
    write_pack(tmp_path, change(textwrap.dedent(RULE)))
    with pytest.raises(RuleLoadError) as info:
        load_ruleset(tmp_path)
    assert "TEST-001.face-door-only.yaml" in str(info.value)
    assert message in str(info.value)


def test_slug_must_match_file_name_and_ids_are_unique(tmp_path):
    write_pack(tmp_path, name="TEST-001.other-slug.yaml")
    with pytest.raises(RuleLoadError, match="file name must be TEST-001.face-door-only.yaml"):
        load_ruleset(tmp_path)
    (tmp_path / "face" / "TEST-001.other-slug.yaml").unlink()
    write_pack(tmp_path)
    (tmp_path / "consent").mkdir()
    (tmp_path / "consent" / "TEST-001.face-door-only.yaml").write_text(textwrap.dedent(RULE), encoding="utf-8")
    with pytest.raises(RuleLoadError, match="duplicate rule id TEST-001"):
        load_ruleset(tmp_path)


def test_invalid_yaml_is_a_load_error(tmp_path):
    write_pack(tmp_path, "id: [unclosed\n")
    with pytest.raises(RuleLoadError, match="invalid YAML"):
        load_ruleset(tmp_path)


def result(outcome, severity="high", confidence="high", rule_id="R-001", target_sha="ab" * 32):
    return RuleResult(rule_id, 1, Outcome(outcome), Severity(severity), Confidence(confidence), "",
                      fingerprint=finding_fingerprint(rule_id, target_sha))


def test_score_weights_severity_and_confidence(tmp_path):
    scoring = load_ruleset(write_pack(tmp_path)).scoring
    assert score([result("PASS"), result("PASS")], scoring).value == 100.0
    all_fail = score([result("FAIL")], scoring)
    assert all_fail.value == 0.0 and all_fail.grade == "E"
    half = score([result("FAIL"), result("PASS")], scoring).value
    low_conf = score([result("FAIL", confidence="low"), result("PASS")], scoring).value
    assert half == 50.0 and low_conf > half  # a probable finding costs less than a certain one
    assert score([result("UNKNOWN"), result("NOT_APPLICABLE")], scoring).grade == "N/A"


def test_waivers_apply_until_they_expire(tmp_path):
    sha = "ab" * 32
    fp = finding_fingerprint("R-001", sha)
    (tmp_path / "w.yaml").write_text(
        f"waivers:\n  - {{rule: R-001, fingerprint: '{fp[:16]}', reason: 已整改待复核, expires: 2027-01-31}}\n", encoding="utf-8"
    )
    waivers = load_waivers(tmp_path / "w.yaml")
    live, notes = apply_waivers([result("FAIL"), result("FAIL", rule_id="R-002")], waivers, dt.date(2026, 12, 1))
    assert [r.outcome for r in live] == [Outcome.WAIVED, Outcome.FAIL]
    assert live[0].waiver_reason == "已整改待复核" and not notes
    expired, notes = apply_waivers([result("FAIL")], waivers, dt.date(2027, 2, 1))
    assert expired[0].outcome is Outcome.FAIL and "expired on 2027-01-31" in notes[0]
    other_target, _ = apply_waivers([result("FAIL", target_sha="cd" * 32)], waivers, dt.date(2026, 12, 1))
    assert other_target[0].outcome is Outcome.FAIL


def test_bad_waiver_file_names_the_problem(tmp_path):
    (tmp_path / "w.yaml").write_text("waivers:\n  - {rule: R-001, fingerprint: abc, reason: x, expires: 2027-01-01}\n")
    with pytest.raises(RuleLoadError, match="waiver #1: fingerprint must have at least 12"):
        load_waivers(tmp_path / "w.yaml")


def test_required_kinds_no_extractor_of_this_target_kind_produces_are_not_missing(tmp_path):
    rule = load_ruleset(write_pack(tmp_path)).by_id("TEST-001")
    door = ev("context.access_control", "刷脸开门")
    # on a kind where only apk_strings runs, face.capture can never be stated: that is no gap
    assert judge(rule, [door], {"apk_strings"}, expected={"apk_strings"}).outcome is Outcome.PASS
    # where apk_derived should have run and did not, the rule cannot be judged
    assert judge(rule, [door], {"apk_strings"}, expected={"apk_strings", "apk_derived"}).outcome is Outcome.UNKNOWN
