"""`fangcun rules new AREA SLUG`: a new rule file and its cases file, with the next free id.

The rule written loads and its two cases pass as they are, so the pack stays valid the moment the files
exist; every text to write is marked 待填写 / TO WRITE and the evidence kinds of the contract are listed
in a comment, so the author writes conditions from the vocabulary rather than from memory.
"""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

from scanner.contract import Vocabulary
from scanner.engine.ruleset import RULE_AREAS, rule_files
from scanner.errors import RuleLoadError

AREA_PREFIXES = {"face": "FACE", "consent": "CONS", "minimisation": "MINI", "sdk": "SDK", "security": "SEC"}
SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
TO_WRITE = "待填写 / TO WRITE"


def next_rule_id(rules_dir: Path, area: str) -> str:
    """The area's prefix and one more than the highest number in use (ids are never reused, so a number
    freed by a deleted rule is not taken again as long as a higher one exists)."""
    prefix = AREA_PREFIXES[area]
    numbers = [int(m.group(1)) for p in rule_files(rules_dir)
               if (m := re.match(rf"{prefix}-(\d{{3}})\.", p.name))]
    return f"{prefix}-{max(numbers, default=0) + 1:03d}"


def _kinds_comment(vocab: Vocabulary) -> str:
    lines = ["# Evidence kinds a condition may read (rules/vocab.yaml has their attributes and values):"]
    for name, spec in sorted(vocab.kinds.items()):
        lines.append(f"#   {name:32} {spec.meaning}")
    return "\n".join(lines)


def new_rule(rules_dir: Path, area: str, slug: str, vocab: Vocabulary) -> tuple[Path, Path]:
    """Write AREA/ID.SLUG.yaml and its cases; RuleLoadError for a bad area or slug or an existing file."""
    if area not in RULE_AREAS:
        raise RuleLoadError(f"{area}: unknown rule area; choose from {', '.join(RULE_AREAS)}")
    if not SLUG.fullmatch(slug):
        raise RuleLoadError(f"{slug}: a slug is lower-case words joined by hyphens, e.g. face-retention-unstated")
    taken = [p for p in rule_files(rules_dir) if p.name.split(".")[1] == slug]
    if taken:
        raise RuleLoadError(f"{slug}: already the slug of {taken[0]}")
    rule_id = next_rule_id(rules_dir, area)
    folder = rules_dir / area
    folder.mkdir(parents=True, exist_ok=True)
    rule_path = folder / f"{rule_id}.{slug}.yaml"
    cases_path = folder / f"{rule_id}.{slug}.cases.yaml"
    rule_path.write_text(_rule_text(rule_id, slug, area, vocab), encoding="utf-8")
    cases_path.write_text(_cases_text(rule_id), encoding="utf-8")
    return rule_path, cases_path


def _rule_text(rule_id: str, slug: str, area: str, vocab: Vocabulary) -> str:
    body = textwrap.dedent(f"""\
        id: {rule_id}
        slug: {slug}
        version: 1
        title:
          zh: {TO_WRITE}
          en: {TO_WRITE}
        severity: medium  # info, low, medium, high, critical
        confidence: medium  # low, medium, high: how sure a FAIL is (a low-confidence FAIL reads 可能 / probable)
        category: {area}
        applies_to: [apk]  # apk, page, policy, site
        # Which facts make the rule apply (false: NOT_APPLICABLE) and which make it fail. Conditions are
        # all / any / none over {{evidence: KIND, key: …, where: {{attr: value}}, min_count: n}}; what the rule
        # needs from the extractors is derived from the kinds it reads. Replace this placeholder.
        applies_when:
          evidence: app.info
        fails_when:
          none:
            - {{evidence: policy.document}}
        message:
          zh: {TO_WRITE}
          en: {TO_WRITE}
        rationale:
          zh: {TO_WRITE}
          en: {TO_WRITE}
        remediation:
          zh: {TO_WRITE}
          en: "Do: {TO_WRITE}. Do not: {TO_WRITE}."
        # Only articles rules/sources.yaml lists as confirmed load.
        legal_basis:
          - {{source: PIPL, article: "17"}}
        """)
    return body + _kinds_comment(vocab) + "\n"


def _cases_text(rule_id: str) -> str:
    return textwrap.dedent(f"""\
        # Cases for {rule_id}: each gives hand-written `evidence` or an `input` that goes through the real
        # extractors (ui: [app strings], page: html, notice: text, policy: text, apk: fixture.apk), and the
        # outcome expected. Give at least one PASS and one FAIL, and one input case per target kind.
        rule: {rule_id}
        cases:
          - name: an app with no policy fails (placeholder, replace)
            target_kind: apk
            evidence:
              - {{kind: app.info, key: com.example.app}}
            expect: FAIL
          - name: an app with a policy passes (placeholder, replace)
            target_kind: apk
            evidence:
              - {{kind: app.info, key: com.example.app}}
              - {{kind: policy.document, key: assets/privacy.html, attrs: {{source: asset, analysed: true}}}}
            expect: PASS
        """)
