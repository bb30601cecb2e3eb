"""The law's own words: the text of every article a rule may cite, read from rules/articles.yaml.

rules/sources.yaml stays the whitelist (which articles a rule may cite). rules/articles.yaml holds,
for each whitelisted article, its number in Chinese (第二十九条), the text verbatim, its chapter, and
per instrument the date it took effect (施行日期), the current text's last amendment and where the text
came from. Instruments whose text is not held (the 2025 face-recognition measures, national
standards) carry a confirmed summary or a clause title instead, marked as such, never passed off as
the text.

Regenerate the file from the reference data (nothing here runs at scan time but `load_articles`):

    python3 -m scanner.engine.legal_texts ../shared/law ../shared/regulations.md > rules/articles.yaml
"""

from __future__ import annotations

import re
import sys
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from scanner.errors import RuleLoadError
from scanner.yamldata import load_yaml

_DIGITS = "零一二三四五六七八九"


def chinese_number(n: int) -> str:
    """1 → 一, 10 → 十, 29 → 二十九, 105 → 一百零五, 1034 → 一千零三十四 (article numbers as statutes write them)."""
    if n < 0:
        raise ValueError(n)
    if n < 10:
        return _DIGITS[n]
    parts: list[str] = []
    for value, unit in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        digit, n = divmod(n, value)
        if digit:
            parts.append(("" if (unit == "十" and not parts and digit == 1) else _DIGITS[digit]) + unit)
        elif parts and n and not parts[-1].endswith("零"):
            parts.append("零")
    return "".join(parts)


def article_number_zh(article: str) -> str:
    """第二十九条 for "29"; a standard's clause ("6.3") stays as written."""
    return f"第{chinese_number(int(article))}条" if article.isdigit() else article


def short_title(title_zh: str) -> str:
    """《个人信息保护法》 for 中华人民共和国个人信息保护法, as a citation names it."""
    return title_zh.removeprefix("中华人民共和国")


