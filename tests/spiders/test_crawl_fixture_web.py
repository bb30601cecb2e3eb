"""End-to-end: crawl the loopback fixture web, then rebuild every company's evidence offline."""

from __future__ import annotations

import gzip
import hashlib
import json
from pathlib import Path

from conftest import Crawled

from scanner.campaign.crawl import site_targets
from scanner.extractors.page_text import PAGE_EXTRACTORS
from scanner.model import Evidence
from scanner.sources.web import SiteSource, read_warc_payload


def evidence_of(site: SiteSource) -> list[Evidence]:
    return [ev for spec in PAGE_EXTRACTORS for ev in spec.run(site, [])]


def sites_by_name(out: Path) -> dict[str, SiteSource]:
    sites, errors = site_targets(out)
    assert errors == []
    return {s.label: s for s in sites}


def of_kind(evidence: list[Evidence], kind: str, **attrs: object) -> list[Evidence]:
    return [e for e in evidence if e.kind == kind and all(e.attrs.get(k) == v for k, v in attrs.items())]


def test_crawl_writes_warc_and_index_whose_hashes_match_the_bodies(crawled: Crawled) -> None:
    captures = crawled.out / "captures"
    assert crawled.result.exit_code == 0
    assert crawled.result.warc_path.is_file() and crawled.result.warc_path.name.startswith("crawl-")
    with gzip.open(crawled.result.warc_path) as fh:
        assert fh.read(8) == b"WARC/1.0"
    lines = [json.loads(l) for l in (captures / "index.jsonl").read_text(encoding="utf-8").splitlines()]
    fields = {"company", "url", "final_url", "status", "fetched_at", "sha256", "content_type", "warc_file",
              "warc_offset", "error"}
    assert all(fields <= set(line) for line in lines)
    pages = [l for l in lines if l["kind"] == "page" and l["status"] == 200]
    assert len(pages) >= 10
    for line in pages:
        body = read_warc_payload(captures / line["warc_file"], line["warc_offset"])
        assert hashlib.sha256(body).hexdigest() == line["sha256"]


def test_robots_disallowed_and_offsite_urls_were_never_requested(crawled: Crawled) -> None:
    web = crawled.web
    assert web.developer.requested("/robots.txt")
    assert not web.developer.requested("/private/secret.html")
    assert not web.developer.requested("/only-from-b.html")  # linked only from the other company's site
    assert not web.property_mgr.requested("/from-developer.html")  # linked only from the developer's site
    assert web.developer.requested("/notice/sales.html")  # the crawl did reach ordinary pages
    [agent] = web.developer.user_agents
    assert agent.startswith("fangcun/") and "contact: audit@example.org" in agent


def test_every_bad_url_becomes_an_error_line_not_a_crash(crawled: Crawled) -> None:
    messages = {e.message.split(": ", 1)[1] for e in crawled.result.errors if ": " in e.message}
    by_company = {(e.input, e.message.split(": ", 1)[1]) for e in crawled.result.errors}
    assert ("无名公司", "DNS lookup failed") in by_company
    assert ("关门公司", "connection refused") in by_company
    assert "HTTP 404" in messages and "HTTP 500" in messages
    assert "too large (over the download size limit)" in messages
    assert "malformed or truncated response" in messages
    assert "timed out" in messages
    assert "redirect loop" in messages
    assert "disallowed by robots.txt (not fetched)" in messages
    assert not any("robots.txt: HTTP 404" in e.message for e in crawled.result.errors)


def test_progress_is_relayed_live_per_company(crawled: Crawled) -> None:
    companies = {c for c, _ in crawled.progress}
    assert {"阳光地产", "幸福物业", "和谐家园"} <= companies
    assert any("notice/sales.html" in m for _, m in crawled.progress)


def test_downloaded_apk_is_saved_by_hash_and_linked_to_its_company(crawled: Crawled) -> None:
    [app] = crawled.result.apps
    assert app.company == "阳光地产"
    assert app.path.name == f"{app.sha256}.apk"
    assert hashlib.sha256(app.path.read_bytes()).hexdigest() == app.sha256


def test_sales_office_notice_states_capture_for_channel_and_commission_without_signage(crawled: Crawled) -> None:
    evidence = evidence_of(sites_by_name(crawled.out)["阳光地产"])
    sales = [e for e in evidence if e.location.uri.endswith("/notice/sales.html")]
    notices = of_kind(sales, "web.face_capture_notice", place="sales_office")
    assert {e.attrs["purpose"] for e in notices} == {"channel_attribution", "commission"}
    assert all(e.attrs["signage"] is False for e in notices)
    assert {e.key for e in of_kind(sales, "face.capture")} == {"marketing"}
    # findings point to URL, time and hash; the phone number in the page never reaches a snippet
    page = next(p for p in sites_by_name(crawled.out)["阳光地产"].pages if p.final_url.endswith("/notice/sales.html"))
    assert notices[0].location.logical == f"{page.fetched_at} sha256:{page.sha256[:16]}"
    assert all("13912345678" not in e.location.snippet for e in evidence)


