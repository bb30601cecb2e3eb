"""Batch crawls of company sites: seeds in, captures out, and sites rebuilt from the captures.

`run_crawl` runs Scrapy in a child process (`python -m spiders.run JOB`, one crawl for all seeds,
because Scrapy's reactor cannot restart) and relays its progress lines. Everything the crawl saw is
in OUT/captures/: crawl-<id>.warc.gz, index.jsonl, crawl-<id>.job.json (the seeds and options),
crawl-<id>.log and, with apps, apps/<sha256>.apk. `site_targets` rebuilds the sites from those
files alone, so a rule change needs no re-crawl. `judge_company_targets` then states on each
downloaded app what its company's site admits, and judges the app again.
"""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

from scanner.engine.ruleset import RuleSet
from scanner.errors import InputError
from scanner.extractors.base import ExtractorSpec
from scanner.extractors.company_consistency import COMPANY_CONSISTENCY, CompanySites
from scanner.model import ErrorRecord, Target
from scanner.pipeline import analyse_source, build_report, judge, scan_file, with_facts
from scanner.sources.web import (
    CAPTURES_DIR,
    INDEX_NAME,
    CapturedPage,
    Seed,
    SiteSource,
    build_site,
    open_sites,
    read_index,
)
from scanner.yamldata import load_yaml

__all__ = [
    "CrawlResult",
    "DownloadedApp",
    "Seed",
    "downloaded_apps",
    "fetch_pages",
    "judge_company_targets",
    "load_seeds",
    "report_from_captures",
    "run_crawl",
    "site_targets",
]

Progress = Callable[[str, str], None]

# Column names a seed file may use for the three known fields; every other column is kept as extra.
SEED_COLUMNS = {
    "name": ("name", "company", "公司", "企业名称", "名称", "开发商"),
    "url": ("url", "website", "site", "网址", "官网", "网站"),
    "region": ("region", "city", "地区", "城市", "区域"),
}


@dataclass(frozen=True)
class DownloadedApp:
    company: str
    url: str
    sha256: str
    path: Path


@dataclass(frozen=True)
class CrawlResult:
    crawl_id: str
    warc_path: Path
    index_path: Path
    log_path: Path
    pages: Mapping[str, int]  # company → pages captured (2xx responses)
    apps: tuple[DownloadedApp, ...] = ()
    errors: tuple[ErrorRecord, ...] = ()  # failed requests and crawler failures, one line each
    seconds: float = 0.0
    exit_code: int = 0


# ———————————————————————————— seeds ————————————————————————————


def _seed_problem(url: str) -> str:
    """Why a URL cannot seed a crawl, or "" when it can."""
    if not url:
        return "no url"
    try:
        parts = urlsplit(url)
    except ValueError as exc:
        return f"malformed url {url!r} ({exc})"
    if parts.scheme not in ("http", "https"):
        return f"url {url!r} must start with http:// or https://"
    if not parts.hostname:
        return f"url {url!r} has no host"
    return ""


def _column(row: Mapping[str, Any], field_name: str) -> tuple[str, str]:
    """(column used, value) for one known field, by its accepted names."""
    for column in SEED_COLUMNS[field_name]:
        for key in row:
            if str(key).strip().lower() == column:
                return str(key), str(row[key] or "").strip()
    return "", ""


def _seed_from_row(row: Mapping[str, Any]) -> tuple[Seed | None, str]:
    name_col, name = _column(row, "name")
    url_col, url = _column(row, "url")
    region_col, region = _column(row, "region")
    problem = _seed_problem(url)
    if problem:
        return None, problem
    known = {name_col, url_col, region_col}
    extra = {str(k).strip(): str(v).strip() for k, v in row.items() if k not in known and k and v not in (None, "")}
    return Seed(name or (urlsplit(url).hostname or url), url, region, extra), ""


