"""Persist captures: every HTTP exchange as WARC request + response records, one index line each.

`CaptureMiddleware` sits next to the downloader, so it sees every raw exchange (robots.txt,
redirect hops, error pages) before Scrapy's middlewares rewrite or drop it. `CapturePipeline`
records what the spider reports besides exchanges: failed requests, APK links, downloaded APKs.
Both write through one `CaptureStore` per crawl. Nothing here judges content.
"""

from __future__ import annotations

import hashlib
import json
import logging
import zlib
from datetime import UTC, datetime
from http.client import responses as HTTP_REASONS
from io import BytesIO
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from spiders.items import ApkFile, ApkLink, FetchError

progress_log = logging.getLogger("fangcun.progress")
LOOP = "redirect loop"  # the error text of a redirect back to a hop already visited

# Headers describing the wire framing, not the payload we store (Scrapy hands over de-chunked bodies).
_FRAMING_HEADERS = {b"transfer-encoding"}


def utc_now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def decoded_payload(headers: dict[bytes, list[bytes]], body: bytes) -> bytes:
    """The body as a reader sees it: gzip/deflate content-encoding removed (what the index hashes)."""
    encoding = b",".join(headers.get(b"content-encoding", [])).strip().lower()
    try:
        if encoding in (b"gzip", b"x-gzip"):
            return zlib.decompress(body, 16 + zlib.MAX_WBITS)
        if encoding == b"deflate":
            try:
                return zlib.decompress(body)
            except zlib.error:
                return zlib.decompress(body, -zlib.MAX_WBITS)
    except zlib.error:
        return body
    return body


class CaptureStore:
    """One WARC file and one index for a crawl. Offsets are record starts (each record is its own
    gzip member), so a reader can seek straight to a page."""

    def __init__(self, warc_path: Path, index_path: Path, apps_dir: Path, crawl_id: str) -> None:
        warc_path.parent.mkdir(parents=True, exist_ok=True)
        self.warc_path = warc_path
        self.apps_dir = apps_dir
        self.crawl_id = crawl_id
        self._warc = warc_path.open("ab")
        self._writer = WARCWriter(self._warc, gzip=True)
        self._index = index_path.open("a", encoding="utf-8")

    def close(self) -> None:
        self._warc.close()
        self._index.close()

    def write_exchange(self, company: str, kind: str, request: Request, response: Response | None,
                       error: str, extra: dict[str, Any] | None = None) -> None:
        fetched_at = utc_now()
        offset = self._warc.tell()
        self._write_request(request, fetched_at)
        line: dict[str, Any] = {
            "kind": kind,
            "company": company,
            "url": _first_url(request),
            "final_url": request.url,
            "status": 0,
            "fetched_at": fetched_at,
            "sha256": "",
            "content_type": "",
            "error": error,
        }
        if response is not None:
            headers = {k.lower(): list(v) for k, v in response.headers.items()}
            payload = decoded_payload(headers, response.body)
            offset = self._write_response(response, fetched_at)
            line.update(
                status=response.status,
                final_url=response.url,
                sha256=hashlib.sha256(payload).hexdigest(),
                content_type=(response.headers.get(b"Content-Type") or b"").decode("latin-1"),
            )
        line.update(extra or {})
        self._append_index(line, offset)

    def write_fetch_error(self, item: FetchError) -> None:
        self._append_index(
            {"kind": "error", "company": item.company, "url": item.url, "final_url": item.url,
             "status": 0, "fetched_at": utc_now(), "sha256": "", "content_type": "", "error": item.error},
            None,
        )

    def write_apk_link(self, item: ApkLink) -> None:
        self._append_index(
            {"kind": "apk_link", "company": item.company, "url": item.url, "final_url": item.url,
             "status": 0, "fetched_at": utc_now(), "sha256": "", "content_type": "", "error": "",
             "source_url": item.source_url, "label": item.label},
            None,
        )

    def save_apk(self, item: ApkFile) -> None:
        digest = hashlib.sha256(item.body).hexdigest()
        self.apps_dir.mkdir(parents=True, exist_ok=True)
        path = self.apps_dir / f"{digest}.apk"
        if not path.exists():
            path.write_bytes(item.body)
        self._append_index(
            {"kind": "apk_file", "company": item.company, "url": item.url, "final_url": item.final_url,
             "status": 200, "fetched_at": utc_now(), "sha256": digest,
             "content_type": "application/vnd.android.package-archive", "error": "",
             "path": str(path.relative_to(self.apps_dir.parent))},
            None,
        )

    def _write_request(self, request: Request, fetched_at: str) -> None:
        target = request.url.split("://", 1)[-1].split("/", 1)
        path = "/" + (target[1] if len(target) > 1 else "")
        headers = [(k.decode("latin-1"), b", ".join(v).decode("latin-1")) for k, v in request.headers.items()]
        headers.insert(0, ("Host", target[0]))
        http_headers = StatusAndHeaders(f"{request.method} {path} HTTP/1.1", headers, is_http_request=True)
        record = self._writer.create_warc_record(
            request.url, "request", payload=BytesIO(request.body or b""), http_headers=http_headers,
            warc_headers_dict={"WARC-Date": fetched_at},
        )
        self._writer.write_record(record)

    def _write_response(self, response: Response, fetched_at: str) -> int:
        reason = HTTP_REASONS.get(response.status, "Unknown")  # Scrapy does not keep the server's phrase
        headers = [
            (k.decode("latin-1"), b", ".join(v).decode("latin-1"))
            for k, v in response.headers.items()
            if k.lower() not in _FRAMING_HEADERS
        ]
        http_headers = StatusAndHeaders(f"{response.status} {reason}", headers, protocol="HTTP/1.1")
        record = self._writer.create_warc_record(
            response.url, "response", payload=BytesIO(response.body), http_headers=http_headers,
            warc_headers_dict={"WARC-Date": fetched_at},
        )
        offset = self._warc.tell()
        self._writer.write_record(record)
        return offset

    def _append_index(self, line: dict[str, Any], offset: int | None) -> None:
        line["crawl_id"] = self.crawl_id
        line["warc_file"] = self.warc_path.name if offset is not None else ""
        line["warc_offset"] = offset if offset is not None else -1
        self._index.write(json.dumps(line, ensure_ascii=False, sort_keys=True) + "\n")
        self._index.flush()
        verdict = line["error"] or f"{line['kind']} {line['status'] or ''}".strip()
        progress_log.info("%s %s", verdict, line["final_url"], extra={"company": line["company"]})


