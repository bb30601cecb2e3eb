"""A follow-up comparison (scanner.campaign.diff, as `Diff.to_dict()`) as Markdown and HTML."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from reports.escape import md_escape
from reports.view import display_names, named

DiffDoc = Mapping[str, Any]

_MD_TEXT = {
    "zh": {
        "title": "整改对比（回头看）", "fixed": "已整改", "new": "新增问题", "unchanged": "仍未整改",
        "changed": "其他变化", "targets": "目标与证据变化", "none": "无", "added": "新增证据", "removed": "消失证据",
        "gone": "（目标已不存在）", "appeared": "（新目标）", "rule": "规则编号", "rule_title": "规则",
        "severity": "严重程度", "target": "目标", "outcome": "结论变化",
    },
    "en": {
        "title": "Follow-up comparison", "fixed": "Fixed", "new": "New findings", "unchanged": "Still failing",
        "changed": "Other changes", "targets": "Targets and evidence changes", "none": "none",
        "added": "evidence added", "removed": "evidence removed", "gone": "(target gone)", "appeared": "(new target)",
        "rule": "Rule ID", "rule_title": "Rule", "severity": "Severity", "target": "Target", "outcome": "Outcome",
    },
}


def _key_text(diff: DiffDoc, kind_and_key: str) -> str:
    """A fact named in the comparison, in the words the comparison carries for it."""
    return str((diff.get("evidence_words") or {}).get(kind_and_key, kind_and_key))


def diff_markdown(diff: DiffDoc, *, lang: str = "zh") -> str:
    text = _MD_TEXT.get(lang, _MD_TEXT["en"])
    names = display_names(lang)
    lines = [f"# {text['title']}", "", f"{diff['old_generated_at']} → {diff['new_generated_at']}", ""]
    for bucket in ("new", "fixed", "unchanged", "changed"):
        changes = diff[bucket]
        lines += [f"## {text[bucket]} ({len(changes)})", ""]
        lines += [
            f"- **{md_escape(c['rule_id'])}** {md_escape(c['title'])} [{named(names['severity'], c['severity'])}] — {md_escape(c['target'])}: "
            f"{named(names['outcome'], c['old_outcome']) or '–'} → {named(names['outcome'], c['new_outcome']) or '–'}"
            for c in changes
        ] or [f"- {text['none']}"]
        lines.append("")
    lines += [f"## {text['targets']}", ""]
    for t in diff['targets']:
        status = text["gone"] if t['new_id'] is None else text["appeared"] if t['old_id'] is None else ""
        lines.append(f"- **{md_escape(t['target'])}** ({named(names['kind'], t['kind'])}) "
                     f"{named(names['grade'], t['old_grade']) or '–'} → {named(names['grade'], t['new_grade']) or '–'} {status}".rstrip())
        lines += [f"  - {text['added']}: {md_escape(_key_text(diff, key))}" for key in t['evidence_added']]
        lines += [f"  - {text['removed']}: {md_escape(_key_text(diff, key))}" for key in t['evidence_removed']]
    return "\n".join(lines) + "\n"


def diff_html(diff: DiffDoc, *, lang: str = "zh") -> str:
    from reports.campaign import STYLE, template_environment

    template = template_environment().get_template("diff.html.j2")
    return template.render(diff=diff, lang=lang, text=_MD_TEXT.get(lang, _MD_TEXT["en"]), style=STYLE,
                           N=display_names(lang), named=named, key_text=lambda key: _key_text(diff, key))


def write_diff(diff: DiffDoc, out_dir: Path, *, lang: str = "zh") -> list[Path]:
    """diff.md and diff.html in `out_dir`."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written = [out_dir / "diff.md", out_dir / "diff.html"]
    written[0].write_text(diff_markdown(diff, lang=lang), encoding="utf-8")
    written[1].write_text(diff_html(diff, lang=lang), encoding="utf-8")
    return written