@cache
def _load(path: Path) -> Mapping[str, Any]:
    try:
        data = load_yaml(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise RuleLoadError(f"{path}: cannot read the article texts: {exc}") from exc
    if not isinstance(data, dict) or not isinstance(data.get("sources"), dict):
        raise RuleLoadError(f"{path}: expected a top-level 'sources:' mapping")
    return data


def load_articles(path: Path) -> Mapping[str, Any]:
    """{source key: {effective, version, provenance, articles: {number: {number_zh, text|summary|title, chapter}}}}."""
    return _load(Path(path))["sources"]


# ———————————————————————— import (maintainers only) ————————————————————————

_ENACTED = re.compile(r"自(\d{4})年(\d{1,2})月(\d{1,2})日起施行")
_HISTORY_ENACTED = re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日\s*施行$")
# where regulations.md describes each instrument whose text is not in law/ (heading prefix of its section)
_SUMMARY_SECTIONS = {"FRM-2025": "## 2. ", "GB-T-35273-2020": "## 6. ", "GB-T-41391-2022": "### 8.1 "}
ATTRIBUTION = ("Chinese statutory texts taken from LawRefBook/Laws (https://github.com/LawRefBook/Laws, commit {commit}); "
               "official texts: 国家法律法规数据库 https://flk.npc.gov.cn.")


def _iso(match: re.Match[str]) -> str:
    year, month, day = (int(g) for g in match.groups())
    return f"{year:04d}-{month:02d}-{day:02d}"


def _effective(law: Mapping[str, Any]) -> str:
    """The date the text itself says it took effect, else the history's 施行 line."""
    for article in reversed(list(law["articles"].values())):
        found = _ENACTED.search(article["text"])
        if found:
            return _iso(found)
    for line in law.get("history") or ():
        found = _HISTORY_ENACTED.match(line.strip())
        if found:
            return _iso(found)
    return ""


def _section(text: str, heading: str) -> str:
    start = text.index("\n" + heading) + 1
    level = heading.split(" ", 1)[0]
    following = re.search(rf"\n#{{1,{len(level)}}} ", text[start + 1:])
    return text[start: start + 1 + following.start()] if following else text[start:]


def _frm_summaries(section: str) -> dict[str, str]:
    """FRM Art. N → its ZH summary, for the articles regulations.md marks confirmed ([A] or [B])."""
    summaries = {}
    for block in re.split(r"\n(?=### )", section):
        head = re.match(r"### FRM Art\. (\d+) — .*\[(A|B)[^\]]*\]", block)
        if not head:
            continue
        found = re.search(r"\*\*ZH:\*\*\s*(.+)", block) or re.search(r"\bZH:\s*(.+)", block)
        if found:
            summaries[head.group(1)] = found.group(1).strip().rstrip(".")
    return summaries


def _clause_titles(section: str) -> dict[str, str]:
    """Clause number → title from a standard's confirmed table of contents."""
    contents = re.search(r"Table of contents[^\n]*", section)
    if not contents:
        return {}
    return {number: title for number, title in re.findall(r"\*{0,2}(\d+\.\d+) ([^\s;,，（()*]+)", contents.group(0))}


def build(law_dir: Path, regulations: Path, sources: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    commit = ""
    for key, source in sources.items():
        wanted = [str(a) for a in source.get("articles", ())]
        law_file = law_dir / f"{key}.yaml"
        if law_file.is_file():
            law = yaml.safe_load(law_file.read_text(encoding="utf-8"))
            commit = law["source"]["commit"]
            missing = [a for a in wanted if a not in law["articles"]]
            if missing:
                raise SystemExit(f"{law_file}: whitelisted articles not in the text: {', '.join(missing)}")
            amended = [line for line in law.get("history") or () if "修正" in line or "修订" in line]
            out[key] = {
                "effective": _effective(law),
                "version": amended[-1] if amended else "",
                "provenance": {k: law["source"][k] for k in ("repo", "path", "commit", "blob")},
                "articles": {a: {"number_zh": law["articles"][a]["zh_number"], "text": law["articles"][a]["text"],
                                 **({"chapter": law["articles"][a]["chapter"]} if law["articles"][a].get("chapter") else {})}
                             for a in wanted},
            }
    text = regulations.read_text(encoding="utf-8")
    for key, heading in _SUMMARY_SECTIONS.items():
        if key not in sources:
            continue
        section = _section(text, heading)
        wanted = [str(a) for a in sources[key].get("articles", ())]
        effective = re.search(r"in force \*{0,2}(\d{4}-\d{2}-\d{2})", section)
        if key == "FRM-2025":
            found = _frm_summaries(section)
            articles = {a: {"number_zh": article_number_zh(a), "summary": found[a]} for a in wanted if a in found}
        else:
            titles = _clause_titles(section)
            articles = {a: {"number_zh": a, "title": titles[a]} for a in wanted if a in titles}
        out[key] = {"effective": effective.group(1) if effective else "", "version": "",
                    "provenance": {"document": f"regulations.md {heading.strip()}", "confidence": sources[key].get("confidence", "")},
                    "articles": articles}
    return {"attribution": ATTRIBUTION.format(commit=commit), "sources": out}


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        sys.stderr.write("usage: python3 -m scanner.engine.legal_texts LAW_DIR REGULATIONS.md > rules/articles.yaml\n")
        return 2
    sources = yaml.safe_load((Path(__file__).resolve().parent.parent / "rules" / "sources.yaml").read_text(encoding="utf-8"))
    data = build(Path(argv[0]), Path(argv[1]), sources)
    sys.stdout.write("# Generated by `python3 -m scanner.engine.legal_texts ../shared/law ../shared/regulations.md`; do not edit.\n"
                     "# Article texts verbatim (paragraphs joined with newlines) for every article sources.yaml whitelists.\n"
                     "# `summary` (FRM-2025) and `title` (standards) stand where no text is held: never quote them as the text.\n")
    sys.stdout.write(yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=10_000))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