def test_negated_script_style_and_hidden_text_state_no_face_capture(crawled: Crawled) -> None:
    evidence = evidence_of(sites_by_name(crawled.out)["阳光地产"])
    faces = of_kind(evidence, "web.face_capture_notice") + of_kind(evidence, "face.capture")
    assert not [e for e in faces if e.location.uri.endswith(("/notice/statement.html", "/register.html"))]
    home = [e for e in faces if e.location.uri.rstrip("/").count("/") == 2]
    assert home == []  # <script>, <style> and display:none text is not visible


def test_gbk_page_and_pdf_notice_are_decoded(crawled: Crawled) -> None:
    evidence = evidence_of(sites_by_name(crawled.out)["阳光地产"])
    gbk = of_kind(evidence, "web.face_capture_notice", purpose="customer_identification")
    assert gbk and gbk[0].location.uri.endswith("/gbk.html") and "营销中心" in gbk[0].location.snippet
    assert not of_kind(evidence, "web.face_capture_notice", purpose="marketing", signage=True)
    pdf = [e for e in of_kind(evidence, "web.face_capture_notice") if e.location.uri.endswith(".pdf")]
    assert [e.attrs["purpose"] for e in pdf] == ["marketing"]


def test_form_over_http_asking_id_and_face_photo(crawled: Crawled) -> None:
    evidence = evidence_of(sites_by_name(crawled.out)["阳光地产"])
    [form] = of_kind(evidence, "web.personal_data_form")
    assert form.attrs["fields"] == ["face_photo", "id_number", "name"]
    assert form.attrs["https"] is False and form.attrs["action_https"] is False
    assert form.attrs["policy_link"] is False


def test_app_download_and_policy_document(crawled: Crawled) -> None:
    site = sites_by_name(crawled.out)["阳光地产"]
    evidence = evidence_of(site)
    assert [e.key.rsplit("/", 1)[-1] for e in of_kind(evidence, "web.app_download")] == ["yangguang.apk"]
    [policy] = of_kind(evidence, "policy.document")
    assert policy.key.endswith("/privacy.html") and policy.attrs["source"] == "page"
    assert site.attributes["apks"] == 1 and site.attributes["pdfs"] == 1
    assert site.attributes["credit_code"] == "91320500TEST00001" and site.attributes["region"] == "苏州"


def test_redirect_keeps_requested_and_final_url(crawled: Crawled) -> None:
    site = sites_by_name(crawled.out)["阳光地产"]
    moved = [p for p in site.pages if p.final_url.endswith("/moved.html")]
    assert moved and moved[0].url.endswith("/old")


def test_face_only_community_notice(crawled: Crawled) -> None:
    evidence = evidence_of(sites_by_name(crawled.out)["幸福物业"])
    [context] = of_kind(evidence, "context.access_control")
    assert context.attrs["face_only"] is True
    assert of_kind(evidence, "access.alternative_method") == []  # "不再支持刷卡" withdraws the card
    assert of_kind(evidence, "face.capture", purpose="access_control")


def test_community_notice_with_card_and_qr_alternatives(crawled: Crawled) -> None:
    evidence = evidence_of(sites_by_name(crawled.out)["和谐家园"])
    [context] = of_kind(evidence, "context.access_control")
    assert context.attrs["face_only"] is False
    methods = {(e.attrs["method"], e.attrs["for"]) for e in of_kind(evidence, "access.alternative_method")}
    assert methods == {("card", "residents"), ("qr", "residents"), ("qr", "visitors")}


def test_unreachable_companies_are_sites_with_problems_and_no_pages(crawled: Crawled) -> None:
    sites = sites_by_name(crawled.out)
    assert sites["无名公司"].pages == () and sites["无名公司"].problems
    assert evidence_of(sites["关门公司"]) == []


# Stops the servers, so it stays the last test of this module (pytest keeps file order).
def test_site_targets_rebuild_the_same_evidence_offline(crawled: Crawled) -> None:
    before = {name: sorted(e.id for e in evidence_of(s)) for name, s in sites_by_name(crawled.out).items()}
    crawled.web.stop()
    after_sites = sites_by_name(crawled.out)
    after = {name: sorted(e.id for e in evidence_of(s)) for name, s in after_sites.items()}
    assert after == before and before["阳光地产"]
    assert after_sites["阳光地产"].sha256 == sites_by_name(crawled.out)["阳光地产"].sha256
