"""Arrange a report.json document for reading: lookups, grouping, sorting and labels only.

The HTML and Markdown templates both render the structure built here, so the two formats show the
same content in the same order. Nothing here judges, scores or words a fact; every value shown comes
from the document (results, evidence and how each fact reads, stored as "shown" when it was judged;
tool.rules) or from reports/labels.json.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from functools import cache
from pathlib import Path
from typing import Any

LANGS = ("zh", "en")
SEVERITY_ORDER = ("critical", "high", "medium", "low", "info")
FINDING_OUTCOMES = ("FAIL", "UNKNOWN", "WAIVED")

# Evidence kinds that record a place in the code where personal data or the camera is read.
CALL_SITE_KINDS = frozenset({
    "face.api_call", "camera.use", "biometric.system_prompt", "identifier.collect",
    "location.collect", "contacts.collect", "sms.collect", "applist.collect", "clipboard.read",
})
# Kinds with their own section; every other kind is listed under "other facts".
SECTIONED_KINDS = CALL_SITE_KINDS | {
    "app.info", "app.permission", "sdk.present", "face.sdk", "network.endpoint", "ui.text",
    "policy.document", "policy.discloses", "policy.checklist",
}

Doc = Mapping[str, Any]
Labels = Mapping[str, Any]


@cache
def labels_for(lang: str) -> Labels:
    table = json.loads((Path(__file__).parent / "labels.json").read_text(encoding="utf-8"))
    return table[lang]


def pick(texts: Mapping[str, str] | None, lang: str) -> str:
    """The text in `lang`, falling back to the other language rather than showing nothing."""
    if not texts:
        return ""
    return texts.get(lang) or next((t for t in texts.values() if t), "")


def value_text(value: Any, labels: Labels) -> str:
    """One attribute value as display text (booleans in words, lists joined, spans as a–b)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return labels["yes"] if value else labels["no"]
    if isinstance(value, list):
        if len(value) == 2 and all(isinstance(v, int) and not isinstance(v, bool) for v in value):
            return f"{value[0]}–{value[1]}"
        return ", ".join(value_text(v, labels) for v in value)
    if isinstance(value, dict):
        return attrs_text(value, labels)
    return str(value)


def attrs_text(attrs: Mapping[str, Any], labels: Labels) -> str:
    return "; ".join(f"{k}={value_text(v, labels)}" for k, v in attrs.items())


def score_text(score: Mapping[str, Any]) -> str:
    value = score.get("value")
    return "—" if value is None else f"{value:.1f}"


def legal_basis_text(basis: Mapping[str, str], lang: str) -> str:
    """《个人信息保护法》第二十九条 (zh), or "Personal Information Protection Law of the PRC, Art. 29" (en)."""
    article = basis.get("article", "")
    if lang == "zh":
        title = basis.get("short_zh") or basis.get("title_zh") or basis.get("source", "")
        return f"《{title}》{basis.get('article_zh') or article}"
    title = basis.get("title_en") or basis.get("title_zh") or basis.get("source", "")
    return f"{title}, {'Art. ' if article.isdigit() else 'clause '}{article}"


def date_text(iso: str, lang: str) -> str:
    if lang != "zh" or len(iso) != 10:
        return iso
    year, month, day = iso.split("-")
    return f"{int(year)}年{int(month)}月{int(day)}日"


