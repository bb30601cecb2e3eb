"""The command line: the only place that prints.

Exit codes: 0 done (no finding at or above --fail-on), 1 findings at or above --fail-on (or, for
`diff`, something newly failing), 2 usage or input error.
"""

from __future__ import annotations

import contextlib
import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from scanner import __version__
from scanner.errors import InputError, RuleLoadError, printable_name


def _placeholder(param: Any, ctx: Any) -> str | None:
    """What --help shows after a parameter: its metavar (DIR, FILE, N …) or its choices (zh|en); nothing
    after a flag or beside an argument, whose name column already shows it. Typer otherwise prints
    Python types there (<path>, <list[Path]>, <bool>)."""
    if getattr(param, "is_flag", False) or isinstance(param, typer.core.TyperArgument):
        return None
    if param.metavar:
        return str(param.metavar)
    return str(typer.core.TyperOption.display_type(param, ctx)).strip("<>")  # a choice: zh|en


for _param_class in (typer.core.TyperOption, typer.core.TyperArgument):
    if hasattr(_param_class, "display_type_rich"):
        _param_class.display_type_rich = _placeholder  # type: ignore[assignment,method-assign]


app = typer.Typer(
    name="fangcun",
    help="方寸 Fangcun — scan apps, web disclosures and privacy policies for unlawful face and personal-data processing.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
rules_app = typer.Typer(help="List, show, validate and test the rule pack.", no_args_is_help=True)
app.add_typer(rules_app, name="rules")

out = Console(highlight=False)
err = Console(stderr=True, highlight=False)

DEFAULT_OUT = Path("fangcun-out")
FORMATS_HELP = "Comma-separated report formats: json, html, md, sarif, docx, pdf (case documents)."


class Lang(StrEnum):
    zh = "zh"
    en = "en"


class FailOn(StrEnum):
    none = "none"
    info = "info"
    low = "low"
    medium = "medium"
    high = "high"
    critical = "critical"


def fail(message: str, code: int = 2) -> typer.Exit:
    err.print(f"[red]error:[/red] {message}", markup=True, highlight=False, soft_wrap=True)
    return typer.Exit(code)


def _ruleset(rules_dir: Path | None):
    from scanner.engine.ruleset import load_ruleset

    try:
        return load_ruleset(rules_dir)
    except RuleLoadError as exc:
        raise fail(str(exc)) from None


def _formats(value: str) -> list[str]:
    from reports import DOCUMENT_FORMATS, FORMATS

    known = (*FORMATS, *DOCUMENT_FORMATS)
    chosen = [f.strip().lower() for f in value.split(",") if f.strip()]
    unknown = [f for f in chosen if f not in known]
    if unknown or not chosen:
        raise fail(f"--format: unknown format(s) {', '.join(unknown) or '(none)'}; choose from {', '.join(known)}")
    return chosen


def _write(report: dict[str, Any], out_dir: Path, formats: list[str], lang: str, docx_template: Path | None = None) -> list[Path]:
    from reports import write_reports

    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        return write_reports(report, out_dir, formats, lang=lang, docx_template=docx_template)
    except InputError as exc:  # e.g. no Chinese font for a PDF: one line, nothing half-written
        raise fail(str(exc)) from None
    except OSError as exc:
        raise fail(f"{out_dir}: cannot write reports: {exc.strerror or exc}") from None


def _summary(report: dict[str, Any], lang: str) -> None:
    """One line per target in the report's language; nothing when no input could be analysed."""
    from reports.view import display_names, named

    if not report["targets"]:
        return
    zh = lang == "zh"
    names = display_names(lang)
    table = Table(title="扫描结果" if zh else "Results", show_lines=False)
    for col in (("目标", "Target"), ("类型", "Kind"), ("等级", "Grade"), ("得分", "Score"), ("不合规", "Violations"), ("待核实", "To review"), ("错误", "Errors")):
        table.add_column(col[0] if zh else col[1])
    for t in report["targets"]:
        outcomes = [r["outcome"] for r in t["results"]]
        worst = sorted({r["severity"] for r in t["results"] if r["outcome"] == "FAIL"}, key=_severity_rank, reverse=True)
        fails = f"{outcomes.count('FAIL')}" + (f" ({named(names['severity'], worst[0])})" if worst else "")
        value = t["score"]["value"]
        table.add_row(t["label"] or t["uri"], named(names["kind"], t["kind"]), named(names["grade"], t["score"]["grade"]),
                      "-" if value is None else f"{value:g}", fails, str(outcomes.count("UNKNOWN")), str(len(t["errors"])))
    out.print(table)


def _severity_rank(severity: str) -> int:
    from scanner.model import Severity

    return Severity(severity).rank


def _exit_code(report: dict[str, Any], fail_on: FailOn) -> int:
    if fail_on is FailOn.none:
        return 0
    threshold = _severity_rank(fail_on.value)
    hits = [r for t in report["targets"] for r in t["results"] if r["outcome"] == "FAIL" and _severity_rank(r["severity"]) >= threshold]
    return 1 if hits else 0


def _print_errors(errors: list[dict[str, str]]) -> None:
    for e in errors:
        err.print(f"[red]error:[/red] {escape(e['message'])}", markup=True, highlight=False, soft_wrap=True)


def _print_problems(report: dict[str, Any]) -> None:
    """What of an analysed input could not be read (a bound that bit, a damaged part), one line each."""
    for target in report["targets"]:
        for e in target["errors"]:
            if e["stage"] == "open":
                err.print(f"[yellow]warning:[/yellow] {escape(e['input'])}: {escape(e['message'])}", markup=True,
                          highlight=False, soft_wrap=True)


@app.command()
def scan(
    targets: Annotated[list[Path], typer.Argument(metavar="TARGET", help="Apps (.apk, .xapk/.apks/.apkm bundles, .aab), policy files (.html/.htm/.txt/.pdf/.docx) or directories of them.")],
    output: Annotated[Path, typer.Option("-o", "--output", metavar="DIR", help="Output folder for the reports.")] = DEFAULT_OUT,
    fmt: Annotated[str, typer.Option("-f", "--format", metavar="FORMATS", help=FORMATS_HELP)] = "json,html,md,sarif",
    rules: Annotated[Path | None, typer.Option("--rules", metavar="DIR", help="A rule pack folder instead of the shipped one.")] = None,
    lang: Annotated[Lang, typer.Option("--lang", help="Report language.")] = Lang.zh,
    fail_on: Annotated[FailOn, typer.Option("--fail-on", help="Exit 1 when a finding at or above this severity exists.")] = FailOn.none,
    jobs: Annotated[int, typer.Option("--jobs", metavar="N", min=0, help="Worker processes for a batch into --db (0: one per core).")] = 0,
    db: Annotated[Path | None, typer.Option("--db", metavar="FILE", help="Campaign database (SQLite): batch mode, resumable.")] = None,
    campaign: Annotated[str, typer.Option("--campaign", metavar="NAME", help="Campaign name inside --db.")] = "default",
    waivers: Annotated[Path | None, typer.Option("--waivers", metavar="FILE", help="YAML file of accepted findings (rule, fingerprint, reason, expires).")] = None,
    policy: Annotated[str | None, typer.Option("--policy", metavar="FILE|URL", help="The app's privacy policy, as a file or a URL to fetch (robots.txt obeyed, captured to WARC under OUT/fetched/). One app only.")] = None,
    fetch_policies: Annotated[bool, typer.Option("--fetch-policies", help="Fetch the policy URLs each app links (robots.txt obeyed, one page each, captured to WARC under OUT/fetched/) and judge the app with them.")] = False,
    docx_template: Annotated[Path | None, typer.Option("--docx-template", metavar="FILE.docx", help="A Word document whose letterhead, styles, headers and footers the docx case documents use.")] = None,
) -> None:
    """Scan apps and policies; write the reports into the output folder.

    \b
    Examples:
      fangcun scan app.apk -o out                         report.json/html/md/sarif in out/
      fangcun scan app.apk --policy privacy.html -f html,docx,pdf
      fangcun scan app.apk --fetch-policies -o out        fetch the policy the app links
      fangcun scan apps/ --db camp.sqlite --jobs 2 -o out  a resumable batch
    """
    formats = _formats(fmt)
    _no_urls(targets)
    ruleset = _ruleset(rules)
    waiver_list = _waivers(waivers)
    template = _docx_template(docx_template, formats)
    if db is not None:
        if policy or fetch_policies:
            raise fail("--policy and --fetch-policies are not supported with --db (each batch worker judges one input "
                       "alone); scan the app with them without --db")
        report = _scan_batch(targets, db, campaign, ruleset, lang.value, jobs, output, formats, waivers)
    else:
        report = _scan_in_process(targets, ruleset, lang.value, waiver_list, policy=policy, fetch=fetch_policies, output=output)
    written = _write(report, output, formats, lang.value, template)
    _summary(report, lang.value)
    _print_errors(report["errors"])
    _print_problems(report)
    for path in written:
        out.print(f"{'已写入' if lang is Lang.zh else 'wrote'} {path}")
    if not report["targets"] and report["errors"]:
        err.print(("没有一个输入能够分析" if lang is Lang.zh else "no input could be analysed") + f" ({len(report['errors'])})",
                  markup=False, highlight=False)
        raise typer.Exit(2)
    raise typer.Exit(_exit_code(report, fail_on))


def _no_urls(targets: list[Path]) -> None:
    """A web address is crawled, not scanned: say so instead of 'no such file'."""
    for target in targets:
        text = str(target)
        if text.lower().startswith(("http:/", "https:/")):  # Path() folds the double slash
            scheme, _, rest = text.partition(":/")
            text = f"{scheme}://{rest.lstrip('/')}"
            raise fail(f"{text}: scan reads files; for a website use `fangcun crawl URL` (or a seeds file), "
                       "for an app's linked policy `fangcun scan APP --policy URL` or `--fetch-policies`")


def _docx_template(path: Path | None, formats: list[str]) -> Path | None:
    if path is None:
        return None
    if "docx" not in formats:
        raise fail("--docx-template is only used with -f docx")
    from reports.document_docx import check_template

    try:
        check_template(path)
    except InputError as exc:
        raise fail(str(exc)) from None
    return path


def _waivers(path: Path | None):
    if path is None:
        return ()
    from scanner.engine.evaluate import load_waivers

    try:
        return load_waivers(path)
    except RuleLoadError as exc:
        raise fail(str(exc)) from None


def _scan_in_process(paths: list[Path], ruleset, lang: str, waiver_list, *, policy: str | None = None,
                     fetch: bool = False, output: Path = DEFAULT_OUT) -> dict[str, Any]:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from scanner.inputs import expand_inputs
    from scanner.pipeline import build_report, scan_paths

    total = sum(1 for _ in expand_inputs(paths))
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), console=err, transient=True, disable=not err.is_terminal) as progress:
        task = progress.add_task("scanning" if lang == "en" else "扫描中", total=total)

        def advance(path, target, error) -> None:
            progress.update(task, advance=1, description=printable_name(path.name))

        found, errors = scan_paths(paths, ruleset, lang=lang, waivers=waiver_list, on_target=advance)
    if policy is not None:
        found = _with_given_policy(found, policy, ruleset, lang, waiver_list, output)
    if fetch:
        found = _with_fetched_policies(found, ruleset, lang, waiver_list, output)
    return build_report(found, ruleset, lang=lang, errors=errors).to_dict()