def capture_store(crawler: Crawler) -> CaptureStore:
    """The crawl's single store, created on first use and closed when the engine stops."""
    store = getattr(crawler, "_fangcun_capture_store", None)
    if store is None:
        settings = crawler.settings
        store = CaptureStore(
            Path(settings["FANGCUN_WARC_PATH"]),
            Path(settings["FANGCUN_INDEX_PATH"]),
            Path(settings["FANGCUN_APPS_DIR"]),
            settings["FANGCUN_CRAWL_ID"],
        )
        crawler._fangcun_capture_store = store  # type: ignore[attr-defined]
        crawler.signals.connect(store.close, signal=signals.engine_stopped)
    return store


def _first_url(request: Request) -> str:
    """The URL originally asked for, before any redirect."""
    chain = request.meta.get("redirect_urls") or [request.url]
    return chain[0]


class CaptureMiddleware:
    """Writes every raw exchange; turns a redirect back to an already visited hop into an error."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.store = capture_store(crawler)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CaptureMiddleware:
        return cls(crawler)

    def process_response(self, request: Request, response: Response) -> Response:
        company = self._company(request)
        if 300 <= response.status < 400 and b"Location" in response.headers:
            target = urljoin(request.url, (response.headers.get(b"Location") or b"").decode("latin-1"))
            seen = [*request.meta.get("redirect_urls", []), request.url]
            loop = target in seen
            self.store.write_exchange(company, "redirect", request, response,
                                      LOOP if loop else "", {"redirect_to": target})
            if loop:
                raise IgnoreRequest(f"{LOOP} back to {target}")
            return response
        kind = request.meta.get("fangcun_kind", "page")
        if "company" not in request.meta and request.url.endswith("/robots.txt"):
            kind = "robots"
        # a missing robots.txt means "no restrictions", not a failure
        error = f"HTTP {response.status}" if response.status >= 400 and kind != "robots" else ""
        self.store.write_exchange(company, kind, request, response, error)
        return response

    def _company(self, request: Request) -> str:
        company = request.meta.get("company")
        if company:
            return company
        spider = self.crawler.spider
        find = getattr(spider, "company_for_url", None)  # CompanySpider's; any other spider names no company
        return find(request.url) if find is not None else ""


class CapturePipeline:
    """Records the spider's non-exchange findings through the crawl's store."""

    def __init__(self, crawler: Crawler) -> None:
        self.store = capture_store(crawler)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CapturePipeline:
        return cls(crawler)

    def process_item(self, item: Any) -> Any:
        if isinstance(item, FetchError):
            self.store.write_fetch_error(item)
        elif isinstance(item, ApkLink):
            self.store.write_apk_link(item)
        elif isinstance(item, ApkFile):
            self.store.save_apk(item)
        return item