def legal_basis_view(basis: Mapping[str, str], lang: str, labels: Labels) -> dict[str, Any]:
    """One cited article: how it is cited, the instrument's 文号 and 施行日期, and its words — the
    text verbatim, or where the text is not held a confirmed summary or the clause title, labelled so."""
    # the full title where the citation uses a short one (《个人信息保护法》 → 中华人民共和国个人信息保护法)
    full = basis.get("title_zh", "") if lang == "zh" else ""
    facts = [full if full and full != basis.get("short_zh") else ""]
    if basis.get("number"):
        facts.append(basis["number"])
    if basis.get("effective"):
        facts.append(labels["effective"].format(date=date_text(basis["effective"], lang)))
    if basis.get("version"):
        facts.append(basis["version"])
    if basis.get("text"):
        words, words_label = basis["text"], labels["article_text"]
    elif basis.get("summary"):
        words, words_label = basis["summary"], labels["article_summary"]
    elif basis.get("clause_title"):
        words, words_label = basis["clause_title"], labels["clause_title"]
    else:
        words, words_label = "", ""
    return {"key": f"{basis.get('source', '')}:{basis.get('article', '')}", "ref": 0,
            "cite": legal_basis_text(basis, lang), "about": " · ".join(f for f in facts if f),
            "words": words, "paragraphs": words.split("\n") if words else [], "words_label": words_label,
            "verbatim": bool(basis.get("text"))}


def location_text(location: Mapping[str, str], target_uri: str) -> str:
    """Where a fact was seen; the target's own uri is left out because its heading shows it."""
    uri = location.get("uri", "")
    logical = location.get("logical", "")
    if uri and uri != target_uri:
        return f"{uri} › {logical}" if logical else uri
    return logical or uri


def outcome_label(result: Mapping[str, Any], labels: Labels) -> str:
    """A low-confidence FAIL is worded as probable, never as a certain violation."""
    outcome = result["outcome"]
    if outcome == "FAIL" and result.get("confidence") == "low":
        return labels["outcome"]["FAIL_low"]
    return labels["outcome"][outcome]


def fact_words(ev: Doc, lang: str, labels: Labels) -> Mapping[str, Any]:
    """How one fact reads in `lang`, as stored in the document when it was judged; a document
    without it (written before 1.2, or built by hand) shows the fact as it was stated."""
    shown = ev.get("shown") or {}
    stored = shown.get(lang) or next(iter(shown.values()), None)
    if stored:
        return stored
    return {"kind": ev["kind"], "key": ev["key"], "sentence": f"{ev['kind']} {ev['key']}".strip(), "why": "",
            "attrs": {k: {"name": k, "value": value_text(v, labels)} for k, v in (ev.get("attrs") or {}).items()}}


def folded_attrs(words: Mapping[str, Any]) -> str:
    return "；".join(f"{a['name']}：{a['value']}" for a in words["attrs"].values())


def _evidence_view(ev: Doc, target_uri: str, labels: Labels, lang: str) -> dict[str, Any]:
    """One fact as a sentence (what was found), where (file or URL and the place inside it), why it
    matters, the steps of its call path when it has one; the remaining attributes, folded, in words."""
    words = fact_words(ev, lang, labels)
    return {
        "id": ev["id"],
        "kind": ev["kind"],
        "kind_label": words["kind"],
        "key": ev["key"],
        "sentence": words["sentence"],
        "why": words["why"],
        "path": list(words.get("path") or ()),
        "attrs": folded_attrs(words),
        "location": location_text(ev["location"], target_uri),
        "snippet": ev["location"].get("snippet", ""),
        "extractor": ev["extractor"],
        "confidence": labels["confidence_names"].get(ev["confidence"], ev["confidence"]),
        "missing": False,
    }


def _missing_evidence(evidence_id: str, labels: Labels) -> dict[str, Any]:
    return {"id": evidence_id, "kind": "", "kind_label": "", "key": "", "sentence": labels["missing_evidence"],
            "why": "", "path": [], "attrs": "", "location": "", "snippet": "", "extractor": "", "confidence": "", "missing": True}