def _with_given_policy(found: list, policy: str, ruleset, lang: str, waiver_list, output: Path) -> list:
    """The one app scanned, judged again with the policy the auditor gave (a file or a URL)."""
    from scanner.sources.policy import open_policy

    apps = [t for t in found if t.kind.value == "apk"]
    if len(apps) != 1:
        raise fail(f"--policy {policy}: give exactly one app to scan with it (got {len(apps)})")
    if policy.lower().startswith(("http://", "https://")):
        documents, problems = _fetched_policies([policy], output, lang)
        if problems:
            raise fail(f"--policy {policy}: {problems[0].message}")
    else:
        try:
            documents, problems = [(open_policy(policy), "")], []
        except InputError as exc:
            raise fail(f"--policy: {exc}") from None
    return [_rejudged(t, documents, problems, ruleset, lang, waiver_list) if t is apps[0] else t for t in found]


def _with_fetched_policies(found: list, ruleset, lang: str, waiver_list, output: Path) -> list:
    """Each app judged again with the policies it links, fetched in one crawl."""
    links = {t.id: [e.key for e in t.evidence if e.kind == "policy.document" and e.attrs.get("source") == "url"
                    and e.attrs.get("analysed") is False] for t in found if t.kind.value == "apk"}
    urls = list(dict.fromkeys(url for found_urls in links.values() for url in found_urls))
    if not urls:
        err.print("没有需要抓取的隐私政策链接" if lang == "zh" else "no linked policy to fetch", markup=False)
        return found
    fetched = dict(zip(urls, _fetch_each(urls, output, lang)))
    judged = []
    for target in found:
        mine = [fetched[url] for url in links.get(target.id, [])]
        if mine:
            documents = [d for d, _ in mine if d is not None]
            problems = [p for _, p in mine if p is not None]
            target = _rejudged(target, documents, problems, ruleset, lang, waiver_list)
        judged.append(target)
    return judged


