"""The HTML report: untrusted text stays text, the page loads nothing, the auditor's order holds."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from support.sample_report import HOSTILE, batch_report, sample_report

from reports import render


class _TagCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def _tags(html: str) -> list[tuple[str, dict[str, str | None]]]:
    parser = _TagCollector()
    parser.feed(html)
    return parser.tags


@pytest.fixture(scope="module")
def html_zh() -> str:
    return render("html", sample_report(), lang="zh")


@pytest.fixture(scope="module")
def html_en() -> str:
    return render("html", sample_report(), lang="en")


def test_app_string_with_script_tag_is_shown_as_text(html_zh: str) -> None:
    assert HOSTILE not in html_zh
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html_zh
    assert not any(tag == "script" for tag, _ in _tags(html_zh))


def test_escaping_is_not_vacuous_an_unescaped_renderer_would_be_caught() -> None:
    assert any(tag == "script" for tag, _ in _tags(f"<p>{HOSTILE}</p>"))


def test_page_loads_no_external_resource(html_zh: str) -> None:
    for tag, attrs in _tags(html_zh):
        assert tag not in ("link", "script", "iframe", "img", "object", "embed"), tag
        assert "src" not in attrs, (tag, attrs)
        href = attrs.get("href")
        assert href is None or href.startswith("#"), href
    assert "@import" not in html_zh
    assert "url(" not in html_zh


def test_page_is_one_document_with_inline_css(html_zh: str) -> None:
    assert html_zh.startswith("<!DOCTYPE html>")
    assert html_zh.count("<style>") == 1
    assert ".badge" in html_zh


def test_header_carries_tool_version_time_ruleset_and_lang(html_zh: str) -> None:
    assert "fangcun 0.1.0" in html_zh
    assert "2025-06-01T08:00:00+08:00" in html_zh
    assert "c" * 64 in html_zh
    assert '<html lang="zh-CN">' in html_zh


def test_labels_follow_lang(html_zh: str, html_en: str) -> None:
    assert "发现的问题" in html_zh and "Findings" not in html_zh
    assert "Findings" in html_en and "发现的问题" not in html_en
    assert "整改建议" in html_zh and "Remediation" in html_en


def test_rule_texts_follow_lang(html_zh: str, html_en: str) -> None:
    assert "处理人脸信息应取得单独同意" in html_zh and "Separate consent for face data" not in html_zh
    assert "Separate consent for face data" in html_en and "处理人脸信息应取得单独同意" not in html_en
    assert "《个人信息保护法》第二十九条" in html_zh and "Art. 29" not in html_zh
    assert "Personal Information Protection Law of the PRC, Art. 29" in html_en and "第二十九条" not in html_en


def test_low_confidence_fail_is_worded_probable_and_high_confidence_is_not(html_zh: str, html_en: str) -> None:
    face_003 = re.search(r'<article class="finding[^"]*">(?:(?!</article>).)*FACE-003', html_zh, re.S)
    face_002 = re.search(r'<article class="finding[^"]*">(?:(?!</article>).)*FACE-002', html_zh, re.S)
    assert face_003 and "可能不合规" in face_003.group(0)
    assert face_002 and "可能不合规" not in face_002.group(0) and ">不合规<" in face_002.group(0)
    assert "Probable violation" in html_en


def test_findings_are_fail_then_review_then_waived_by_severity(html_zh: str) -> None:
    positions = [html_zh.index(f"<code>{rule}</code> <span class=\"title\">")
                 for rule in ("FACE-003", "FACE-002", "SDK-001", "MIN-001")]
    assert positions == sorted(positions)  # critical FAIL, high FAIL, UNKNOWN, WAIVED


def test_sections_come_in_reading_order(html_zh: str) -> None:
    apk = html_zh[html_zh.index('id="target-1"'):html_zh.index('id="target-2"')]
    order = ["发现的问题", "合规项", "不适用的规则", "事实清单", "该对象的错误"]
    assert [apk.index(h) for h in order] == sorted(apk.index(h) for h in order)


def test_pass_shows_the_alternative_methods_that_support_it(html_zh: str) -> None:
    passes = html_zh[html_zh.index("<h3>合规项</h3>"):html_zh.index("<h3>不适用的规则</h3>")]
    assert "FACE-001" in passes
    # the alternatives as sentences in words, with the text the app shows
    assert "提供人脸以外的通行方式：门禁卡（适用：业主和住户）" in passes and "门禁卡开门" in passes
    assert "access.alternative_method" not in passes and "residents" not in passes


def test_face_sdk_row_is_highlighted_and_plain_sdk_is_not(html_zh: str) -> None:
    sdks = html_zh[html_zh.index('class="facts facts-sdks"'):]
    sdks = sdks[:sdks.index("</table>")]
    assert re.search(r'<tr class="highlight"><td class="wrap">arcsoft</td>', sdks)
    assert re.search(r"<tr><td class=\"wrap\">umeng</td>", sdks)


def test_policy_practices_and_checklist_are_listed(html_zh: str) -> None:
    assert "我们会在您使用刷脸开门时采集您的人脸图像。" in html_zh
    assert "一、我们如何收集您的信息" in html_zh and "120–141" in html_zh
    assert re.search(r'<td>保存期限</td><td class="no">否</td>', html_zh)  # items by name, never the key
    assert re.search(r'<td>联系方式</td><td class="yes">是</td>', html_zh)
    assert ">retention<" not in html_zh and "“retention”" not in html_zh


def test_target_and_run_errors_are_shown(html_zh: str) -> None:
    assert "assets/privacy.html: not valid UTF-8" in html_zh
    assert "not an APK (no AndroidManifest.xml)" in html_zh


def test_batch_summary_ranks_worst_first_with_company_and_region() -> None:
    html = render("html", batch_report())
    summary = html[html.index("<section class=\"summary\">"):html.index("</section>")]
    assert [summary.index(c) for c in ("乙物业", "甲物业", "丙物业")] == sorted(
        summary.index(c) for c in ("乙物业", "甲物业", "丙物业"))
    assert "宁波" in summary and "<th rowspan=\"2\">企业</th>" in summary


def test_single_target_summary_has_no_company_column(html_zh: str) -> None:
    assert "<th rowspan=\"2\">企业</th>" not in html_zh
