"""Captured pages and app texts shaped to make pattern matching backtrack or re-read: a page of one
text node, floods of unclosed tags, comments and scripts, forms of thousands of fields, links by the
thousand, a string resource of a million characters, URL-like runs. Each is read in bounded time (a
second or so here; the bound only catches the minutes-to-hours blow-ups that an unclosed "<a<a<a…"
or a per-term re-read of a page-long clause gave) and still yields the fact planted beside it.

Next to them, one positive case per pattern changed for this: it still finds what it found before.
"""

from __future__ import annotations

import hashlib
import io
import time
import zipfile
from collections.abc import Callable, Iterable
from pathlib import Path

import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from scanner.extractors import apk_endpoints, apk_strings
from scanner.extractors.page_text import page_facts
from scanner.extractors.text_utils import NEGATION_REACH, affirmed_matches, phrase_regex, snippet
from scanner.model import Evidence
from scanner.sources.apk import open_apk
from scanner.sources.policy import decode_document, stripped_text, too_deeply_nested
from scanner.sources.web import CapturedPage
from tests.extractors.fakes import FakeDex, FakeSource

SIZE = 200_000
MILLION = 1_000_000
# generous: linear reading takes well under a second; a quadratic pattern takes minutes here
BOUND_SECONDS = 20.0
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "apks"


def timed(read: Callable[[], list[Evidence]], name: str) -> list[Evidence]:
    started = time.perf_counter()
    evidence = read()
    elapsed = time.perf_counter() - started
    assert elapsed < BOUND_SECONDS, f"{name}: {elapsed:.1f} s"
    return evidence


def kinds(evidence: Iterable[Evidence]) -> set[str]:
    return {e.kind for e in evidence}


# ———————————————————————————— captured pages ————————————————————————————

NOTICE = "<p>售楼处设有人脸识别摄像头，用于客户识别。</p>"
NESTED = "<div>" * 500  # deeper than any real page: read by the plain tag strip