def _rejudged(target, documents, problems, ruleset, lang, waiver_list):
    from scanner.pipeline import with_policies

    return with_policies(target, documents, ruleset, lang=lang, waivers=waiver_list, problems=problems)


def _fetched_policies(urls: list[str], output: Path, lang: str) -> tuple[list, list]:
    pairs = _fetch_each(urls, output, lang)
    return [d for d, _ in pairs if d is not None], [p for _, p in pairs if p is not None]


def _fetch_each(urls: list[str], output: Path, lang: str) -> list[tuple[Any, Any]]:
    """(PolicySource and its capture's place, None) or (None, ErrorRecord) per URL, in order."""
    from scanner.campaign.crawl import fetch_pages
    from scanner.model import ErrorRecord
    from scanner.sources.policy import policy_from_bytes

    err.print((f"抓取 {len(urls)} 个隐私政策链接（遵守 robots.txt）……" if lang == "zh"
               else f"fetching {len(urls)} policy link(s) (robots.txt obeyed) …"), markup=False, highlight=False)
    try:
        pages = fetch_pages(urls, output)
    except InputError as exc:
        raise fail(str(exc)) from None
    pairs: list[tuple[Any, Any]] = []
    for fetched in pages:
        if fetched.page is None:
            pairs.append((None, ErrorRecord("fetch", f"{fetched.url}: {fetched.problem}", fetched.url)))
            continue
        try:
            document = policy_from_bytes(fetched.page.body, uri=fetched.page.final_url, content_type=fetched.page.content_type)
        except InputError as exc:
            pairs.append((None, ErrorRecord("fetch", f"{fetched.url}: {exc.problem}", fetched.url)))
            continue
        pairs.append(((document, fetched.page.logical), None))
    return pairs


