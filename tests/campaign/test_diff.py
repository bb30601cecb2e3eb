from pathlib import Path

import pytest
from campaign_fakes import TOOL, make_report, make_target

from reports.diff import diff_html, diff_markdown
from scanner.campaign.diff import DiffError, diff_reports, diff_runs, match_targets
from scanner.campaign.store import open_store


def before_after() -> tuple[dict, dict]:
    door_before = make_target("幸福家园", outcomes={"FACE-001": "FAIL", "CONS-002": "UNKNOWN", "MIN-003": "PASS"})
    door_after = make_target("幸福家园", sha256="1" * 64, uri="/apps/幸福家园-v2.apk", alternatives=("card", "qr"),
                             outcomes={"FACE-001": "PASS", "CONS-002": "UNKNOWN", "MIN-003": "FAIL"})
    still = make_target("智慧社区", outcomes={"FACE-001": "FAIL", "CONS-002": "PASS", "MIN-003": "PASS"})
    gone = make_target("旧应用", outcomes={"FACE-001": "FAIL", "CONS-002": "PASS", "MIN-003": "PASS"})
    added = make_target("新应用", outcomes={"FACE-001": "PASS", "CONS-002": "FAIL", "MIN-003": "PASS"})
    return make_report(door_before, still, gone), make_report(door_after, still, added, generated_at="2025-06-01T00:00:00Z")


def test_fixed_new_and_unchanged_are_exactly_right() -> None:
    old, new = before_after()
    diff = diff_reports(old, new)
    assert {(c.target, c.rule_id, c.old_outcome, c.new_outcome) for c in diff.fixed} == {
        ("幸福家园", "FACE-001", "FAIL", "PASS"), ("旧应用", "FACE-001", "FAIL", None)}
    assert {(c.target, c.rule_id, c.old_outcome, c.new_outcome) for c in diff.new} == {
        ("幸福家园", "MIN-003", "PASS", "FAIL"), ("新应用", "CONS-002", None, "FAIL")}
    assert [(c.target, c.rule_id) for c in diff.unchanged] == [("智慧社区", "FACE-001")]
    assert diff.changed == ()  # UNKNOWN → UNKNOWN is no change
    assert diff.exit_code == 1
    assert [c.rule_id for c in diff.new] == ["CONS-002", "MIN-003"]  # critical before medium


def test_evidence_changes_explain_the_fix() -> None:
    old, new = before_after()
    door = next(t for t in diff_reports(old, new).targets if t.target == "幸福家园")
    assert door.evidence_added == ("access.alternative_method card", "access.alternative_method qr")
    assert door.evidence_removed == ()
    assert door.old_id != door.new_id  # matched by label and kind: a new version of the app
    removed = next(t for t in diff_reports(new, old).targets if t.target == "幸福家园")
    assert removed.evidence_removed == ("access.alternative_method card", "access.alternative_method qr")


def test_identical_reports_have_nothing_new_or_fixed() -> None:
    old, _ = before_after()
    diff = diff_reports(old, old)
    assert (diff.fixed, diff.new, diff.changed) == ((), (), ())
    assert len(diff.unchanged) == 3 and diff.exit_code == 0


def test_other_moves_are_listed_as_changes() -> None:
    old = make_report(make_target("门禁", outcomes={"FACE-001": "FAIL", "CONS-002": "PASS", "MIN-003": "PASS"}))
    new = make_report(make_target("门禁", outcomes={"FACE-001": "UNKNOWN", "CONS-002": "PASS", "MIN-003": "PASS"}))
    diff = diff_reports(old, new)
    assert [(c.rule_id, c.old_outcome, c.new_outcome) for c in diff.changed] == [("FACE-001", "FAIL", "UNKNOWN")]
    assert diff.fixed == diff.new == ()


def test_unrelated_reports_raise() -> None:
    old = make_report(make_target("甲", uri="/a/甲.apk"))
    new = make_report(make_target("乙", uri="/b/乙.apk"))
    with pytest.raises(DiffError, match="no target in common"):
        diff_reports(old, new)


def test_matching_prefers_id_then_uri_then_label() -> None:
    a = make_target("同名", uri="/x/a.apk", sha256="a" * 64).to_dict()
    b = make_target("同名", uri="/x/b.apk", sha256="b" * 64).to_dict()
    b_moved = {**b, "id": "apk-new", "label": "改名"}  # same uri, new bytes and label
    a_same = dict(a)
    pairs = match_targets([a, b], [b_moved, a_same])
    assert [(o["uri"], n["uri"]) for o, n in pairs] == [("/x/a.apk", "/x/a.apk"), ("/x/b.apk", "/x/b.apk")]


def test_renderings_escape_and_show_buckets() -> None:
    old, new = before_after()
    new["targets"][2]["label"] = "<script>alert(1)</script>"
    diff = diff_reports(old, new).to_dict()
    html = diff_html(diff, lang="zh")
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;" in html
    assert "已整改" in html and "新增问题" in html and "access.alternative_method card" in html
    assert "http://" not in html.replace("http://www.w3.org", "") and "<link" not in html
    md = diff_markdown(diff, lang="en")
    assert "## New findings (2)" in md and "## Fixed (2)" in md and "<script>" not in md


def test_diff_of_two_stored_runs(tmp_path: Path) -> None:
    old, new = before_after()
    with open_store(tmp_path / "c.sqlite") as store:
        runs = []
        for report in (old, new):
            run = store.start_run("c", {"n": len(runs)}, tool=TOOL)
            for target in report["targets"]:
                store.save_target(run, target)
            store.finish_run(run)
            runs.append(run)
        diff = diff_runs(store, *runs)
    assert len(diff.fixed) == 2 and len(diff.new) == 2
