"""Validate the label files against the units and the practice list; print counts.

    python bench/labels/check.py            # every file under bench/labels/{zh,en,own}/
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from units import load_units  # noqa: E402

PRACTICES = ("face_collection", "face_purpose", "face_retention", "face_separate_consent", "face_local_storage",
             "face_cloud_upload", "face_alternative", "minors_guardian", "third_party_sharing", "sdk_list",
             "rights_delete", "rights_withdraw", "contact", "cross_border")
POLARITIES = ("affirm", "negate", "conditional")
ALWAYS_AFFIRM = ("face_purpose", "sdk_list", "contact")
NONSTATEMENTS = ("definition", "heading", "toc", "question", "example", "refusal_notice", "feature_menu",
                 "other_actor", "update_notice")


def label_problems(where: str, labels: dict) -> list[str]:
    """What is wrong with one record's labels (practice → polarity)."""
    problems = []
    for practice, polarity in labels.items():
        if practice not in PRACTICES:
            problems.append(f"{where}: unknown practice {practice!r}")
        elif polarity not in POLARITIES:
            problems.append(f"{where}: {practice}: polarity {polarity!r} is not one of {POLARITIES}")
        elif practice in ALWAYS_AFFIRM and polarity != "affirm":
            problems.append(f"{where}: {practice} is always affirm")
    return problems


def label_files() -> list[Path]:
    return sorted(p for d in ("zh", "en") for p in (HERE / d).glob("*.jsonl"))


def check() -> int:
    units = {u["id"]: u for u in load_units()}
    problems: list[str] = []
    counts: Counter = Counter()
    seen: dict[str, Path] = {}
    for path in label_files():
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            where = f"{path.relative_to(HERE)}:{n}"
            try:
                rec = json.loads(line)
            except json.JSONDecodeError as exc:
                problems.append(f"{where}: not JSON ({exc})")
                continue
            unit = units.get(rec.get("id"))
            if unit is None:
                problems.append(f"{where}: unknown unit id {rec.get('id')!r}")
                continue
            if (rec.get("file"), rec.get("start"), rec.get("end")) != (unit["file"], unit["start"], unit["end"]):
                problems.append(f"{where}: file/offsets differ from units.jsonl for {unit['id']}")
            if rec["id"] in seen and seen[rec["id"]] != path:
                problems.append(f"{where}: {rec['id']} also labelled in {seen[rec['id']].name}")
            seen[rec["id"]] = path
            labels = rec.get("labels")
            if not isinstance(labels, dict):
                problems.append(f"{where}: labels must be an object")
                continue
            problems += label_problems(where, labels)
            for practice, polarity in labels.items():
                counts[(unit["lang"], unit["split"], practice, polarity)] += 1
            ns = rec.get("nonstatement")
            if ns is not None and ns not in NONSTATEMENTS:
                problems.append(f"{where}: nonstatement {ns!r} not in {NONSTATEMENTS}")
            if ns is not None and labels:
                problems.append(f"{where}: a nonstatement has no labels")
            if "text" in rec or "sentence" in rec:
                problems.append(f"{where}: label records never hold corpus text")
    for problem in problems:
        print(problem)
    labelled = Counter(units[i]["lang"] for i in seen)
    print(f"labelled units: {dict(labelled)} of {dict(Counter(u['lang'] for u in units.values()))}")
    for lang in ("zh", "en"):
        for practice in PRACTICES:
            row = {s: sum(v for (l, sp, p, _), v in counts.items() if l == lang and sp == s and p == practice)
                   for s in ("train", "dev", "test")}
            if any(row.values()):
                print(f"  {lang} {practice:22s} " + "  ".join(f"{s} {n:4d}" for s, n in row.items()))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(check())