def _scan_batch(
    paths: list[Path], db: Path, campaign: str, ruleset, lang: str, jobs: int, output: Path, formats: list[str],
    waivers_file: Path | None,
) -> dict[str, Any]:
    """Scan into the campaign database; the run's report, and (with html) each target's own page
    under OUT/targets/ for the campaign page to link to."""
    from scanner.campaign.batch import run_batch
    from scanner.campaign.store import StoreError, open_store

    try:
        summary = run_batch(paths, db, campaign=campaign, jobs=jobs or None, lang=lang, rules_dir=ruleset.directory,
                            waivers_file=waivers_file)
        with open_store(db) as store:
            report = store.report_dict(summary.run_id)
    except StoreError as exc:
        raise fail(str(exc)) from None
    zh = lang == "zh"
    err.print(
        (f"运行 {summary.run_id}：{summary.total} 个输入，新分析 {summary.scanned}，沿用 {summary.reused}，"
         f"续跑跳过 {summary.resumed}，失败 {summary.errors}，用时 {summary.seconds:.1f} 秒") if zh else
        (f"run {summary.run_id}: {summary.total} inputs, scanned {summary.scanned}, reused {summary.reused}, "
         f"resumed {summary.resumed}, errors {summary.errors}, {summary.seconds:.1f} s"),
        markup=False, highlight=False, soft_wrap=True,
    )
    if "html" in formats:
        _write_target_pages(report, output, lang)
    return report


def _write_target_pages(report: dict[str, Any], output: Path, lang: str) -> dict[str, str]:
    from jsonschema import ValidationError

    from reports.campaign import write_target_reports

    try:
        return write_target_reports(report, output, lang=lang)
    except OSError as exc:
        raise fail(f"{output}: cannot write target reports: {exc.strerror or exc}") from None
    except ValidationError as exc:
        raise fail(f"a stored target is not a valid report document: {exc.message}") from None


def _stored_report(db: Path, run: int | None, campaign: str) -> dict[str, Any]:
    """A run's report document from a campaign database (the campaign's latest run by default)."""
    from scanner.campaign.store import StoreError, open_store

    try:
        with open_store(db, must_exist=True) as store:
            run_id = run if run is not None else store.latest_run(campaign)
            if run_id is None:
                known = sorted({info.campaign for info in store.runs()})
                raise fail(f"{db}: no run of campaign {campaign!r}" + (f" (campaigns: {', '.join(known)})" if known else ""))
            return store.report_dict(run_id)
    except StoreError as exc:
        raise fail(str(exc)) from None


