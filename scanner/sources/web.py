"""Read a crawl's captures back: the WARC files and index.jsonl under OUT/captures/.

A `SiteSource` is one company's site as captured: its seed, its pages (bytes read lazily from the
WARC at the recorded offset) and the requests that failed. Rebuilding needs only the captures, so a
rule change never needs a re-crawl. Decoding and visible text live in scanner.sources.policy.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from warcio.archiveiterator import ArchiveIterator

from scanner.model import ErrorRecord, TargetKind

CAPTURES_DIR = "captures"
INDEX_NAME = "index.jsonl"
JOB_GLOB = "crawl-*.job.json"

# ———————————————————————————— captured pages ————————————————————————————


def read_warc_payload(warc_path: Path, offset: int) -> bytes:
    """The HTTP payload of the response record starting at `offset` (content-encoding removed)."""
    with warc_path.open("rb") as fh:
        fh.seek(offset)
        for record in ArchiveIterator(fh):
            return record.content_stream().read()
    raise ValueError(f"{warc_path.name}: no record at offset {offset}")


@dataclass(frozen=True)
class CapturedPage:
    url: str
    final_url: str
    status: int
    fetched_at: str
    sha256: str
    content_type: str
    company: str
    warc_path: Path | None
    warc_offset: int
    content: bytes | None = None  # the body itself, for a page made in memory (a rule case), not captured

    @property
    def body(self) -> bytes:
        """Read from the WARC on each access, so a large site never sits in memory at once."""
        if self.content is not None or self.warc_path is None:
            return self.content or b""
        return read_warc_payload(self.warc_path, self.warc_offset)

    @property
    def is_pdf(self) -> bool:
        return "pdf" in self.content_type.lower() or self.final_url.lower().split("?")[0].endswith(".pdf")

    @property
    def logical(self) -> str:
        """How findings point at this capture: time and content hash."""
        return f"{self.fetched_at} sha256:{self.sha256[:16]}"


@dataclass(frozen=True)
class ApkLinkSeen:
    url: str
    source_url: str
    label: str


@dataclass(frozen=True)
class SiteSource:
    uri: str
    label: str
    sha256: str
    attributes: Mapping[str, Any]
    pages: tuple[CapturedPage, ...]
    apk_links: tuple[ApkLinkSeen, ...] = ()
    problems: tuple[str, ...] = ()  # failed requests, "URL: why", for the target's error list
    kind: TargetKind = field(default=TargetKind.SITE)


@dataclass(frozen=True)
class Seed:
    name: str
    url: str
    region: str = ""
    extra: Mapping[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "url": self.url, "region": self.region, "extra": dict(self.extra)}


def site_sha256(pages: Iterable[CapturedPage]) -> str:
    joined = "\n".join(sorted(p.sha256 for p in pages))
    return hashlib.sha256(joined.encode("ascii")).hexdigest()


def read_index(captures: Path) -> tuple[list[dict[str, Any]], list[ErrorRecord]]:
    """Every well-formed index line; a bad line is an error naming its number, never a crash."""
    path = captures / INDEX_NAME
    lines: list[dict[str, Any]] = []
    errors: list[ErrorRecord] = []
    if not path.is_file():
        return lines, [ErrorRecord("open", "no capture index (run a crawl first)", str(path))]
    for number, raw in enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines(), 1):
        if not raw.strip():
            continue
        try:
            line = json.loads(raw)
            if not isinstance(line, dict) or "company" not in line or "url" not in line:
                raise ValueError("missing company or url")
        except ValueError as exc:
            errors.append(ErrorRecord("open", f"index line {number} unreadable: {exc}", str(path)))
            continue
        lines.append(line)
    return lines, errors


def read_seeds(captures: Path) -> dict[str, tuple[str, Seed]]:
    """company → (crawl id, seed) from the job files, the latest crawl of each company winning."""
    seeds: dict[str, tuple[str, Seed]] = {}
    for job_file in sorted(captures.glob(JOB_GLOB)):
        try:
            job = json.loads(job_file.read_text(encoding="utf-8"))
            for s in job["seeds"]:
                seeds[s["name"]] = (job["crawl_id"], Seed(s["name"], s["url"], s.get("region", ""),
                                                          dict(s.get("extra", {}))))
        except (OSError, ValueError, KeyError, TypeError):
            continue  # a damaged job file only loses its seed metadata; the index still names the pages
    return seeds


def build_site(seed: Seed, lines: list[dict[str, Any]], captures: Path) -> SiteSource:
    """One company's site from its index lines of one crawl."""
    pages: dict[str, CapturedPage] = {}
    apk_links: dict[str, ApkLinkSeen] = {}
    problems: list[str] = []
    for line in lines:
        if line.get("error"):
            problems.append(f"{line['url']}: {line['error']}")
            continue
        kind = line.get("kind", "page")
        if kind == "apk_link":
            apk_links.setdefault(line["url"], ApkLinkSeen(line["url"], line.get("source_url", ""),
                                                          line.get("label", "")))
        elif kind == "page" and 200 <= int(line.get("status", 0)) < 300 and line.get("warc_offset", -1) >= 0:
            page = CapturedPage(
                url=line["url"], final_url=line.get("final_url") or line["url"], status=int(line["status"]),
                fetched_at=line.get("fetched_at", ""), sha256=line.get("sha256", ""),
                content_type=line.get("content_type", ""), company=seed.name,
                warc_path=captures / line["warc_file"], warc_offset=int(line["warc_offset"]),
            )
            pages[page.final_url] = page  # a page fetched twice keeps its latest capture
    ordered = tuple(sorted(pages.values(), key=lambda p: p.final_url))
    attributes = {
        **seed.extra,
        "company": seed.name,
        "region": seed.region,
        "pages": len(ordered),
        "pdfs": sum(1 for p in ordered if p.is_pdf),
        "apks": len(apk_links),
    }
    return SiteSource(uri=seed.url, label=seed.name, sha256=site_sha256(ordered), attributes=attributes,
                      pages=ordered, apk_links=tuple(apk_links.values()), problems=tuple(problems))


def open_sites(out_dir: Path) -> tuple[list[SiteSource], list[ErrorRecord]]:
    """One SiteSource per company found in OUT/captures, from the latest crawl that included it."""
    captures = out_dir / CAPTURES_DIR
    lines, errors = read_index(captures)
    seeds = read_seeds(captures)
    latest: dict[str, str] = {c: crawl_id for c, (crawl_id, _) in seeds.items()}
    by_company: dict[str, list[dict[str, Any]]] = {}
    for line in lines:
        company = line["company"]
        if not company:
            continue  # robots.txt of a host no seed claims
        crawl_id = latest.setdefault(company, line.get("crawl_id", ""))
        if line.get("crawl_id", "") == crawl_id:
            by_company.setdefault(company, []).append(line)
    sites = []
    for company in sorted(set(by_company) | set(seeds)):
        seed = seeds[company][1] if company in seeds else Seed(company, by_company[company][0]["url"])
        sites.append(build_site(seed, by_company.get(company, []), captures))
    return sites, errors