def _merged(views: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Facts saying the same thing at the same place shown once."""
    seen: dict[tuple[str, str, str], dict[str, Any]] = {}
    for view in views:
        seen.setdefault((view["sentence"], view["location"], view["snippet"]), view)
    return list(seen.values())


def _result_view(result: Doc, rules: Mapping[str, Doc], evidence: Mapping[str, Doc],
                 target_uri: str, lang: str, labels: Labels) -> dict[str, Any]:
    rule = rules.get(result["rule_id"], {})
    return {
        "rule_id": result["rule_id"],
        "rule_version": result["rule_version"],
        "title": pick(rule.get("title"), lang) or result["rule_id"],
        "outcome": result["outcome"],
        "outcome_label": outcome_label(result, labels),
        "probable": result["outcome"] == "FAIL" and result["confidence"] == "low",
        "severity": result["severity"],
        "severity_label": labels["severity_names"][result["severity"]],
        "confidence": result["confidence"],
        "confidence_label": labels["confidence_names"][result["confidence"]],
        "message": result["message"],
        "waiver_reason": result.get("waiver_reason", ""),
        "evidence": _merged(
            _evidence_view(evidence[i], target_uri, labels, lang) if i in evidence
            else _missing_evidence(i, labels)
            for i in result["evidence_ids"]
        ),
        "legal_basis": [legal_basis_text(b, lang) for b in rule.get("legal_basis", [])],
        "basis": [legal_basis_view(b, lang, labels) for b in rule.get("legal_basis", [])],
        "rationale": pick(rule.get("rationale"), lang),
        "remediation": pick(rule.get("remediation"), lang),
    }


def _finding_order(view: Mapping[str, Any]) -> tuple[int, int, str]:
    return (FINDING_OUTCOMES.index(view["outcome"]), SEVERITY_ORDER.index(view["severity"]),
            view["rule_id"])


# --- facts -----------------------------------------------------------------------------------

Column = tuple[str, Callable[[Doc], Any]]


def _attr(name: str, fallback: Callable[[Doc], Any] | None = None) -> Callable[[Doc], Any]:
    def read(ev: Doc) -> Any:
        value = ev.get("attrs", {}).get(name)
        if value is None and fallback is not None:
            return fallback(ev)
        return value
    return read


def _key(ev: Doc) -> str:
    return ev["key"]


def _kind(ev: Doc) -> str:
    return ev["kind"]


def _logical(ev: Doc) -> str:
    return ev["location"].get("logical", "")


def _snippet(ev: Doc) -> str:
    return ev["location"].get("snippet", "")


def _sdk_capability(ev: Doc) -> Any:
    attrs = ev.get("attrs", {})
    return attrs.get("capability") if ev["kind"] == "face.sdk" else attrs.get("category")


def _is_sensitive(ev: Doc) -> bool:
    return ev.get("attrs", {}).get("sensitive") is True


def _is_face_sdk(ev: Doc) -> bool:
    return ev["kind"] == "face.sdk"


def _never(_: Doc) -> bool:
    return False


# (section label key, which evidence, columns, which rows to highlight)
FACT_SECTIONS: tuple[tuple[str, Callable[[Doc], bool], tuple[Column, ...], Callable[[Doc], bool]], ...] = (
    ("permissions", lambda ev: ev["kind"] == "app.permission",
     (("permission", _key), ("sensitive", _attr("sensitive")), ("category", _attr("category"))),
     _is_sensitive),
    ("sdks", lambda ev: ev["kind"] in ("face.sdk", "sdk.present"),
     (("sdk", _key), ("vendor", _attr("vendor")), ("capability", _sdk_capability),
      ("via", _attr("via")), ("called", _attr("called")), ("signature_source", _attr("source"))),
     _is_face_sdk),
    ("endpoints", lambda ev: ev["kind"] == "network.endpoint",
     (("host", _key), ("vendor", _attr("vendor")), ("scheme", _attr("scheme")),
      ("cleartext", _attr("cleartext"))),
     lambda ev: ev.get("attrs", {}).get("cleartext") is True),
    ("call_sites", lambda ev: ev["kind"] in CALL_SITE_KINDS,
     (("kind", _kind), ("api", _attr("api", _key)), ("caller", _attr("caller", _logical))),
     lambda ev: ev["kind"] == "face.api_call"),
    ("ui_texts", lambda ev: ev["kind"] == "ui.text",
     (("category", _attr("category")), ("text", _attr("text", _snippet)), ("location", _logical)),
     _never),
    ("policy_documents", lambda ev: ev["kind"] == "policy.document",
     (("key", _key), ("source", _attr("source")), ("language", _attr("language")),
      ("chars", _attr("chars")), ("analysed", _attr("analysed"))),
     _never),
    ("other_facts", lambda ev: ev["kind"] not in SECTIONED_KINDS,
     (("kind", _kind), ("key", _key), ("attrs", lambda ev: ev.get("attrs", {})),
      ("location", _logical), ("snippet", _snippet)),
     _never),
)


_COLUMN_ATTRS = {"signature_source": "source"}  # columns named apart from the attribute they show


def _cell(ev: Doc, column: str, value: Any, labels: Labels, lang: str) -> str:
    """A fact-table cell in the words stored for the fact: kinds by name, closed values in words;
    a column filled from elsewhere (the key, the place) as it is."""
    words = fact_words(ev, lang, labels)
    if column == "kind":
        return str(words["kind"])
    if column == "attrs":
        return folded_attrs(words)
    if column == "key":
        return str(words["key"])
    if column == "sdk" and ev["kind"] in ("face.sdk", "sdk.present"):
        return str(ev.get("attrs", {}).get("product") or value)
    attr = "category" if column == "capability" and ev["kind"] == "sdk.present" else _COLUMN_ATTRS.get(column, column)
    shown = words["attrs"].get(attr)
    return str(shown["value"]) if shown else value_text(value, labels)


def _fact_sections(evidence: Iterable[Doc], labels: Labels, lang: str) -> list[dict[str, Any]]:
    evidence = list(evidence)
    sections = []
    for name, selects, columns, highlights in FACT_SECTIONS:
        chosen = [ev for ev in evidence if selects(ev)]
        if name == "sdks":  # face SDKs lead the list: they are what this scanner is about
            chosen.sort(key=lambda ev: not _is_face_sdk(ev))
        if not chosen:
            continue
        rows: dict[tuple[str, ...], dict[str, Any]] = {}
        for ev in chosen:
            cells = tuple(_cell(ev, col, read(ev), labels, lang) for col, read in columns)
            rows.setdefault(cells, {"cells": list(cells), "highlight": highlights(ev)})  # duplicates merged
        sections.append({
            "name": name,
            "title": labels[name],
            "headers": [labels[col] for col, _ in columns],
            "rows": list(rows.values()),
        })
    return sections


def _app_info(evidence: Iterable[Doc], labels: Labels, lang: str) -> list[dict[str, Any]]:
    """One block per app.info fact: the package, then its attributes by name."""
    return [
        {"package": ev["key"],
         "fields": [(a["name"], a["value"]) for a in fact_words(ev, lang, labels)["attrs"].values()]}
        for ev in evidence if ev["kind"] == "app.info"
    ]


def _certificates(attributes: Mapping[str, Any]) -> list[dict[str, str]]:
    return [dict(c) for c in attributes.get("signing_certificates") or () if isinstance(c, Mapping)]


def _practices(evidence: Iterable[Doc], labels: Labels, lang: str) -> list[dict[str, str]]:
    rows = []
    for ev in evidence:
        if ev["kind"] != "policy.discloses":
            continue
        attrs = ev.get("attrs", {})
        polarity = attrs.get("polarity", "")
        rows.append({
            "practice": fact_words(ev, lang, labels)["key"],
            "polarity": polarity,
            "polarity_label": labels["polarity_names"].get(polarity, value_text(polarity, labels)),
            "sentence": value_text(attrs.get("sentence") or _snippet(ev), labels),
            "section": value_text(attrs.get("section"), labels),
            "span": value_text(attrs.get("span"), labels),
        })
    return rows


def _checklist(evidence: Iterable[Doc], labels: Labels, lang: str) -> list[dict[str, Any]]:
    """One row per checklist item, named in words."""
    return [
        {"item": fact_words(ev, lang, labels)["key"],
         "key": ev["key"],
         "present": ev.get("attrs", {}).get("present") is True,
         "present_label": value_text(ev.get("attrs", {}).get("present"), labels) or labels["unknown"],
         "basis": value_text(ev.get("attrs", {}).get("basis"), labels)}
        for ev in evidence if ev["kind"] == "policy.checklist"
    ]


# --- targets and the whole document ----------------------------------------------------------

def display_names(lang: str) -> dict[str, Mapping[str, str]]:
    """The words for the product's own values (severity, outcome, target kind, grade, confidence):
    every output in one language shows these, never the values."""
    labels = labels_for(lang)
    return {"severity": labels["severity_names"], "outcome": labels["outcome"], "kind": labels["target_kinds"],
            "grade": labels["grade_names"], "confidence": labels["confidence_names"]}


def named(table: Mapping[str, str], value: Any) -> str:
    return table.get(str(value), str(value)) if value not in (None, "") else ""


def grade_label(grade: str, labels: Labels) -> str:
    """A letter grade as it is; "incomplete" and "N/A" in words."""
    return labels["grade_names"].get(grade, grade)


def _coverage_view(coverage: Doc | None, lang: str, labels: Labels) -> dict[str, Any] | None:
    if not coverage:
        return None
    ratio = coverage.get("ratio")
    return {
        "judged": coverage["judged"], "applicable": coverage["applicable"], "complete": coverage["complete"],
        "percent": "—" if ratio is None else f"{100 * ratio:.0f}%",
        "threshold": f"{100 * coverage['threshold']:.0f}%",
        "gaps": [{**gap, "kind_labels": list(gap.get("kind_names") or gap.get("kinds", ()))}
                 for gap in coverage.get("gaps", ())],
    }


def _target_view(index: int, target: Doc, rules: Mapping[str, Doc], lang: str,
                 labels: Labels) -> dict[str, Any]:
    evidence = {ev["id"]: ev for ev in target["evidence"]}
    results = [_result_view(r, rules, evidence, target["uri"], lang, labels) for r in target["results"]]
    attributes = target.get("attributes", {})
    findings = sorted((r for r in results if r["outcome"] in FINDING_OUTCOMES), key=_finding_order)
    coverage = _coverage_view(target.get("coverage"), lang, labels)
    return {
        "anchor": f"target-{index + 1}",
        "id": target["id"],
        "kind": target["kind"],
        "kind_label": labels["target_kinds"].get(target["kind"], target["kind"]),
        "label": target["label"] or target["uri"] or target["id"],
        "uri": target["uri"],
        "sha256": target["sha256"],
        "company": value_text(attributes.get("company"), labels),
        "region": value_text(attributes.get("region"), labels),
        "extractors": target["extractors"],
        "score_value": target["score"]["value"],
        "score": score_text(target["score"]),
        "grade": grade_label(target["score"]["grade"], labels),
        "incomplete": bool(coverage and not coverage["complete"]),
        "grade_class": "grade-" + target["score"]["grade"].replace("/", ""),
        "coverage": coverage,
        "package": value_text(attributes.get("package"), labels),
        "version": value_text(attributes.get("version_name"), labels),
        "certificates": _certificates(attributes),
        "policies_read": list(attributes.get("policies_read") or ()),
        "worst": [f for f in findings if f["outcome"] == "FAIL"][:3],
        "fail_counts": {s: sum(1 for r in results if r["outcome"] == "FAIL" and r["severity"] == s)
                        for s in SEVERITY_ORDER},
        "review_count": sum(1 for r in results if r["outcome"] == "UNKNOWN"),
        "findings": findings,
        "passes": sorted((r for r in results if r["outcome"] == "PASS"), key=lambda r: r["rule_id"]),
        "not_applicable": sorted((r for r in results if r["outcome"] == "NOT_APPLICABLE"),
                                 key=lambda r: r["rule_id"]),
        "app_info": _app_info(target["evidence"], labels, lang),
        "facts": _fact_sections(target["evidence"], labels, lang),
        "practices": _practices(target["evidence"], labels, lang),
        "checklist": _checklist(target["evidence"], labels, lang),
        "errors": errors_view(target["errors"], labels),
    }


def _worst_first(targets: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Incomplete targets first (something must be supplied before they can be graded), then lowest
    score first; targets no rule could be scored go last, in document order."""
    return sorted(targets, key=lambda t: (not t["incomplete"], t["score_value"] is None, t["score_value"] or 0.0))


def scale_text(scoring: Doc | None, lang: str, labels: Labels) -> str:
    """The score and grade scale in one line, from the numbers the report carries."""
    if not scoring:
        return ""
    names = labels["severity_names"]
    weights = "、".join(f"{names[s]} {scoring['severity_weights'][s]:g}" for s in SEVERITY_ORDER
                       if s in scoring["severity_weights"])
    factors = "、".join(f"{labels['confidence_names'][c]} ×{scoring['confidence_factors'][c]:g}"
                       for c in ("low", "medium", "high") if c in scoring["confidence_factors"])
    grades = "、".join(f"{g['grade']} ≥ {g['min']:g}" for g in scoring["grades"])
    return labels["scale"].format(weights=weights, factors=factors, grades=grades,
                                  coverage=f"{100 * scoring['min_coverage']:.0f}%")


def errors_view(errors: Iterable[Doc], labels: Labels) -> list[dict[str, Any]]:
    """Each error with its stage in words: "extract:policy_nlp" → 提取（policy_nlp）."""
    shown = []
    for error in errors:
        stage, _, detail = str(error.get("stage", "")).partition(":")
        word = labels["stage_names"].get(stage, stage)
        shown.append({**error, "stage_label": labels["stage_detail"].format(stage=word, detail=detail) if detail else word})
    return shown


def cited_articles(targets: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Every article the findings cite, once, numbered in the order first cited; each finding's basis
    gets the number (`ref`), so a document prints an article's words once and refers to them."""
    cited: dict[str, dict[str, Any]] = {}
    for target in targets:
        for finding in target["findings"]:
            for basis in finding["basis"]:
                entry = cited.setdefault(basis["key"], {**basis, "ref": len(cited) + 1})
                basis["ref"] = entry["ref"]
    return list(cited.values())


def build_view(report: Doc, lang: str) -> dict[str, Any]:
    labels = labels_for(lang)
    tool = report["tool"]
    rules = {rule["id"]: rule for rule in tool["rules"]}
    targets = [_target_view(i, t, rules, lang, labels) for i, t in enumerate(report["targets"])]
    ranked = len(targets) > 1
    if ranked:
        targets = _worst_first(targets)
    return {
        "lang": lang,
        "L": labels,
        "tool_name": tool["name"],
        "tool_version": tool["version"],
        "ruleset_sha256": tool["ruleset_sha256"],
        "rule_count": len(tool["rules"]),
        "generated_at": report["generated_at"],
        "schema_version": report["schema_version"],
        "severities": [(s, labels["severity_names"][s]) for s in SEVERITY_ORDER],
        "scale": scale_text(tool.get("scoring"), lang, labels),
        "lang_label": labels["language_names"][lang],
        "ranked": ranked,
        "show_company": any(t["company"] for t in targets),
        "show_region": any(t["region"] for t in targets),
        "targets": targets,
        "articles": cited_articles(targets),
        "errors": errors_view(report["errors"], labels),
        "signature_sources": tool.get("signature_sources", []),
    }