@app.command()
def crawl(
    seeds: Annotated[list[str], typer.Argument(metavar="SEEDS", help="A seeds file (.csv or .yaml: name,url,region …) or start URLs.")],
    output: Annotated[Path, typer.Option("-o", "--output", metavar="DIR", help="Output folder: captures (WARC + index) and reports.")] = DEFAULT_OUT,
    max_pages: Annotated[int, typer.Option("--max-pages", metavar="N", min=1, help="Pages per company at most.")] = 200,
    depth: Annotated[int, typer.Option("--depth", metavar="N", min=0, help="Link depth from each seed.")] = 3,
    scan_apps: Annotated[bool, typer.Option("--scan-apps", help="Download linked APKs (size-bounded) and scan them.")] = False,
    contact: Annotated[str, typer.Option("--contact", metavar="EMAIL|URL", help="Contact put in the crawler's user agent.")] = "",
    setting: Annotated[list[str] | None, typer.Option("-s", "--set", metavar="KEY=VALUE", help="Override a crawler setting, KEY=VALUE (VALUE read as JSON when it parses), e.g. -s DOWNLOAD_DELAY=2. Repeatable.")] = None,
    fmt: Annotated[str, typer.Option("-f", "--format", metavar="FORMATS", help=FORMATS_HELP)] = "json,html,md,sarif",
    rules: Annotated[Path | None, typer.Option("--rules", metavar="DIR", help="A rule pack folder instead of the shipped one.")] = None,
    lang: Annotated[Lang, typer.Option("--lang", help="Report language.")] = Lang.zh,
    fail_on: Annotated[FailOn, typer.Option("--fail-on", help="Exit 1 when a finding at or above this severity exists.")] = FailOn.none,
    db: Annotated[Path | None, typer.Option("--db", metavar="FILE", help="Also store the judged companies and apps as a run in this campaign database.")] = None,
    campaign: Annotated[str, typer.Option("--campaign", metavar="NAME", help="Campaign name inside --db.")] = "default",
) -> None:
    """Crawl companies' websites politely, keep every page as evidence (WARC), judge each company.

    \b
    Examples:
      fangcun crawl seeds.csv -o crawl-out                 name,url,region per line
      fangcun crawl https://wuye.example.cn/ --max-pages 50 --contact audit@example.cn
      fangcun crawl seeds.yaml --scan-apps --db camp.sqlite   also scan the apps the sites link
    """
    from reports.companies import companies_table, write_companies
    from scanner.campaign.crawl import load_seeds, report_from_captures, run_crawl

    formats = _formats(fmt)
    ruleset = _ruleset(rules)
    overrides: dict[str, Any] = {}
    for item in setting or []:
        key, sep, raw = item.partition("=")
        if not sep or not key.strip():
            raise fail(f"--set {item!r}: expected KEY=VALUE")
        try:
            overrides[key.strip()] = json.loads(raw)
        except ValueError:
            overrides[key.strip()] = raw  # a bare word is a string setting
    seed_list, seed_errors = load_seeds(seeds)
    for e in seed_errors:
        err.print(f"[yellow]skipped:[/yellow] {e.message}", markup=True, highlight=False)
    if not seed_list:
        raise fail("no usable seeds" + (f" ({len(seed_errors)} bad rows)" if seed_errors else ""))

    def progress(company: str, message: str) -> None:
        err.print(f"[cyan]{company}[/cyan] {message}", markup=True, highlight=False)

    result = run_crawl(seed_list, output, max_pages=max_pages, depth=depth, scan_apps=scan_apps, contact=contact,
                       settings_overrides=overrides, progress=progress)
    report = report_from_captures(output, ruleset, lang=lang.value, extra_errors=seed_errors)
    written = _write(report, output, formats, lang.value)
    written += write_companies(report, output, lang.value)
    if db is not None:
        _store_crawl(db, campaign, {"crawl": [str(s) for s in seeds], "max_pages": max_pages, "depth": depth}, report)
    for path in written:
        out.print(f"{'已写入' if lang is Lang.zh else 'wrote'} {path}")
    _summary(report, lang.value)
    out.print(companies_table(report, lang.value))
    if not any(result.pages.values()):  # every site failed: nothing was judged, whatever the tables show
        err.print(("没有一个网站采集到页面（见各企业的错误）" if lang is Lang.zh else "no site yielded a page (see each company's errors)"),
                  markup=False, highlight=False)
        raise typer.Exit(2)
    raise typer.Exit(_exit_code(report, fail_on))


def _store_crawl(db: Path, campaign: str, args: dict[str, Any], report: dict[str, Any]) -> None:
    from scanner.campaign.store import StoreError, open_store

    try:
        with open_store(db) as store:
            run_id = store.save_report(campaign, args, report)
    except StoreError as exc:
        raise fail(str(exc)) from None
    err.print(f"run {run_id} stored in {db}", markup=False, highlight=False)


@app.command()
def report(
    folder: Annotated[Path, typer.Argument(metavar="OUT", help="An output folder of an earlier crawl or scan.")],
    output: Annotated[Path | None, typer.Option("-o", "--output", metavar="DIR", help="Write the new reports here (never over OUT's own).")] = None,
    fmt: Annotated[str, typer.Option("-f", "--format", metavar="FORMATS", help=FORMATS_HELP)] = "json,html,md,sarif",
    rules: Annotated[Path | None, typer.Option("--rules", metavar="DIR", help="A rule pack folder instead of the shipped one.")] = None,
    lang: Annotated[Lang, typer.Option("--lang", help="Report language.")] = Lang.zh,
    docx_template: Annotated[Path | None, typer.Option("--docx-template", metavar="FILE.docx", help="A Word document whose letterhead, styles, headers and footers the docx documents use.")] = None,
) -> None:
    """Re-analyse a crawl from its captures alone (offline) with the current rules, or re-render a report.json.

    \b
    Examples:
      fangcun report crawl-out -o crawl-out/rejudged     judge the captures again
      fangcun report scan-out -o letters -f docx,pdf      case documents from a report.json
    """
    from reports.companies import companies_table, has_companies, write_companies

    formats = _formats(fmt)
    if (folder / "captures").is_dir():
        from scanner.campaign.crawl import report_from_captures

        document = report_from_captures(folder, _ruleset(rules), lang=lang.value)
    elif (folder / "report.json").is_file():
        document = _load_report_json(folder / "report.json")
    else:
        raise fail(f"{folder}: neither captures/ nor report.json found")
    target_dir = output or folder
    if output is None:
        from reports import FILE_NAMES

        existing = [folder / FILE_NAMES[f] for f in formats if f in FILE_NAMES and (folder / FILE_NAMES[f]).exists()]
        existing += [folder / f"report.{f}" for f in formats if f in ("docx", "pdf") and (folder / f"report.{f}").exists()]
        if existing:
            raise fail(f"{existing[0]} exists: it is the report already delivered; give -o DIR to write the new one elsewhere")
    written = _write(document, target_dir, formats, lang.value, _docx_template(docx_template, formats))
    if has_companies(document):
        written += write_companies(document, target_dir, lang.value)
    for path in written:
        out.print(f"{'已写入' if lang is Lang.zh else 'wrote'} {path}")
    if has_companies(document):
        out.print(companies_table(document, lang.value))


