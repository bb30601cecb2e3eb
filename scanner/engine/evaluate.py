"""Judging one target's evidence with the rule pack, scoring it, applying waivers."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from scanner.contract import kind_name, value_text
from scanner.engine.conditions import Verdict, evaluate
from scanner.engine.ruleset import Rule, RuleSet, Scoring, read_yaml
from scanner.errors import RuleLoadError
from scanner.model import INCOMPLETE, Coverage, Evidence, Gap, Outcome, RuleResult, Score, finding_fingerprint


class _Blank(dict):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def _message(rule: Rule, lang: str, decisive: Sequence[Evidence]) -> str:
    # closed values read in the report's language (retention → 保存期限); hosts and APIs as found
    keys = sorted({value_text(e.kind, "key", e.key, lang) for e in decisive if e.key})
    template = rule.message.get(lang) or rule.message["zh"]
    return template.format_map(_Blank(keys=("、" if lang == "zh" else ", ").join(keys) or "-", count=len(decisive)))


def _unique_ids(evidence: Iterable[Evidence]) -> tuple[str, ...]:
    return tuple(sorted({e.id for e in evidence}))


_UNSEEN_NOTE = {"zh": "无法判断：判断所需的事实未能提取", "en": "Cannot judge: the facts this rule needs could not be extracted"}
_NO_REASON = {"zh": "提取器出错", "en": "an extractor failed"}
_UNANALYSED_NOTE = {"zh": "无法判断：相关材料未能分析", "en": "Cannot judge: the relevant material could not be analysed"}


def unseen_kinds(rule: Rule, ran_cleanly: set[str], expected: set[str] | None = None) -> frozenset[str]:
    """The kinds the rule reads that this target could not state: an extractor of the kind was
    expected here and none of them ran cleanly. A kind none of the expected extractors states (an
    app screen, for a policy file) is simply absent. Without `expected`, every emitter is expected."""
    return frozenset(
        kind
        for kind, extractors in rule.requires.items()
        if not ran_cleanly.intersection(extractors) and (expected is None or expected.intersection(extractors))
    )


def judge(
    rule: Rule, evidence: Sequence[Evidence], ran_cleanly: set[str], *, lang: str = "zh", expected: set[str] | None = None,
    reasons: Mapping[str, str] | None = None,
) -> RuleResult:
    """One rule on one target's evidence. `ran_cleanly` holds extractor names (no version);
    `reasons` says, by extractor name, why one did not run cleanly.

    A condition that depends on facts an extractor failed to state is unknown (see
    scanner.engine.conditions), and so is the rule: UNKNOWN, naming the kinds it could not see and
    why they could not be seen (a packed app's code, an extractor's error).
    """

    def result(outcome: Outcome, decisive: Sequence[Evidence], message: str) -> RuleResult:
        return RuleResult(rule.id, rule.info.version, outcome, rule.info.severity, rule.info.confidence, message, _unique_ids(decisive))

    def unknown(verdict: Verdict) -> RuleResult:
        # the kinds themselves are kept apart (`unseen`); the message says why in words, with the
        # reasons the failed extractors gave
        why = _why_unseen(rule, verdict.unseen, reasons or {}) or [_NO_REASON.get(lang, _NO_REASON["zh"])]
        note = _UNSEEN_NOTE.get(lang, _UNSEEN_NOTE["zh"])
        message = note + (f"（{'；'.join(why)}）" if lang == "zh" else f" ({'; '.join(why)})")
        return replace(result(Outcome.UNKNOWN, (), message), unseen=tuple(sorted(verdict.unseen)))

    unseen = unseen_kinds(rule, ran_cleanly, expected)
    support: tuple[Evidence, ...] = ()
    if rule.applies_when is not None:
        applies = evaluate(rule.applies_when, evidence, unseen)
        if applies.truth is None:
            return unknown(applies)
        if not applies.truth:
            return result(Outcome.NOT_APPLICABLE, (), "")
        support = applies.evidence
    if rule.unknown_when is not None:
        material = evaluate(rule.unknown_when, evidence, unseen)
        if material.truth is None:
            return unknown(material)
        if material.truth:
            return result(Outcome.UNKNOWN, [*support, *material.evidence], _UNANALYSED_NOTE.get(lang, _UNANALYSED_NOTE["zh"]))
    fails = evaluate(rule.fails_when, evidence, unseen)
    if fails.truth is None:
        return unknown(fails)
    if fails.truth:
        return result(Outcome.FAIL, [*support, *fails.evidence], _message(rule, lang, fails.evidence))
    return result(Outcome.PASS, [*support, *fails.evidence], "")


def _why_unseen(rule: Rule, unseen: Iterable[str], reasons: Mapping[str, str]) -> list[str]:
    """The distinct reasons the emitters of the unseen kinds gave, in a stable order."""
    found = (reasons[name] for kind in sorted(unseen) for name in sorted(rule.requires.get(kind, ())) if name in reasons)
    return list(dict.fromkeys(found))


JUDGED = frozenset({Outcome.PASS, Outcome.FAIL, Outcome.WAIVED})
# A waiver records that a finding is being remedied; the finding still stands, so it costs as a FAIL.
LOST = frozenset({Outcome.FAIL, Outcome.WAIVED})


def score(results: Sequence[RuleResult], scoring: Scoring, coverage: Coverage | None = None) -> Score:
    """100 × (1 − Σ weight·factor over FAIL and WAIVED ÷ Σ weight over judged rules); UNKNOWN and N/A
    are left out. An incomplete target (see `assess_coverage`) gets no value and no letter grade."""
    if coverage is not None and not coverage.complete:
        return Score(None, INCOMPLETE)
    decided = [r for r in results if r.outcome in JUDGED]
    total = sum(scoring.severity_weights[r.severity] for r in decided)
    if not decided or total == 0:
        return Score(None, "N/A")
    lost = sum(
        scoring.severity_weights[r.severity] * scoring.confidence_factors[r.confidence]
        for r in decided
        if r.outcome in LOST
    )
    value = round(100.0 * (1.0 - lost / total), 1)
    grade = next((g for g, minimum in scoring.grades if value >= minimum), scoring.grades[-1][0])
    return Score(value, grade)


def _gap_text(scoring: Scoring, kind: str, part: str, lang: str, **values: str) -> str:
    texts = scoring.gap_texts.get(kind) or scoring.gap_texts["other"]
    template = texts[part].get(lang) or texts[part]["zh"]
    return template.format_map(_Blank(values))


def assess_coverage(results: Sequence[RuleResult], evidence: Sequence[Evidence], scoring: Scoring,
                    lang: str = "zh") -> Coverage:
    """What share of the applicable rules was judged, and every gap with its reason and remedy.

    UNKNOWN results are grouped by what left them unknown: the unread material they cite (by its
    evidence kind, e.g. a policy only linked) or, in one gap, the kinds no extractor could state
    (one failed extractor leaves many rules waiting for the same thing). Material listed as required
    in scoring.yaml that was not read makes the target incomplete whatever the ratio."""
    by_id = {e.id: e for e in evidence}
    applicable = [r for r in results if r.outcome is not Outcome.NOT_APPLICABLE]
    judged = sum(1 for r in applicable if r.outcome in JUDGED)
    groups: dict[tuple[str, tuple[str, ...]], tuple[list[str], set[str]]] = {}
    unseen: set[str] = set()
    for r in applicable:
        if r.outcome is not Outcome.UNKNOWN:
            continue
        if r.unseen:
            key: tuple[str, tuple[str, ...]] = ("unseen", ())
            inputs: set[str] = set()
            unseen.update(r.unseen)
        else:
            cited = [by_id[i] for i in r.evidence_ids if i in by_id]
            material = [e for e in cited if e.kind in scoring.gap_texts] or cited
            kinds = tuple(sorted({e.kind for e in material if e.kind in scoring.gap_texts}))
            key = ("unread", kinds)
            inputs = {e.key for e in material if e.kind in kinds}
        rules, seen_inputs = groups.setdefault(key, ([], set()))
        rules.append(r.rule_id)
        seen_inputs.update(inputs)
    missing_material = False
    for _name, condition in scoring.required:
        verdict = evaluate(condition, evidence)
        if not verdict.truth:
            continue
        missing_material = True
        kinds = tuple(sorted({e.kind for e in verdict.evidence}))
        # required material unread although no rule was left waiting for it is still a gap to supply
        _rules, seen_inputs = groups.setdefault(("unread", kinds), ([], set()))
        seen_inputs.update(e.key for e in verdict.evidence)
    gaps = []
    for (cause, grouped_kinds), (rules, inputs) in sorted(groups.items()):
        kinds = tuple(sorted(unseen)) if cause == "unseen" else grouped_kinds
        text_kind = "unseen" if cause == "unseen" else (kinds[0] if len(kinds) == 1 else "other")
        values = {"inputs": "、".join(sorted(inputs)) if lang == "zh" else ", ".join(sorted(inputs)),
                  "rules": ", ".join(rules)}
        gaps.append(Gap(cause, _gap_text(scoring, text_kind, "reason", lang, **values),
                        _gap_text(scoring, text_kind, "remedy", lang, **values),
                        tuple(rules), kinds, tuple(sorted(inputs)), tuple(kind_name(k, lang) for k in kinds)))
    ratio = judged / len(applicable) if applicable else 1.0
    complete = ratio >= scoring.min_coverage and not missing_material
    return Coverage(judged, len(applicable), scoring.min_coverage, complete, tuple(gaps))


@dataclass(frozen=True)
class Waiver:
    rule_id: str
    fingerprint: str  # a prefix of finding_fingerprint (≥ 12 hex digits) or "*" for every target
    reason: str
    expires: dt.date


def load_waivers(path: Path) -> tuple[Waiver, ...]:
    data = read_yaml(path) or {}
    entries = data.get("waivers") if isinstance(data, dict) else None
    if not isinstance(entries, list):
        raise RuleLoadError(f"{path}: expected a top-level 'waivers:' list")
    waivers = []
    for i, entry in enumerate(entries, 1):
        try:
            fp = str(entry["fingerprint"])
            if fp != "*" and len(fp) < 12:
                raise ValueError("fingerprint must have at least 12 hex digits")
            expires = entry["expires"]
            expires = expires if isinstance(expires, dt.date) else dt.date.fromisoformat(str(expires))
            reason = str(entry["reason"]).strip()
            if not reason:
                raise ValueError("reason is empty")
            waivers.append(Waiver(str(entry["rule"]), fp, reason, expires))
        except (KeyError, TypeError, ValueError) as exc:
            raise RuleLoadError(f"{path}: waiver #{i}: {exc} (needs rule, fingerprint, reason, expires)") from exc
    return tuple(waivers)


def apply_waivers(
    results: Sequence[RuleResult], waivers: Sequence[Waiver], today: dt.date
) -> tuple[list[RuleResult], list[str]]:
    """FAILs covered by a live waiver become WAIVED; expired waivers are reported, not applied."""
    out, notes = [], []
    for r in results:
        if r.outcome is Outcome.FAIL:
            fp = r.fingerprint
            for w in waivers:
                if w.rule_id == r.rule_id and (w.fingerprint == "*" or fp.startswith(w.fingerprint)):
                    if w.expires < today:
                        notes.append(f"waiver for {r.rule_id} expired on {w.expires.isoformat()}; finding kept")
                        continue
                    r = replace(r, outcome=Outcome.WAIVED, waiver_reason=w.reason)
                    break
        out.append(r)
    return out, notes


def judge_all(
    ruleset: RuleSet,
    target_kind: str,
    evidence: Sequence[Evidence],
    ran_cleanly: set[str],
    *,
    identity: str,
    lang: str = "zh",
    expected: set[str] | None = None,
    reasons: Mapping[str, str] | None = None,
) -> list[RuleResult]:
    """Every rule that applies to this kind of target, each result with its finding fingerprint
    (`identity`: the input's sha256, or the target id when it has none)."""
    return [
        replace(judge(rule, evidence, ran_cleanly, lang=lang, expected=expected, reasons=reasons),
                fingerprint=finding_fingerprint(rule.id, identity))
        for rule in ruleset.rules
        if target_kind in rule.applies_to
    ]
