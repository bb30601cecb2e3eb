"""The crawl profile: polite, identifiable and bounded by default; every value can be overridden.

Scrapy's own defaults are built for scraping, not auditing (robots.txt ignored, 1 GiB downloads,
180 s timeouts), so the profile below replaces them. `build_settings` is the only place that turns
the caller's options into Scrapy settings.
"""

from __future__ import annotations

from collections.abc import Mapping
from importlib.metadata import PackageNotFoundError, version
from typing import Any

from scrapy.linkextractors import IGNORED_EXTENSIONS

MB = 1024 * 1024
PAGE_MAXSIZE = 20 * MB
APK_MAXSIZE = 200 * MB

# Scrapy's link extractor skips these by default; the crawl needs PDF notices and APK links.
CAPTURED_EXTENSIONS = frozenset({"pdf", "apk"})
DENY_EXTENSIONS = tuple(ext for ext in IGNORED_EXTENSIONS if ext not in CAPTURED_EXTENSIONS)

POLITE_PROFILE: dict[str, Any] = {
    "ROBOTSTXT_OBEY": True,
    "CONCURRENT_REQUESTS": 16,
    "CONCURRENT_REQUESTS_PER_DOMAIN": 2,
    "DOWNLOAD_DELAY": 0.5,
    "AUTOTHROTTLE_ENABLED": True,
    "AUTOTHROTTLE_START_DELAY": 1.0,
    "AUTOTHROTTLE_MAX_DELAY": 30.0,
    "AUTOTHROTTLE_TARGET_CONCURRENCY": 1.0,
    "DEPTH_PRIORITY": 1,  # breadth-first: policies and notices sit one or two clicks from the home page
    "DOWNLOAD_MAXSIZE": PAGE_MAXSIZE,
    "DOWNLOAD_WARNSIZE": 10 * MB,
    "DOWNLOAD_TIMEOUT": 30,
    "RETRY_TIMES": 2,
    "REDIRECT_MAX_TIMES": 5,
    "COOKIES_ENABLED": False,
    "TELNETCONSOLE_ENABLED": False,
    "LOG_LEVEL": "INFO",
}

# Wiring that makes the crawl a capture: not meant to be overridden.
_WIRING: dict[str, Any] = {
    "DOWNLOADER_MIDDLEWARES": {
        # replaced by a per-company policy: two companies on different hosts are different sites
        "scrapy.downloadermiddlewares.offsite.OffsiteMiddleware": None,
        "spiders.crawlers.company.CompanyOffsiteMiddleware": 50,
        # closest to the network: sees every raw exchange, redirects included
        "spiders.pipelines.CaptureMiddleware": 950,
    },
    "ITEM_PIPELINES": {"spiders.pipelines.CapturePipeline": 300},
}


def tool_version() -> str:
    try:
        return version("fangcun")
    except PackageNotFoundError:
        return "0"


def user_agent(contact: str) -> str:
    return f"fangcun/{tool_version()} (+compliance scan; contact: {contact or 'not given'})"


def build_settings(
    *,
    max_pages: int,
    depth: int,
    scan_apps: bool,
    contact: str,
    overrides: Mapping[str, Any],
) -> dict[str, Any]:
    """Scrapy settings for one crawl: profile, then the caller's bounds, then explicit overrides."""
    settings: dict[str, Any] = dict(POLITE_PROFILE)
    settings["USER_AGENT"] = user_agent(contact)
    settings["DEPTH_LIMIT"] = depth
    settings["FANGCUN_MAX_PAGES"] = max_pages
    settings["FANGCUN_SCAN_APPS"] = scan_apps
    settings["FANGCUN_APK_MAXSIZE"] = APK_MAXSIZE
    settings.update(overrides)
    for key, value in _WIRING.items():
        settings[key] = {**dict(overrides.get(key, {})), **value}
    return settings