def flood(unit: str, size: int = SIZE) -> str:
    return unit * (size // len(unit))


PAGES: dict[str, tuple[str, str]] = {  # name → (HTML, the fact it still states)
    "one text node of terms": ("<p>" + flood("售楼处人脸识别") + "</p>", "web.face_capture_notice"),
    "one text node of negated terms": (NOTICE + "<p>" + flood("不刷脸") + "</p>", "web.face_capture_notice"),
    "one text node of digits": (NOTICE + "<p>" + flood("1") + "</p>", "web.face_capture_notice"),
    "one text node of spaces": (NOTICE + "<p>" + flood(" \t") + "x</p>", "web.face_capture_notice"),
    "100 k attributes": ("<div " + " ".join(f'a{i}="v"' for i in range(100_000)) + ">" + NOTICE + "</div>",
                         "web.face_capture_notice"),
    "hidden-style attributes": (NOTICE + flood('<span style="display  :  block">x</span>'), "web.face_capture_notice"),
    "form of 50 k inputs": ('<form action="/s">' + '<input name="phone">' * 50_000 + "</form>",
                            "web.personal_data_form"),
    "form of labelled inputs": ('<form action="/s"><label>姓名' + "<input>" * 20_000 + "</label>"
                                + "".join(f'<label for="i{i}">手机</label><input id="i{i}">' for i in range(10_000))
                                + "</form>", "web.personal_data_form"),
    "form of inputs between words": ('<form action="/s">' + flood("姓名<input>") + "</form>", "web.personal_data_form"),
    "forms sharing one parent": ("<div>" + '<form><input name="phone"></form>' * 5_000
                                 + '<a href="/l">链接</a>' * 5_000 + "</div>", "web.personal_data_form"),
    "thousands of links": ("".join(f'<a href="/d{i}.apk">下载App</a>' for i in range(10_000)), "web.app_download"),
    "unclosed comments": (NOTICE + flood("<!--"), "web.face_capture_notice"),
    "unclosed CDATA": (NOTICE + flood("<![CDATA["), "web.face_capture_notice"),
    "unclosed tags": (NOTICE + flood("<a"), "web.face_capture_notice"),
    "unclosed scripts": (NOTICE + flood("<script"), "web.face_capture_notice"),
    "unclosed meta tags": (NOTICE + flood("<meta"), "web.face_capture_notice"),
    "less-than signs": (NOTICE + flood("<"), "web.face_capture_notice"),
    # the plain tag strip reads these: larger, as each of its patterns alone would take seconds, not minutes
    "nested, then unclosed tags": (NESTED + NOTICE + flood("<p", 2 * SIZE), "web.face_capture_notice"),
    "nested, then less-than signs": (NESTED + NOTICE + flood("<", 2 * SIZE), "web.face_capture_notice"),
    "nested, then unclosed comments": (NESTED + NOTICE + flood("<!--", 2 * SIZE), "web.face_capture_notice"),
    "nested, then unclosed scripts and styles": (NESTED + NOTICE + flood("<script") + flood("<style"),
                                                 "web.face_capture_notice"),
    "nested, then closed comments": (NESTED + NOTICE + flood("<!-- x -->", 2 * SIZE), "web.face_capture_notice"),
}


def captured(tmp_path: Path, body: bytes) -> CapturedPage:
    url, content_type = "http://dev.example.cn/a.html", "text/html; charset=utf-8"
    warc = tmp_path / "page.warc.gz"
    with warc.open("wb") as fh:
        writer = WARCWriter(fh, gzip=True)
        headers = StatusAndHeaders("200 OK", [("Content-Type", content_type)], protocol="HTTP/1.1")
        writer.write_record(writer.create_warc_record(url, "response", payload=io.BytesIO(body), http_headers=headers))
    return CapturedPage(url, url, 200, "2025-06-01T00:00:00Z", hashlib.sha256(body).hexdigest(), content_type,
                        "测试公司", warc, 0)


@pytest.mark.parametrize("name", sorted(PAGES))
def test_adversarial_page_is_read_in_bounded_time(tmp_path: Path, name: str) -> None:
    html, expected = PAGES[name]
    page = captured(tmp_path, f"<html><body>{html}".encode())  # unclosed: a ">" at the end would end every run
    assert expected in kinds(timed(lambda: page_facts(page), name))


# ———————————————————————————— app texts ————————————————————————————

STRINGS: dict[str, tuple[str, str]] = {  # name → (one string resource, the fact it still states)
    "a million chars of one UI phrase": (flood("人脸登录", MILLION), "ui.text"),
    "negated phrases without a comma": ("刷卡开门" + flood("不需要刷脸开门"), "access.alternative_method"),
    "digits": ("刷卡开门 " + flood("1"), "access.alternative_method"),
    "separate-consent phrases without a face": ("刷卡开门 " + flood("单独同意"), "access.alternative_method"),
    "policy mentions before clicks": ("刷卡开门 " + flood("隐私政策点击"), "access.alternative_method"),
    "agreement brackets": ("刷卡开门 " + flood("同意《隐私"), "access.alternative_method"),
    "http schemes": ("https://api.example.cn/v1 " + flood("http://"), "network.endpoint"),
    "dots after a scheme": ("https://api.example.cn/v1 http://" + flood("."), "network.endpoint"),
    "hex after a scheme": ("https://api.example.cn/v1 http://" + flood("0f"), "network.endpoint"),
    "labels and dashes": ("https://api.example.cn/v1 http://" + flood("a.-"), "network.endpoint"),
    "spaces and newlines": ("刷卡开门" + flood(" \n"), "access.alternative_method"),
}


def app_facts(source: FakeSource) -> list[Evidence]:
    return list(apk_strings.run(source, ())) + list(apk_endpoints.run(source, ()))


@pytest.mark.parametrize("name", sorted(STRINGS))
def test_adversarial_string_resource_is_read_in_bounded_time(name: str) -> None:
    text, expected = STRINGS[name]
    source = FakeSource(resource_strings=(("s", text),))
    assert expected in kinds(timed(lambda: app_facts(source), name))


@pytest.mark.parametrize("name", sorted(STRINGS))
def test_adversarial_dex_string_and_layout_text_are_read_in_bounded_time(name: str) -> None:
    text, expected = STRINGS[name]
    source = FakeSource(dex=FakeDex(extra_strings=(text,)), layout_texts=(("res/layout/a.xml", text),))
    assert expected in kinds(timed(lambda: app_facts(source), name))


ASSETS = {
    "assets/www/one_node.html": "<p>" + flood("人脸登录", 5 * 2**20 // 3) + "</p>",
    "assets/www/nested.html": NESTED + flood("<a") + flood("<!--") + flood("<script"),
    "assets/www/unclosed.html": "<html>" + flood("<p"),
    "assets/www/app.js": "var tip = '您也可以刷卡开门';\nvar s = '" + flood("http://") + "';",
    "assets/data.json": '{"a": "' + flood("1") + '"}',
    "assets/notes.txt": flood("a.b@c"),
}


def test_app_with_adversarial_assets_is_read_in_bounded_time(tmp_path: Path) -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(FIXTURES / "dooralt.apk") as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            zout.writestr(info.filename, zin.read(info.filename))
        for name, text in ASSETS.items():
            zout.writestr(name, text.encode())
    path = tmp_path / "assets.apk"
    path.write_bytes(out.getvalue())
    facts = timed(lambda: app_facts(open_apk(path)), "assets")
    assert any(e.kind == "access.alternative_method" and e.location.logical == "assets/www/app.js" for e in facts)


# ———————————————————————————— the changed patterns still find what they found ————————————————————————————


def test_declared_charset_in_meta_and_xml_declaration_is_still_read() -> None:
    text = "人脸信息".encode("gbk")
    meta = b'<html><head><meta http-equiv="Content-Type" content="text/html; charset=gbk"></head><p>' + text
    assert decode_document(meta, uri="m.html") == ("<html><head><meta http-equiv=\"Content-Type\" "
                                                   "content=\"text/html; charset=gbk\"></head><p>人脸信息", "gb18030")
    xml = b'<?xml version="1.0" encoding="gb2312"?><html><p>' + text
    assert decode_document(xml, uri="x.html")[1] == "gb18030"
    assert decode_document(b"<meta" * 5000 + "人脸".encode(), uri="f.html")[1] == "utf-8"


def test_nesting_depth_is_still_counted_before_an_unclosed_run() -> None:
    assert too_deeply_nested("<div>" * 401 + "<a" * 10_000)
    assert not too_deeply_nested("<div>" * 10 + "<a" * 10_000)
    assert not too_deeply_nested(("<div>" * 400 + "</div>" * 400) * 2 + "<a" * 10_000)


def test_plain_tag_strip_still_drops_comments_scripts_and_tags() -> None:
    markup = ("<!-- 人脸 --><SCRIPT>var a = '人脸';</script ><style>p{}</style><p>我们采集人脸信息</p>"
              "<div>门禁</div><template>模板</template>&amp;<noscript>x</noscript><b>完</b>")
    assert stripped_text(markup) == "我们采集人脸信息\n门禁\n& 完"
    # a start tag without its end tag stays as text to strip; a later closed block still goes
    assert stripped_text("<p>甲</p><style>乙<script>丙</script><p>丁") == "甲\n乙\n丁"
    assert stripped_text("<p>甲</p><!-- 乙") == "甲\n<!-- 乙"


def test_negation_reaches_back_within_its_clause_up_to_its_bound() -> None:
    negation = apk_strings.ui_lexicon().negation
    pattern = phrase_regex(["刷脸开门"])

    def affirmed(text: str) -> list[str]:
        return [m.group(0) for m in affirmed_matches(pattern, text, negation)]

    assert affirmed("无需" + "很" * (NEGATION_REACH - 10) + "刷脸开门") == []
    assert affirmed("无需" + "很" * (NEGATION_REACH + 10) + "刷脸开门") == ["刷脸开门"]
    assert affirmed("无需钥匙，" + "很" * 10 + "刷脸开门") == ["刷脸开门"]


def test_page_negation_still_cancels_a_term_in_its_clause(tmp_path: Path) -> None:
    page = captured(tmp_path, "<p>本售楼处不采集人脸信息。</p><p>本售楼处设有人脸识别设备，用于判客。</p>".encode())
    notices = [e for e in page_facts(page) if e.kind == "web.face_capture_notice"]
    assert [(e.attrs["place"], e.attrs["purpose"]) for e in notices] == [("sales_office", "channel_attribution")]


def test_form_fields_are_still_named_by_label_enclosing_label_and_text_before(tmp_path: Path) -> None:
    html = ('<form action="/s"><label for="n">姓名</label><input id="n">'
            '<label>手机号<input name="x"></label>身份证号<input name="y"><input name="z"></form>'
            '<form action="/q"><input name="q"></form>')
    page = captured(tmp_path, f"<html><body>{html}</body></html>".encode())
    [form] = [e for e in page_facts(page) if e.kind == "web.personal_data_form"]
    assert form.attrs["fields"] == ["id_number", "name", "phone"]
    assert form.location.snippet == "表单字段：姓名、手机号、身份证号、身份证号"


def test_snippet_of_a_long_text_is_redacted_and_short() -> None:
    out = snippet("联系电话 13812345678 " * 100_000)
    assert out.startswith("联系电话 138****5678 联系电话") and len(out) == 120 and "12345678" not in out
    assert snippet("  \n " * 100_000 + "手机 13812345678") == "手机 138****5678"


def test_each_ui_phrase_states_its_fact_once_per_text() -> None:
    source = FakeSource(resource_strings=(("s", "人脸登录，刷脸登录，人脸登录"), ("t", "刷卡开门或刷卡通行")))
    facts = app_facts(source)
    assert sorted(e.key for e in facts if e.kind == "ui.text") == ["人脸登录", "刷脸登录"]
    assert [e.key for e in facts if e.kind == "access.alternative_method"] == ["card"]


def test_separate_consent_still_needs_a_face_term_nearby() -> None:
    def separate(text: str) -> list[Evidence]:
        return [e for e in app_facts(FakeSource(resource_strings=(("s", text),))) if e.kind == "consent.separate_face"]

    assert separate("刷脸前我们将取得您的单独同意")
    assert separate("We ask for your 单独同意 before Face login")
    assert not separate("单独同意" * 1000)
    assert not separate("人脸" + "，" * 100 + "单独同意")