def _load_report_json(path: Path) -> dict[str, Any]:
    from jsonschema import ValidationError

    from reports import validate_report
    from scanner.model import Report

    try:
        document = json.loads(path.read_text(encoding="utf-8"))
        if isinstance(document, dict) and document.get("schema_version") == "1.0" and isinstance(document.get("tool"), dict):
            # a report written before results carried fingerprints: read it through the model; one not
            # shaped like ours stays as it is, and the schema says why
            with contextlib.suppress(KeyError, TypeError, ValueError):
                document = {**Report.from_dict(document).to_dict(), "generated_at": document.get("generated_at", "")}
        validate_report(document)
        return document
    except (OSError, UnicodeDecodeError) as exc:
        raise fail(f"{path}: cannot read: {exc}") from None
    except json.JSONDecodeError as exc:
        raise fail(f"{path}: not JSON: {exc.msg} at line {exc.lineno}") from None
    except ValidationError as exc:  # valid JSON, but not one of our reports
        raise fail(f"{path}: not a Fangcun report.json: {exc.message}") from None


@app.command()
def diff(
    old: Annotated[str, typer.Argument(metavar="OLD", help="Earlier report.json or its output folder, or a run id when --db is given.")],
    new: Annotated[str, typer.Argument(metavar="NEW", help="Later report.json or its output folder, or a run id when --db is given.")],
    db: Annotated[Path | None, typer.Option("--db", metavar="FILE", help="Compare two runs stored in this campaign database.")] = None,
    output: Annotated[Path | None, typer.Option("-o", "--output", metavar="DIR", help="Write diff.md and diff.html here.")] = None,
    lang: Annotated[Lang, typer.Option("--lang", help="Report language.")] = Lang.zh,
) -> None:
    """Follow-up visit (回头看): what was fixed, what is new, what is unchanged. Exit 1 if anything new fails.

    \b
    Examples:
      fangcun diff visit1/report.json visit2/report.json -o followup
      fangcun diff visit1 visit2                           two output folders
      fangcun diff --db camp.sqlite 1 2                    two stored runs
    """
    from reports.diff import diff_markdown, write_diff
    from scanner.campaign.diff import DiffError, diff_reports

    if db is not None:
        runs = [_run_id(value) for value in (old, new)]
        documents = [_stored_report(db, run, "") for run in runs]
        names = [f"run {run}" for run in runs]
    else:
        # a folder stands for the report.json in it (two crawl or scan output folders)
        documents = [_load_report_json(Path(p) / "report.json" if Path(p).is_dir() else Path(p)) for p in (old, new)]
        names = [old, new]
    try:
        result = diff_reports(*documents, lang=lang.value)
    except DiffError as exc:
        raise fail(f"{names[0]} and {names[1]} cannot be compared: {exc}") from None
    # Plain text, never wrapped or marked up: the output is Markdown meant to be piped or pasted.
    typer.echo(diff_markdown(result.to_dict(), lang=lang.value), nl=False)
    if output is not None:
        try:
            written = write_diff(result.to_dict(), output, lang=lang.value)
        except OSError as exc:
            raise fail(f"{output}: cannot write the comparison: {exc.strerror or exc}") from None
        for path in written:
            err.print(f"{'已写入' if lang is Lang.zh else 'wrote'} {path}", markup=False, highlight=False)
    raise typer.Exit(result.exit_code)


def _run_id(value: str) -> int:
    try:
        return int(value)
    except ValueError:
        raise fail(f"{value!r}: with --db, give run ids (integers; see the run number `fangcun scan --db` prints)") from None


