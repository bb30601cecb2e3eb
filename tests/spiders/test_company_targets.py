"""A company's site and its apps judged together (CONS-003), and the per-company table, without a crawl."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import pytest

from reports.companies import company_rows, render_companies_csv, render_companies_md, write_companies
from scanner.campaign.crawl import judge_company_targets
from scanner.engine.evaluate import score
from scanner.engine.ruleset import load_ruleset
from scanner.extractors.base import ExtractorSpec
from scanner.model import Evidence, Location, Outcome, Target, TargetKind
from scanner.pipeline import analyse_source, build_report

RULESET = load_ruleset()
SITE_URI = "https://yg.example/"
NOTICE = Evidence("web.face_capture_notice", "sales_office",
                  {"place": "sales_office", "purpose": "commission", "signage": False},
                  Location("https://yg.example/notice/sales.html", "2025-01-01T00:00:00Z sha256:ab",
                           "本售楼处入口设有人脸识别摄像头"), "page_text@1")
CAPTURE = Evidence("face.capture", "marketing", {"purpose": "marketing", "basis": ["page_notice"]},
                   NOTICE.location, "page_text@1")
FORM = Evidence("web.personal_data_form", "https://yg.example/submit",
                {"fields": ["phone"], "https": True, "action_https": True, "policy_link": True},
                Location("https://yg.example/register.html"), "page_text@1")


class Source:
    """The least an analysed source needs: what analyse_source reads."""

    def __init__(self, kind: TargetKind, uri: str, label: str, attributes: dict[str, Any]) -> None:
        self.kind, self.uri, self.label, self.attributes = kind, uri, label, attributes
        self.sha256 = uri.encode().hex().ljust(64, "0")[:64]


def fixed(name: str, facts: Sequence[Evidence]) -> ExtractorSpec:
    return ExtractorSpec(name, 1, lambda _source, _evidence: list(facts), emits=frozenset(e.kind for e in facts), reads=object)


def site(company: str, facts: Sequence[Evidence], uri: str = SITE_URI) -> Target:
    source = Source(TargetKind.SITE, uri, company, {"company": company, "region": "苏州", "pages": 3})
    return analyse_source(source, RULESET, extractors=[fixed("page_text", facts)])


def app(company: str, policy: Iterable[Evidence] = (), uri: str = "https://yg.example/app.apk") -> Target:
    source = Source(TargetKind.APK, uri, "业主App", {"company": company, "package": "com.example.owner"})
    return analyse_source(source, RULESET, extractors=[fixed("apk_policy", list(policy))])


def policy(*practices: tuple[str, str]) -> list[Evidence]:
    document = Evidence("policy.document", "assets/privacy.html", {"source": "asset", "analysed": True},
                        Location("app.apk", "assets/privacy.html"), "apk_policy@1")
    return [document, *(Evidence("policy.discloses", key,
                                 {"polarity": polarity, "sentence": f"{key} {polarity}", "span": [i, i + 1], "section": ""},
                                 Location("app.apk", key), "apk_policy@1") for i, (key, polarity) in enumerate(practices))]


def outcome(target: Target, rule_id: str) -> Outcome:
    return next(r.outcome for r in target.results if r.rule_id == rule_id)


def admissions(target: Target) -> list[Evidence]:
    return [e for e in target.evidence if e.kind == "company.face_capture_admitted"]


def test_site_admitting_face_capture_makes_a_silent_app_policy_fail_cons_003() -> None:
    before = app("阳光地产", policy(("contact", "affirm")))
    [after] = judge_company_targets([site("阳光地产", [NOTICE, CAPTURE, FORM])], [before], RULESET, "zh")
    [admitted] = admissions(after)
    assert admitted.key == SITE_URI and admitted.location == NOTICE.location
    assert admitted.attrs["site"] == "阳光地产"
    assert admitted.attrs["places"] == ["sales_office"] and admitted.attrs["purposes"] == ["commission"]
    assert admitted.attrs["evidence_ids"] == sorted([NOTICE.id, CAPTURE.id])
    cons_003 = next(r for r in after.results if r.rule_id == "CONS-003")
    assert cons_003.outcome is Outcome.FAIL and admitted.id in cons_003.evidence_ids
    assert SITE_URI in cons_003.message
    assert outcome(before, "CONS-003") is Outcome.NOT_APPLICABLE
    # judged on nothing (no extractor ran) the app has no grade; with the site's facts it is judged again
    assert before.score.grade == "incomplete" and after.score == score(after.results, RULESET.scoring, after.coverage)
    assert after.extractors == (*before.extractors, "company_consistency@1")
    assert [r.rule_id for r in after.results] == sorted(r.rule_id for r in after.results)


def test_app_policy_stating_face_collection_passes_cons_003() -> None:
    before = app("阳光地产", policy(("face_collection", "conditional")))
    [after] = judge_company_targets([site("阳光地产", [NOTICE, CAPTURE])], [before], RULESET, "zh")
    assert admissions(after) and outcome(after, "CONS-003") is Outcome.PASS


def test_site_without_face_capture_states_nothing_on_its_app() -> None:
    before = app("阳光地产", policy(("contact", "affirm")))
    [after] = judge_company_targets([site("阳光地产", [FORM])], [before], RULESET, "zh")
    assert admissions(after) == [] and outcome(after, "CONS-003") is Outcome.NOT_APPLICABLE
    assert after.results == before.results and after.evidence == before.evidence


def test_another_companys_site_is_never_read_for_an_app() -> None:
    other = app("幸福物业", policy(("contact", "affirm")))
    unlinked = app("", uri="https://elsewhere.example/x.apk")
    judged = judge_company_targets([site("阳光地产", [NOTICE])], [other, unlinked], RULESET, "zh")
    assert judged == [other, unlinked]


def test_a_failing_cross_check_is_an_error_of_the_app_and_keeps_its_findings() -> None:
    def broken(_source: object, _evidence: object) -> list[Evidence]:
        raise KeyError("places")

    before = app("阳光地产")
    [after] = judge_company_targets([site("阳光地产", [NOTICE])], [before], RULESET, "zh",
                                    extractor=ExtractorSpec("company_consistency", 1, broken,
                                                                      emits=frozenset(), reads=object))
    assert after.results == before.results and after.extractors == before.extractors
    [error] = after.errors
    assert error.stage == "extract:company_consistency" and "KeyError" in error.message


# ———————————————————————————— the per-company table ————————————————————————————


def report_of(*targets: Target) -> dict:
    return build_report(list(targets), RULESET, lang="zh").to_dict()


def test_rows_rank_companies_worst_first_and_count_their_apps_findings() -> None:
    developer = site("阳光地产", [NOTICE, CAPTURE, FORM])
    [owner_app] = judge_company_targets([developer], [app("阳光地产", policy(("contact", "affirm")))], RULESET)
    fine = site("和谐家园", [FORM, Evidence("policy.document", "https://hx.example/privacy", {"source": "page"},
                                          Location("https://hx.example/privacy"), "page_text@1")],
                uri="https://hx.example/")
    silent = site("无名公司", [], uri="https://none.example/")
    rows = company_rows(report_of(fine, silent, owner_app, developer))
    assert [r.company for r in rows] == ["阳光地产", "和谐家园", "无名公司"]
    first = rows[0]
    assert first.worst == ("FACE-006",) and first.fails["critical"] == 1
    site_fails = sum(1 for r in developer.results if r.outcome is Outcome.FAIL)
    app_fails = sum(1 for r in owner_app.results if r.outcome is Outcome.FAIL)
    assert sum(first.fails.values()) == site_fails + app_fails and app_fails >= 1
    grade_word = {"incomplete": "未完成", "N/A": "无法评分"}  # grades that are not letters read as words
    assert first.apps == (f"业主App [{grade_word.get(owner_app.score.grade, owner_app.score.grade)}]",)
    assert first.grade == grade_word.get(developer.score.grade, developer.score.grade) and first.pages == 3
    assert first.region == "苏州" and rows[1].worst == () and rows[1].apps == ()
    assert rows[2].grade == "无法评分" and rows[2].score == "—"


def test_csv_is_excel_ready_and_never_a_formula_and_md_escapes_pipes(tmp_path: Path) -> None:
    hostile = site("=HYPERLINK(\"x\")|甲", [FORM])
    report = report_of(hostile)
    rows = list(csv.reader(io.StringIO(render_companies_csv(report, "en"))))
    assert rows[0][:3] == ["Company", "Region", "Seed URL"] and rows[0][7] == "FAIL-Critical"
    assert rows[1][0] == "'=HYPERLINK(\"x\")|甲"
    md = render_companies_md(report, "zh")
    assert md.startswith("# 企业汇总\n") and "\\|甲" in md
    csv_path, md_path = write_companies(report, tmp_path, "zh")
    assert csv_path.read_bytes().startswith(b"\xef\xbb\xbf\xe4\xbc\x81\xe4\xb8\x9a")  # BOM, then 企业
    assert md_path.read_text(encoding="utf-8") == md


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_report_without_sites_has_an_empty_table(lang: str) -> None:
    report = report_of(app("阳光地产"))
    assert company_rows(report) == []
    assert len(render_companies_csv(report, lang).splitlines()) == 1