def _read_rows(path: Path) -> list[Mapping[str, Any]]:
    """Rows of a CSV or YAML seed file; raises InputError for a file that is not one."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError(str(path), f"cannot read ({exc.strerror or exc})") from exc
    if path.suffix.lower() in (".yaml", ".yml"):
        try:
            data = load_yaml(raw.decode("utf-8-sig"))
        except (yaml.YAMLError, UnicodeDecodeError) as exc:
            raise InputError(str(path), f"not valid YAML ({str(exc).splitlines()[0]})") from exc
        if isinstance(data, Mapping):
            data = data.get("seeds")
        if not isinstance(data, list) or not all(isinstance(r, Mapping) for r in data):
            raise InputError(str(path), "expected a list of {name, url, region} entries (or seeds: [...])")
        return data
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("gb18030", errors="replace")  # seed sheets saved by Chinese Excel are GBK
    reader = csv.DictReader(io.StringIO(text))
    if not reader.fieldnames or not _column({f: "" for f in reader.fieldnames}, "url")[0]:
        raise InputError(str(path), f"no url column (columns: {', '.join(reader.fieldnames or []) or 'none'})")
    return list(reader)


def load_seeds(path_or_urls: Sequence[str]) -> tuple[list[Seed], list[ErrorRecord]]:
    """Seeds from CSV/YAML files (name,url,region + extra columns) and bare http(s) URLs.

    A bad row, an unreadable file or a duplicate company/URL becomes an ErrorRecord naming the file,
    the row and the problem; the good rows are still returned.
    """
    seeds: list[Seed] = []
    errors: list[ErrorRecord] = []
    names: dict[str, str] = {}
    urls: dict[str, str] = {}

    def add(seed: Seed, where: str, source: str) -> None:
        if seed.name in names:
            errors.append(ErrorRecord("seeds", f"{where}: duplicate company {seed.name!r} (first at {names[seed.name]})", source))
        elif seed.url.rstrip("/") in urls:
            errors.append(ErrorRecord("seeds", f"{where}: duplicate url {seed.url} (first at {urls[seed.url.rstrip('/')]})", source))
        else:
            names[seed.name] = urls[seed.url.rstrip("/")] = where
            seeds.append(seed)

    for arg in path_or_urls:
        if arg.lower().startswith(("http://", "https://")):
            problem = _seed_problem(arg)
            if problem:
                errors.append(ErrorRecord("seeds", problem, arg))
            else:
                add(Seed(urlsplit(arg).hostname or arg, arg), "argument", arg)
            continue
        path = Path(arg)
        if not path.is_file():
            errors.append(ErrorRecord("seeds", "neither an http(s) URL nor an existing seed file", arg))
            continue
        try:
            rows = _read_rows(path)
        except InputError as exc:
            errors.append(ErrorRecord("seeds", exc.problem, arg))
            continue
        if not rows:
            errors.append(ErrorRecord("seeds", "no seed rows", arg))
        first_row = 2 if path.suffix.lower() not in (".yaml", ".yml") else 1  # CSV row 1 is the header
        for number, row in enumerate(rows, first_row):
            seed, problem = _seed_from_row(row)
            if seed is None:
                errors.append(ErrorRecord("seeds", f"row {number}: {problem}", arg))
            else:
                add(seed, f"row {number}", arg)
    return seeds, errors


# ———————————————————————————— crawling ————————————————————————————


def _new_crawl_id(captures: Path) -> str:
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    crawl_id, n = stamp, 1
    while (captures / f"crawl-{crawl_id}.job.json").exists():
        n += 1
        crawl_id = f"{stamp}-{n}"
    return crawl_id


def _write_job(captures: Path, crawl_id: str, seeds: Sequence[Seed], options: Mapping[str, Any]) -> Path:
    job = {
        "crawl_id": crawl_id,
        "seeds": [s.to_dict() for s in seeds],
        "warc_path": str(captures / f"crawl-{crawl_id}.warc.gz"),
        "index_path": str(captures / INDEX_NAME),
        "apps_dir": str(captures / "apps"),
        "log_path": str(captures / f"crawl-{crawl_id}.log"),
        **options,
    }
    path = captures / f"crawl-{crawl_id}.job.json"
    try:
        path.write_text(json.dumps(job, ensure_ascii=False, indent=1), encoding="utf-8")
    except TypeError as exc:
        raise InputError("settings", f"crawl settings must be plain JSON values ({exc})") from exc
    return path


def _relay(line: str, progress: Progress | None) -> None:
    if progress is None or not line.strip():
        return
    try:
        event = json.loads(line)
        progress(str(event.get("company", "")), str(event.get("message", "")))
    except (ValueError, AttributeError):
        progress("", line.rstrip())


def run_crawl(
    seeds: Sequence[Seed],
    out_dir: Path,
    *,
    max_pages: int = 200,
    depth: int = 3,
    scan_apps: bool = False,
    settings_overrides: Mapping[str, Any] = {},
    contact: str = "",
    progress: Progress | None = None,
) -> CrawlResult:
    """Crawl every seed's site once (one child process for all seeds) into OUT/captures/.

    Failed pages never stop the crawl: they are index lines with an error and come back here as
    ErrorRecords. Raises InputError only for unusable options (no seeds, bounds below 1, settings
    that are not JSON).
    """
    if not seeds:
        raise InputError("seeds", "no seeds to crawl")
    if max_pages < 1 or depth < 0:
        raise InputError("options", f"max_pages must be ≥ 1 and depth ≥ 0 (got {max_pages}, {depth})")
    captures = Path(out_dir) / CAPTURES_DIR
    try:
        captures.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(str(out_dir), f"cannot create the capture folder ({exc.strerror or exc})") from exc
    crawl_id = _new_crawl_id(captures)
    options = {"max_pages": max_pages, "depth": depth, "scan_apps": scan_apps, "contact": contact,
               "settings": dict(settings_overrides)}
    job_path = _write_job(captures, crawl_id, seeds, options)
    log_path = captures / f"crawl-{crawl_id}.log"
    started = time.monotonic()
    with log_path.open("ab") as log:
        child = subprocess.Popen(
            [sys.executable, "-m", "spiders.run", str(job_path)],
            stdout=subprocess.PIPE, stderr=log, text=True, encoding="utf-8", errors="replace",
        )
        try:
            assert child.stdout is not None
            for line in child.stdout:
                _relay(line, progress)
            exit_code = child.wait()
        except BaseException:
            child.terminate()  # an interrupted parent must not leave a crawler running
            child.wait()
            raise
    return _result(out_dir, crawl_id, log_path, exit_code, time.monotonic() - started)


def _result(out_dir: Path, crawl_id: str, log_path: Path, exit_code: int, seconds: float) -> CrawlResult:
    captures = Path(out_dir) / CAPTURES_DIR
    lines, errors = read_index(captures)
    pages: dict[str, int] = {}
    for line in lines:
        if line.get("crawl_id") != crawl_id:
            continue
        company = line.get("company", "")
        if line.get("error"):
            errors.append(ErrorRecord("crawl", f"{line['url']}: {line['error']}", company))
        elif line.get("kind") == "page" and 200 <= int(line.get("status", 0)) < 300:
            pages[company] = pages.get(company, 0) + 1
    if exit_code != 0:
        errors.append(ErrorRecord("crawl", f"crawler exited with status {exit_code}; see {log_path}", crawl_id))
    saved_now = {l.get("sha256") for l in lines if l.get("crawl_id") == crawl_id and l.get("kind") == "apk_file"}
    apps = tuple(a for a in downloaded_apps(out_dir) if a.sha256 in saved_now)
    return CrawlResult(crawl_id, captures / f"crawl-{crawl_id}.warc.gz", captures / INDEX_NAME, log_path,
                       pages, apps, tuple(errors), seconds, exit_code)


# ———————————————————————————— offline ————————————————————————————


def site_targets(out_dir: Path) -> tuple[list[SiteSource], list[ErrorRecord]]:
    """One SiteSource per company, rebuilt from OUT/captures alone (no network)."""
    return open_sites(Path(out_dir))


def downloaded_apps(out_dir: Path) -> list[DownloadedApp]:
    """The APKs a crawl saved (each to be scanned as its own APK target, linked by company)."""
    captures = Path(out_dir) / CAPTURES_DIR
    lines, _ = read_index(captures)
    apps: dict[tuple[str, str], DownloadedApp] = {}
    for line in lines:
        if line.get("kind") == "apk_file" and line.get("path"):
            path = captures / line["path"]
            if path.is_file():
                apps[(line["company"], line["sha256"])] = DownloadedApp(line["company"], line["url"], line["sha256"], path)
    return sorted(apps.values(), key=lambda a: (a.company, a.url))


# ———————————————————————————— one company, site and apps ————————————————————————————


def _company_of(target: Target) -> str:
    """The company a crawled target belongs to: its seed's name on a site, its download's on an app."""
    return str(target.attributes.get("company") or (target.label if target.kind.value == "site" else ""))


def judge_company_targets(sites: Sequence[Target], apps: Sequence[Target], ruleset: RuleSet,
                          lang: str = "zh", extractor: ExtractorSpec = COMPANY_CONSISTENCY) -> list[Target]:
    """The apps again, each judged with what its own company's site targets state about it.

    An app whose company has no site target is returned as it was. A failing extractor is recorded
    on the app, whose results then stay as first judged. No waivers are applied: a crawl takes none.
    """
    by_company: dict[str, list[Target]] = {}
    for site in sites:
        by_company.setdefault(_company_of(site), []).append(site)
    judged = []
    for app in apps:
        company = _company_of(app)
        if not company or company not in by_company:
            judged.append(app)
            continue
        try:
            facts = list(extractor.run(CompanySites(company, tuple(by_company[company])), app.evidence))
        except Exception as exc:  # noqa: BLE001 — one broken cross-check must not lose the app's own findings
            error = ErrorRecord(f"extract:{extractor.name}", f"{type(exc).__name__}: {exc}", app.uri)
            judged.append(replace(app, errors=(*app.errors, error)))
            continue
        judged.append(judge(with_facts(app, facts, extractor.label), ruleset, lang=lang))
    return judged


def report_from_captures(out_dir: Path, ruleset: RuleSet, *, lang: str = "zh",
                         extra_errors: Sequence[ErrorRecord] = ()) -> dict[str, Any]:
    """Judge every company, then every app downloaded from its site (with what the site admits)."""
    sources, errors = site_targets(out_dir)
    sites = {site.label: analyse_source(site, ruleset, lang=lang) for site in sources}
    apps = []
    for app_file in downloaded_apps(out_dir):
        try:
            target = scan_file(app_file.path, ruleset, lang=lang)
        except InputError as exc:
            # an app its site offers but that cannot be analysed is the company's error, not the run's
            error = ErrorRecord("open", f"app {app_file.url}: {exc.problem}", app_file.url)
            if app_file.company in sites:
                site = sites[app_file.company]
                sites[app_file.company] = replace(site, errors=(*site.errors, error))
            else:
                errors.append(error)
            continue
        links = {"company": app_file.company, "download_url": app_file.url}
        apps.append(replace(target, uri=app_file.url, attributes={**target.attributes, **links}))
    apps = judge_company_targets(list(sites.values()), apps, ruleset, lang)
    return build_report([*sites.values(), *apps], ruleset, lang=lang, errors=[*extra_errors, *errors]).to_dict()



# ———————————————————————————— single pages (policies an app links) ————————————————————————————

# A fetch's captures live apart from a crawl's (OUT/fetched/captures/), so `fangcun report OUT` still
# re-renders a scan's report.json rather than taking OUT for a crawl.
FETCHED_DIR = "fetched"
FETCH_SECONDS = 120  # the whole fetch, however many URLs: a policy link must not hold a scan for long


@dataclass(frozen=True)
class FetchedPage:
    """One URL asked for: its capture (URL, final URL, time, sha256, WARC offset), or why there is none."""

    url: str
    page: CapturedPage | None
    problem: str = ""


def fetch_pages(urls: Sequence[str], out_dir: Path, *, contact: str = "", progress: Progress | None = None) -> list[FetchedPage]:
    """Fetch each URL once through the crawler (robots.txt obeyed, one page per URL, bounded in size
    and time), captured to WARC under OUT/fetched/captures/ like any crawl."""
    wanted = list(dict.fromkeys(urls))
    problems = {url: _seed_problem(url) for url in wanted}
    seeds = [Seed(url, url) for url in wanted if not problems[url]]
    found: dict[str, FetchedPage] = {url: FetchedPage(url, None, problems[url]) for url in wanted if problems[url]}
    if seeds:
        fetch_dir = Path(out_dir) / FETCHED_DIR
        result = run_crawl(seeds, fetch_dir, max_pages=1, depth=0, contact=contact, progress=progress,
                           settings_overrides={"CLOSESPIDER_TIMEOUT": FETCH_SECONDS})
        captures = fetch_dir / CAPTURES_DIR
        lines = [line for line in read_index(captures)[0] if line.get("crawl_id") == result.crawl_id]
        for seed in seeds:
            own = [line for line in lines if line.get("company") == seed.name]
            site = build_site(seed, own, captures)
            if site.pages:
                found[seed.url] = FetchedPage(seed.url, site.pages[0])
                continue
            statuses = sorted({str(line.get("status")) for line in own if line.get("kind") == "page" and line.get("status")})
            problem = "; ".join(site.problems) or (f"HTTP status {', '.join(statuses)}" if statuses else "nothing was captured")
            if result.exit_code != 0:
                problem += f" (crawler exited with status {result.exit_code}; see {result.log_path})"
            found[seed.url] = FetchedPage(seed.url, None, problem)
    return [found[url] for url in wanted]