@app.command()
def leads(
    db: Annotated[Path, typer.Option("--db", metavar="FILE", help="Campaign database.")],
    min_severity: Annotated[FailOn, typer.Option("--min-severity", help="Only findings at or above this severity (none: every finding).")] = FailOn.high,
    run: Annotated[int | None, typer.Option("--run", metavar="ID", help="Run id (default: the campaign's latest).")] = None,
    campaign: Annotated[str, typer.Option("--campaign", metavar="NAME", help="Campaign name inside --db.")] = "default",
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
    lang: Annotated[Lang, typer.Option("--lang", help="Report language.")] = Lang.zh,
    output: Annotated[Path | None, typer.Option("-o", "--output", metavar="DIR", help="Write leads.md, leads.csv and leads.json (full detail) here.")] = None,
) -> None:
    """The targets an auditor should act on first (线索): one line each on the terminal, full detail in files.

    \b
    Examples:
      fangcun leads --db camp.sqlite                      the table, fitted to the terminal
      fangcun leads --db camp.sqlite -o leads/            leads.md, leads.csv, leads.json
    """
    from reports.leads import leads_json, leads_table
    from scanner.campaign.leads import leads as find_leads

    document = _stored_report(db, run, campaign)
    found = [lead.to_dict() for lead in find_leads(document, min_severity="info" if min_severity is FailOn.none else min_severity.value, lang=lang.value)]
    if output is not None:
        from reports.leads import write_leads

        try:
            for path in write_leads(found, output, lang=lang.value):
                err.print(f"{'已写入' if lang is Lang.zh else 'wrote'} {path}", markup=False, highlight=False)
        except OSError as exc:
            raise fail(f"{output}: cannot write the leads: {exc.strerror or exc}") from None
    if as_json:
        typer.echo(leads_json(found), nl=False)  # never wrapped by the console: it must stay valid JSON
    else:
        out.print(leads_table(found, lang=lang.value, width=out.width))


CAMPAIGN_FORMATS = ("html", "md", "csv", "xlsx", "docx", "pdf")


@app.command("campaign")
def campaign_report(
    db: Annotated[Path, typer.Option("--db", metavar="FILE", help="Campaign database (SQLite).")],
    output: Annotated[Path, typer.Option("-o", "--output", metavar="DIR", help="Output folder.")] = DEFAULT_OUT,
    run: Annotated[int | None, typer.Option("--run", metavar="ID", help="Run id (default: the campaign's latest).")] = None,
    campaign: Annotated[str, typer.Option("--campaign", metavar="NAME", help="Campaign name inside --db.")] = "default",
    lang: Annotated[Lang, typer.Option("--lang", help="Report language.")] = Lang.zh,
    fmt: Annotated[str, typer.Option("-f", "--format", metavar="FORMATS",
                                     help="Comma-separated: html, md (campaign page and one page per target), csv, xlsx "
                                          "(one row per finding), docx, pdf (a case document for the campaign and one per target).")] = ",".join(CAMPAIGN_FORMATS),
    docx_template: Annotated[Path | None, typer.Option("--docx-template", metavar="FILE.docx", help="A Word document whose letterhead, styles, headers and footers the docx documents use.")] = None,
) -> None:
    """Campaign report, per-target pages, findings as CSV and XLSX, and case documents (Word, PDF).

    \b
    Examples:
      fangcun campaign --db camp.sqlite -o camp-out            everything, for the latest run
      fangcun campaign --db camp.sqlite --run 2 -f pdf,xlsx    one run's PDFs and spreadsheet
    """
    from reports import write_documents
    from reports.campaign import render_campaign_html, render_campaign_md
    from reports.exports import write_csv, write_xlsx

    chosen = [f.strip().lower() for f in fmt.split(",") if f.strip()]
    unknown = [f for f in chosen if f not in CAMPAIGN_FORMATS]
    if unknown or not chosen:
        raise fail(f"--format: unknown format(s) {', '.join(unknown) or '(none)'}; choose from {', '.join(CAMPAIGN_FORMATS)}")
    template = _docx_template(docx_template, chosen)
    document = _stored_report(db, run, campaign)
    written: list[Path] = []
    links: dict[str, str] = {}
    rows = 0
    try:
        output.mkdir(parents=True, exist_ok=True)
        if "html" in chosen or "md" in chosen:
            links = _write_target_pages(document, output, lang.value)
        if "html" in chosen:
            written.append(output / "campaign.html")
            written[-1].write_text(render_campaign_html(document, lang=lang.value, target_links=links), encoding="utf-8")
        if "md" in chosen:
            written.append(output / "campaign.md")
            written[-1].write_text(render_campaign_md(document, lang=lang.value, target_links=links), encoding="utf-8")
        if "csv" in chosen:
            rows = write_csv(document, output / "findings.csv", lang=lang.value)
            written.append(output / "findings.csv")
        if "xlsx" in chosen:
            rows = write_xlsx(document, output / "findings.xlsx", lang=lang.value)
            written.append(output / "findings.xlsx")
        for case_format in (f for f in chosen if f in ("docx", "pdf")):
            written += write_documents(document, output, case_format, lang=lang.value, docx_template=template, name="campaign")
    except InputError as exc:  # e.g. no Chinese font for a PDF
        raise fail(str(exc)) from None
    except OSError as exc:
        raise fail(f"{output}: cannot write the campaign report: {exc.strerror or exc}") from None
    for path in written:
        out.print(f"{'已写入' if lang is Lang.zh else 'wrote'} {path}", markup=False, highlight=False)
    if links:
        out.print(f"{len(links)} {'个目标报告' if lang is Lang.zh else 'target reports'} → {output / 'targets'}")
    if "csv" in chosen or "xlsx" in chosen:
        out.print(f"{rows} {'条问题' if lang is Lang.zh else 'findings'}")


