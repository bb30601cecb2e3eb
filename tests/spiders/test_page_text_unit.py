"""page_text facts on single pages (positive and negative cases), without a crawl."""

from __future__ import annotations

import hashlib
import random
from io import BytesIO
from pathlib import Path

import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from scanner.extractors.page_text import PAGE_EXTRACTORS, page_facts
from scanner.model import Evidence
from scanner.sources.policy import decode_document, soup_text, too_deeply_nested, visible_soup
from scanner.sources.web import CapturedPage, SiteSource


def captured(tmp_path: Path, body: bytes, url: str = "http://dev.example.cn/a.html",
             content_type: str = "text/html; charset=utf-8") -> CapturedPage:
    warc = tmp_path / f"{hashlib.sha256(body).hexdigest()[:8]}.warc.gz"
    with warc.open("wb") as fh:
        writer = WARCWriter(fh, gzip=True)
        headers = StatusAndHeaders("200 OK", [("Content-Type", content_type)], protocol="HTTP/1.1")
        writer.write_record(writer.create_warc_record(url, "response", payload=BytesIO(body), http_headers=headers))
    return CapturedPage(url, url, 200, "2025-06-01T00:00:00Z", hashlib.sha256(body).hexdigest(), content_type,
                        "测试公司", warc, 0)


def facts(tmp_path: Path, html: str, url: str = "http://dev.example.cn/a.html") -> list[Evidence]:
    return page_facts(captured(tmp_path, f"<html><body>{html}</body></html>".encode(), url))


def kinds(evidence: list[Evidence]) -> set[str]:
    return {e.kind for e in evidence}


@pytest.mark.parametrize("sentence", [
    "本售楼处不采集人脸信息。",
    "样板间未安装人脸识别设备。",
    "我们不会在案场使用人脸识别。",
])
def test_negated_sentences_are_not_notices(tmp_path: Path, sentence: str) -> None:
    assert "web.face_capture_notice" not in kinds(facts(tmp_path, f"<p>{sentence}</p>"))


def test_signage_is_true_only_when_the_page_mentions_a_sign(tmp_path: Path) -> None:
    signed = facts(tmp_path, "<p>售楼处入口已设置显著提示标识：您已进入人脸识别区域。</p>")
    assert {e.attrs["signage"] for e in signed if e.kind == "web.face_capture_notice"} == {True}
    unsigned = facts(tmp_path, "<p>售楼处入口未设置提示标识，设有人脸识别摄像头。</p>")
    assert {e.attrs["signage"] for e in unsigned if e.kind == "web.face_capture_notice"} == {False}


def test_security_purpose_and_other_place(tmp_path: Path) -> None:
    evidence = facts(tmp_path, "<p>本商场设有人脸识别摄像头，仅用于公共安全。</p>")
    [notice] = [e for e in evidence if e.kind == "web.face_capture_notice"]
    assert notice.attrs == {"place": "other", "purpose": "security", "signage": False}


def test_no_community_context_without_door_words(tmp_path: Path) -> None:
    evidence = facts(tmp_path, "<p>物业缴费支持刷卡和二维码支付。</p>")
    assert not kinds(evidence) & {"context.access_control", "access.alternative_method"}


def test_form_over_https_with_policy_link_and_a_form_without_personal_fields(tmp_path: Path) -> None:
    html = ('<div><form action="https://dev.example.cn/s"><input name="mobilePhone" placeholder="手机号">'
            '<input type="checkbox"> 我已阅读<a href="/p">《隐私政策》</a></form></div>'
            '<form action="/search"><input name="q" placeholder="搜索楼盘"></form>')
    [form] = [e for e in facts(tmp_path, html, "https://dev.example.cn/a.html") if e.kind == "web.personal_data_form"]
    assert form.attrs == {"fields": ["phone"], "https": True, "action_https": True, "policy_link": True}


def test_no_app_download_or_policy_on_an_ordinary_page(tmp_path: Path) -> None:
    evidence = facts(tmp_path, '<h1>楼盘动态</h1><a href="/news/1.html">下载中心公告</a>')
    assert not kinds(evidence) & {"web.app_download", "policy.document"}


def test_english_privacy_policy_title(tmp_path: Path) -> None:
    evidence = facts(tmp_path, "<title>Privacy Policy</title><p>We collect your phone number.</p>")
    [doc] = [e for e in evidence if e.kind == "policy.document"]
    assert doc.attrs["language"] == "en"


def test_id_numbers_are_redacted_in_snippets(tmp_path: Path) -> None:
    evidence = facts(tmp_path, "<p>售楼处人脸识别用于判客，登记人身份证号320502199001011234。</p>")
    assert evidence and all("320502199001011234" not in e.location.snippet for e in evidence)


def test_gbk_without_declaration_is_sniffed_and_hidden_text_dropped() -> None:
    body = "<p>营销中心人脸识别</p><p hidden>隐藏的人脸识别</p><script>var a='刷脸'</script>".encode("gbk")
    markup, codec = decode_document(body, uri="gbk-page")
    assert markup == body.decode("gbk") and codec == "gb18030"
    text = soup_text(visible_soup(markup)[0])
    assert "营销中心人脸识别" in text and "隐藏" not in text and "刷脸" not in text


@pytest.mark.parametrize("body, content_type", [
    (bytes(random.Random(5).randrange(256) for _ in range(30000)), "text/html"),
    (b"<div>" * 60000 + "售楼处人脸识别用于判客".encode() + b"</div>" * 60000, "text/html; charset=utf-8"),
    ("<html><p>案场人脸抓拍<script>var a = '".encode("gbk"), "text/html"),
    (b"%PDF-1.7\n" + bytes(range(256)) * 40, "application/pdf"),
    (b"", "text/html"),
], ids=["random-bytes", "nested-60000-deep", "unclosed-gbk", "broken-pdf", "empty"])
def test_damaged_pages_state_nothing_false_and_never_crash(tmp_path: Path, body: bytes, content_type: str) -> None:
    site = SiteSource(uri="http://dev.example.cn/", label="测试公司", sha256="0" * 64, attributes={},
                      pages=(captured(tmp_path, body, content_type=content_type),), apk_links=(), problems=())
    evidence = list(PAGE_EXTRACTORS[0].run(site, ()))  # the extractor, as the pipeline calls it
    assert all(e.location.uri == "http://dev.example.cn/a.html" for e in evidence)


def test_pathologically_nested_page_is_read_by_its_words(tmp_path: Path) -> None:
    # building a tree 60,000 levels deep takes minutes; the page's words are read without one
    body = b"<div>" * 60000 + "<p>售楼处人脸识别用于判客</p>".encode() + b"</div>" * 60000
    assert too_deeply_nested(body.decode())
    assert "web.face_capture_notice" in kinds(page_facts(captured(tmp_path, body)))
