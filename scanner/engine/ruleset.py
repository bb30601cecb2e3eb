"""Loading the rule pack: rule files, legal sources, vocabulary and scoring, all validated.

Every problem is a RuleLoadError whose message names the file, so a broken rule pack is caught at
load time and never silently yields PASS. Conditions are checked against the evidence contract
(rules/vocab.yaml): an unknown kind, key value, attribute or attribute value is a load error naming
the file, the rule and what is allowed. What a rule needs (`requires`: each kind it reads and the
extractors that state it) is derived from the contract, never written by hand.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from scanner.contract import Vocabulary, load_vocabulary
from scanner.engine.conditions import Condition, kinds_in
from scanner.engine.legal_texts import article_number_zh, load_articles, short_title
from scanner.errors import RuleLoadError
from scanner.model import Confidence, RuleInfo, Severity
from scanner.schemas import validate, validate_text
from scanner.yamldata import load_yaml

RULE_AREAS = ("face", "consent", "minimisation", "sdk", "security")


def default_rules_dir() -> Path:
    return Path(str(resources.files("rules")))


@dataclass(frozen=True)
class Rule:
    info: RuleInfo
    applies_to: frozenset[str]
    requires: Mapping[str, tuple[str, ...]]  # each kind the rule reads → the extractors that state it
    applies_when: Condition | None
    unknown_when: Condition | None
    fails_when: Condition
    message: Mapping[str, str]
    path: Path

    @property
    def id(self) -> str:
        return self.info.id


@dataclass(frozen=True)
class Scoring:
    severity_weights: Mapping[str, float]
    confidence_factors: Mapping[str, float]
    grades: tuple[tuple[str, float], ...]  # (grade, minimum score), best first
    min_coverage: float = 0.0  # rules judged ÷ rules applicable below which a target gets no grade
    required: tuple[tuple[str, Condition], ...] = ()  # (material, condition true when it was not read)
    gap_texts: Mapping[str, Mapping[str, Mapping[str, str]]] = field(default_factory=dict)  # kind → reason/remedy → lang

    def scale(self) -> dict[str, Any]:
        """The numbers a report shows to explain its scores and grades."""
        return {"severity_weights": dict(self.severity_weights), "confidence_factors": dict(self.confidence_factors),
                "grades": [{"grade": g, "min": m} for g, m in self.grades], "min_coverage": self.min_coverage}


@dataclass(frozen=True)
class RuleSet:
    rules: tuple[Rule, ...]
    vocab: Vocabulary
    sources: Mapping[str, Any]
    scoring: Scoring
    sha256: str
    directory: Path

    def by_id(self, rule_id: str) -> Rule:
        for rule in self.rules:
            if rule.id == rule_id:
                return rule
        raise KeyError(rule_id)


def read_yaml(path: Path) -> Any:
    return _parse_yaml(path, _read_text(path))


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except OSError as exc:
        raise RuleLoadError(f"{path}: cannot read: {exc.strerror or exc}") from exc


def _parse_yaml(path: Path, text: str) -> Any:
    try:
        return load_yaml(text)
    except yaml.YAMLError as exc:
        raise RuleLoadError(f"{path}: invalid YAML: {' '.join(str(exc).split())}") from exc


def schema_path(name: str) -> Path:
    return default_rules_dir() / "schema" / name


def validate_against(schema_name: str, document: Any, path: Path) -> None:
    validate(schema_path(schema_name), document, path)


# A rule file is named ID.slug.yaml; anything else at the top of a pack is pack data (vocab, sources …).
_RULE_FILE_NAME = re.compile(r"^[A-Z]{2,6}-[0-9]{3}\.[a-z0-9-]+\.yaml$")


def rule_files(rules_dir: Path) -> list[Path]:
    """Rule files (not their cases) in every area folder, and those put at the top of the pack (a
    user's own DIR often has no area folders), in a stable order."""
    in_areas = (p for p in rules_dir.glob("*/*.yaml")
                if p.parent.name not in ("schema", "signatures", "lexicon") and not p.name.endswith(".cases.yaml"))
    at_top = (p for p in rules_dir.glob("*.yaml") if _RULE_FILE_NAME.match(p.name))
    return sorted({*in_areas, *at_top})


def _load_scoring(path: Path, vocab: Vocabulary) -> Scoring:
    data = read_yaml(path)
    try:
        weights = {str(k): float(v) for k, v in data["severity_weights"].items()}
        factors = {str(k): float(v) for k, v in data["confidence_factors"].items()}
        grades = tuple(sorted(((str(g["grade"]), float(g["min"])) for g in data["grades"]), key=lambda g: -g[1]))
        coverage = data.get("coverage") or {}
        min_coverage = float(coverage.get("min_ratio", 0.0))
        required = tuple((str(r["name"]), r["missing_when"]) for r in coverage.get("required", ()))
        gap_texts = {str(kind): {part: dict(texts[part]) for part in ("reason", "remedy")}
                     for kind, texts in (coverage.get("gaps") or {}).items()}
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise RuleLoadError(f"{path}: expected severity_weights, confidence_factors, grades and coverage "
                            f"{{min_ratio, required [{{name, missing_when}}], gaps {{kind: {{reason, remedy}}}}}}: {exc}") from exc
    missing = [s.value for s in Severity if s.value not in weights] + [c.value for c in Confidence if c.value not in factors]
    if missing or not grades:
        raise RuleLoadError(f"{path}: missing weights/factors for {', '.join(missing) or 'grades'}")
    if not 0.0 <= min_coverage <= 1.0:
        raise RuleLoadError(f"{path}: coverage.min_ratio must be between 0 and 1 (got {min_coverage})")
    for name, condition in required:
        problems = vocab.condition_problems(condition)
        if problems:
            raise RuleLoadError(f"{path}: coverage.required {name}: {problems[0]} (see rules/vocab.yaml)")
    for kind in ("unseen", "other"):
        if kind not in gap_texts:
            raise RuleLoadError(f"{path}: coverage.gaps needs an entry for {kind!r}")
    return Scoring(weights, factors, grades, min_coverage, required, gap_texts)


def _legal_basis(entries: list[dict[str, Any]], sources: Mapping[str, Any], articles: Mapping[str, Any],
                 path: Path) -> tuple[dict[str, str], ...]:
    """Each cited article with what a reader needs beside it: titles, 文号, 施行日期 and its text (or,
    where the text is not held, its confirmed summary or clause title)."""
    out = []
    for entry in entries:
        source_key, article = entry["source"], str(entry["article"])
        source = sources.get(source_key)
        if source is None:
            raise RuleLoadError(f"{path}: legal_basis cites unknown source {source_key!r}")
        allowed = [str(a) for a in source.get("articles", [])]
        if article not in allowed:
            raise RuleLoadError(f"{path}: {source_key} article {article!r} is not a confirmed article in sources.yaml")
        title = source.get("title", {})
        held = articles.get(source_key) or {}
        words = (held.get("articles") or {}).get(article) or {}
        basis = {"source": source_key, "article": article, "title_zh": title.get("zh", source_key),
                 "title_en": title.get("en", source_key), "short_zh": short_title(title.get("zh", source_key)),
                 "article_zh": words.get("number_zh") or article_number_zh(article),
                 "number": str(source.get("number", "")), "issuer": str(source.get("issuer", "")),
                 "effective": str(held.get("effective", "")), "version": str(held.get("version", ""))}
        for part in ("text", "summary", "title", "chapter"):
            if words.get(part):
                basis["clause_title" if part == "title" else part] = str(words[part])
        out.append({k: v for k, v in basis.items() if v})
    return tuple(out)


def _read_rule_file(path: Path, vocab: Vocabulary) -> Any:
    """A rule file parsed and validated against the rule schema (unless these bytes passed before)."""
    text = _read_text(path)
    data = _parse_yaml(path, text)
    if isinstance(data, dict) and "requires" in data:
        raise RuleLoadError(
            f"{path}: rule {data.get('id', '?')}: `requires` is not written in rule files: it is derived from "
            "rules/vocab.yaml (the extractors that state each kind the rule reads); remove it. Known extractors: "
            + ", ".join(sorted(vocab.extractors())))
    validate_text(schema_path("rule.schema.json"), text, data, path)
    return data


def _load_rule(path: Path, vocab: Vocabulary, sources: Mapping[str, Any], articles: Mapping[str, Any]) -> Rule:
    data = _read_rule_file(path, vocab)
    expected_name = f"{data['id']}.{data['slug']}.yaml"
    if path.name != expected_name:
        raise RuleLoadError(f"{path}: file name must be {expected_name} (id and slug)")
    where = f"{path}: rule {data['id']}"
    conditions = {k: data.get(k) for k in ("applies_when", "unknown_when", "fails_when")}
    for name, condition in conditions.items():
        if condition:
            problems = vocab.condition_problems(condition)
            if problems:
                raise RuleLoadError(f"{where}: {name}: {problems[0]} (see rules/vocab.yaml)")
    read_kinds = set().union(*(kinds_in(c) for c in conditions.values() if c))
    info = RuleInfo(
        id=data["id"],
        slug=data["slug"],
        version=data["version"],
        title=data["title"],
        severity=Severity(data["severity"]),
        confidence=Confidence(data["confidence"]),
        category=data["category"],
        rationale=data["rationale"],
        remediation=data["remediation"],
        legal_basis=_legal_basis(data["legal_basis"], sources, articles, path),
    )
    return Rule(
        info=info,
        applies_to=frozenset(data["applies_to"]),
        requires={kind: vocab.emitters(kind) for kind in sorted(read_kinds)},
        applies_when=conditions["applies_when"],
        unknown_when=conditions["unknown_when"],
        fails_when=conditions["fails_when"],
        message=data["message"],
        path=path,
    )


def load_ruleset(rules_dir: Path | None = None) -> RuleSet:
    """Load and validate a rule pack (the shipped one by default)."""
    rules_dir = Path(rules_dir) if rules_dir else default_rules_dir()
    if not rules_dir.is_dir():
        raise RuleLoadError(f"{rules_dir}: not a rules directory")
    # vocab, sources and scoring come from the pack itself when present, else from the shipped pack
    def pick(name: str) -> Path:
        own = rules_dir / name
        return own if own.is_file() else default_rules_dir() / name

    vocab_path, sources_path, scoring_path = pick("vocab.yaml"), pick("sources.yaml"), pick("scoring.yaml")
    vocab = load_vocabulary(vocab_path)
    sources = read_yaml(sources_path) or {}
    if not isinstance(sources, dict):
        raise RuleLoadError(f"{sources_path}: expected a mapping")
    scoring = _load_scoring(scoring_path, vocab)
    articles = load_articles(pick("articles.yaml"))
    digest = hashlib.sha256()
    rules: list[Rule] = []
    seen: dict[str, Path] = {}
    for path in [vocab_path, sources_path, scoring_path, *rule_files(rules_dir)]:
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    for path in rule_files(rules_dir):
        rule = _load_rule(path, vocab, sources, articles)
        if rule.id in seen:
            raise RuleLoadError(f"{path}: duplicate rule id {rule.id} (also in {seen[rule.id]})")
        seen[rule.id] = path
        rules.append(rule)
    rules.sort(key=lambda r: r.id)
    return RuleSet(tuple(rules), vocab, sources, scoring, digest.hexdigest(), rules_dir)
