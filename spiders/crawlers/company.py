"""The company-site spider: from each seed, stay on that company's site and capture what it shows.

It never judges a page. It decides only which links to follow (policy, notice, sales-office and
project links first), which hosts belong to which company, and how to describe a failed request.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import scrapy
from scrapy.downloadermiddlewares.offsite import OffsiteMiddleware
from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadCancelledError,
    DownloadConnectionRefusedError,
    DownloadFailedError,
    DownloadTimeoutError,
    IgnoreRequest,
    ResponseDataLossError,
    UnsupportedURLSchemeError,
)
from scrapy.http import HtmlResponse, Response
from scrapy.linkextractors import LinkExtractor
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.internet import error as twisted_errors
from twisted.python.failure import Failure
from twisted.web._newclient import ResponseFailed, ResponseNeverReceived

from spiders.items import ApkFile, ApkLink, FetchError
from spiders.pipelines import LOOP
from spiders.priorities import link_priorities
from spiders.settings import DENY_EXTENSIONS

PRIORITY_BOOST = 10


@dataclass
class CompanySite:
    name: str
    seed: str
    domains: tuple[str, ...]
    requested: int = 0  # pages asked for so far (the per-company budget; Scrapy's page count is per crawl)


def site_domain(url: str) -> str:
    """The domain a seed stands for: its host without a leading www. (so www.x.cn covers x.cn's subdomains)."""
    host = (urlsplit(url).hostname or "").lower()
    return host[4:] if host.startswith("www.") else host


def host_in(host: str, domains: Sequence[str]) -> bool:
    return any(host == d or host.endswith("." + d) for d in domains)


def is_apk(url: str) -> bool:
    return urlsplit(url).path.lower().endswith(".apk")


class CompanySpider(scrapy.Spider):
    name = "fangcun_sites"

    def __init__(self, seeds: Sequence[Mapping[str, str]], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.sites = {s["name"]: CompanySite(s["name"], s["url"], (site_domain(s["url"]),)) for s in seeds}
        self.allowed_domains = sorted({d for site in self.sites.values() for d in site.domains})
        self.seen: set[str] = set()
        self.priorities = link_priorities()
        self.links = LinkExtractor(deny_extensions=list(DENY_EXTENSIONS))

    # — what belongs to whom —
    def company_for_url(self, url: str) -> str:
        host = (urlsplit(url).hostname or "").lower()
        return next((s.name for s in self.sites.values() if host_in(host, s.domains)), "")

    def on_company_site(self, company: str, url: str) -> bool:
        host = (urlsplit(url).hostname or "").lower()
        return host_in(host, self.sites[company].domains)

    # — requests —
    async def start(self) -> AsyncIterator[scrapy.Request]:
        for site in self.sites.values():
            site.requested += 1
            self.seen.add(site.seed)
            yield self._page_request(site.name, site.seed, PRIORITY_BOOST * 2)

    def _page_request(self, company: str, url: str, priority: int) -> scrapy.Request:
        return scrapy.Request(url, callback=self.parse, errback=self.on_error, priority=priority,
                              meta={"company": company, "fangcun_kind": "page"})

    def _apk_request(self, company: str, url: str) -> scrapy.Request:
        return scrapy.Request(url, callback=self.save_apk, errback=self.on_error,
                              meta={"company": company, "fangcun_kind": "apk",
                                    "download_maxsize": self.settings.getint("FANGCUN_APK_MAXSIZE")})

    def link_priority(self, text: str, url: str) -> int:
        return PRIORITY_BOOST if self.priorities.wanted(text, url) else 0

    # — callbacks —
    def parse(self, response: Response) -> Iterator[Any]:
        if not isinstance(response, HtmlResponse):
            return  # PDFs and other documents are captured; they have no links to follow
        company = response.meta["company"]
        site = self.sites[company]
        budget = self.settings.getint("FANGCUN_MAX_PAGES")
        for link in self.links.extract_links(response):
            url = link.url
            if url in self.seen or not self.on_company_site(company, url):
                continue
            self.seen.add(url)
            if is_apk(url):
                yield ApkLink(company, url, response.url, link.text.strip())
                if self.settings.getbool("FANGCUN_SCAN_APPS"):
                    yield self._apk_request(company, url)
                continue
            if site.requested >= budget:
                continue
            site.requested += 1
            yield self._page_request(company, url, self.link_priority(link.text, url))

    def save_apk(self, response: Response) -> Iterator[ApkFile]:
        first_url = response.meta.get("redirect_urls", [response.url])[0]
        yield ApkFile(response.meta["company"], first_url, response.url, response.body)

    def on_error(self, failure: Failure) -> Iterator[FetchError]:
        if failure.check(HttpError) or (failure.check(IgnoreRequest) and str(failure.value).startswith(LOOP)):
            return  # already an index line: the error page or the looping hop, written as it passed
        request = failure.request  # type: ignore[attr-defined]
        company = request.meta.get("company") or self.company_for_url(request.url)
        yield FetchError(company, request.url, describe_failure(failure))


def describe_failure(failure: Failure) -> str:
    """One line a reader understands, for each way a request can fail."""
    if failure.check(CannotResolveHostError, twisted_errors.DNSLookupError):
        return "DNS lookup failed"
    if failure.check(DownloadConnectionRefusedError, twisted_errors.ConnectionRefusedError):
        return "connection refused"
    if failure.check(DownloadTimeoutError, twisted_errors.TimeoutError, twisted_errors.TCPTimedOutError):
        return "timed out"
    if failure.check(DownloadCancelledError):
        return "too large (over the download size limit)"
    if failure.check(ResponseDataLossError, DownloadFailedError, ResponseFailed, ResponseNeverReceived):
        return "malformed or truncated response"
    if failure.check(UnsupportedURLSchemeError):
        return "unsupported URL scheme"
    if failure.check(IgnoreRequest):
        message = str(failure.value)
        if "robots.txt" in message:
            return "disallowed by robots.txt (not fetched)"
        return message
    return f"{type(failure.value).__name__}: {failure.value}"


class CompanyOffsiteMiddleware(OffsiteMiddleware):
    """A request may only reach its own company's hosts; robots.txt may reach any seed's host."""

    def should_follow(self, request: scrapy.Request, spider: scrapy.Spider) -> bool:
        company = request.meta.get("company")
        if not isinstance(spider, CompanySpider):
            return super().should_follow(request, spider)
        if company:
            return spider.on_company_site(company, request.url)
        return bool(spider.company_for_url(request.url))