@rules_app.command("list")
def rules_list(rules: Annotated[Path | None, typer.Option("--rules", metavar="DIR", help="A rule pack folder instead of the shipped one.")] = None, lang: Annotated[Lang, typer.Option("--lang", help="Titles in this language.")] = Lang.zh) -> None:
    """Every rule with its severity, confidence and target kinds."""
    ruleset = _ruleset(rules)
    table = Table()
    for col in ("id", "slug", "version", "severity", "confidence", "applies_to", "title"):
        table.add_column(col)
    for r in ruleset.rules:
        table.add_row(r.id, r.info.slug, str(r.info.version), r.info.severity.value, r.info.confidence.value, ",".join(sorted(r.applies_to)), r.info.title[lang.value])
    out.print(table)


@rules_app.command("show")
def rules_show(rule_id: Annotated[str, typer.Argument(metavar="RULE-ID", help="e.g. FACE-001.")], rules: Annotated[Path | None, typer.Option("--rules", metavar="DIR", help="A rule pack folder instead of the shipped one.")] = None) -> None:
    """One rule file as written."""
    ruleset = _ruleset(rules)
    try:
        rule = ruleset.by_id(rule_id.upper())
    except KeyError:
        raise fail(f"{rule_id}: no such rule (see `fangcun rules list`)") from None
    # the bytes as written, never wrapped to the terminal: `rules show ID > f.yaml` is the rule file
    sys.stdout.write(rule.path.read_text(encoding="utf-8"))


@rules_app.command("new")
def rules_new(
    area: Annotated[str, typer.Argument(metavar="AREA", help="Rule area: face, consent, minimisation, sdk or security.")],
    slug: Annotated[str, typer.Argument(metavar="SLUG", help="Lower-case words joined by hyphens, e.g. face-retention-unstated.")],
    directory: Annotated[Path | None, typer.Option("--rules", metavar="DIR", help="Rule pack folder (default: the shipped one).")] = None,
) -> None:
    """Write a new rule and its cases file with the next free id; both load and pass as written."""
    from scanner.engine.scaffold import new_rule

    ruleset = _ruleset(directory)
    try:
        rule_path, cases_path = new_rule(ruleset.directory, area, slug, ruleset.vocab)
    except RuleLoadError as exc:
        raise fail(str(exc)) from None
    out.print(f"wrote {rule_path}\nwrote {cases_path}", markup=False, highlight=False)


@rules_app.command("validate")
def rules_validate(directory: Annotated[Path | None, typer.Argument(metavar="DIR", help="Rule pack folder (default: shipped).")] = None) -> None:
    """Load and validate every rule file against the schema, the vocabulary and the legal sources."""
    ruleset = _ruleset(directory)
    out.print(f"{len(ruleset.rules)} rules valid (ruleset sha256 {ruleset.sha256[:16]})")


@rules_app.command("test")
def rules_test(directory: Annotated[Path | None, typer.Argument(metavar="DIR", help="Rule pack folder (default: shipped).")] = None) -> None:
    """Run every rule's good/bad cases."""
    from scanner.engine.cases import run_all_cases

    ruleset = _ruleset(directory)
    try:
        outcomes = run_all_cases(ruleset)
    except RuleLoadError as exc:
        raise fail(str(exc)) from None
    from scanner.engine.cases import EVIDENCE, INPUT

    bad = [o for o in outcomes if not o.ok]
    for o in bad:
        err.print(f"FAIL {o.rule_id} [{o.mode}] {o.name}: expected {o.expected}, got {o.actual}", markup=False)
    for o in outcomes:
        if o.skipped:
            err.print(f"skipped {o.rule_id} [{o.mode}] {o.name}: {o.skipped}", markup=False)
    for mode, what in ((EVIDENCE, "cases on hand-written evidence"), (INPUT, "cases on real input through the extractors")):
        ran = [o for o in outcomes if o.mode == mode and not o.skipped]
        failed = sum(1 for o in ran if not o.ok)
        out.print(f"{mode:8} {len(ran) - failed} passed, {failed} failed — {what}", markup=False)
    skipped = sum(1 for o in outcomes if o.skipped)
    out.print(f"{len(outcomes) - len(bad) - skipped} passed, {len(bad)} failed" + (f", {skipped} skipped" if skipped else ""))
    raise typer.Exit(1 if bad else 0)


def _version(value: bool) -> None:
    if value:
        out.print(f"fangcun {__version__}")
        raise typer.Exit()


@app.callback()
def _root(version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version.")] = False) -> None:
    pass


def main() -> None:
    try:
        app()
    except KeyboardInterrupt:
        err.print("interrupted")
        sys.exit(130)
    except InputError as exc:  # a bad input that reached the top: one line, never a traceback
        err.print(f"error: {exc}", markup=False)
        sys.exit(2)
