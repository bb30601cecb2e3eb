"""Per-attribute accuracy of the page-notice reader and the app-text reader on the project's own labelled
notice sentences (bench/labels/own/notices_zh.yaml).

Each `notice` item goes through page_text as one captured page whose body is the sentence; each `app`
item through apk_strings as an app whose only string is the text. What the readers state is compared
with the labels, item by item:

  face_capture   a face-capture notice is stated (notices)
  place          the notice's place (notices that capture faces)
  purposes       the set of purposes (notices: the notice purposes; apps: the face purposes the text names)
  face_only      face is said to be the only way through
  alternatives   the set of (method, audience) of the non-face ways through
  resident_way   whether some way through is open to residents (FACE-001 reads this)
  withdrawn      no withdrawn method is read as a way through for residents or all (items with one)

    python bench/notice_eval.py [--half odd|even|both] [--errors ATTRIBUTE] [--written]

`--half` scores the items of odd or even number only (one half to read mistakes on, the other to
measure on); `--errors` prints that attribute's mistakes (id, gold, read, text) to stderr. `--written`
scores notices_written_zh.yaml instead: 200 items written and labelled by a writer who saw neither the
readers nor their lexicons (odd items to read mistakes on, even ones to measure on, as above).
"""

from __future__ import annotations

import argparse
import hashlib
import html
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from scanner.extractors.apk_strings import SPEC as APK_STRINGS
from scanner.extractors.page_text import CAPTURE_PURPOSE, page_facts
from scanner.model import Evidence
from scanner.sources.apk import apk_from_texts
from scanner.sources.web import CapturedPage

LABELS = Path(__file__).resolve().parent / "labels" / "own" / "notices_zh.yaml"
# written by a writer who saw neither the readers nor their lexicons: a set no reader change was tuned on
WRITTEN = LABELS.with_name("notices_written_zh.yaml")
ATTRIBUTES = ("face_capture", "place", "purposes", "face_only", "alternatives", "resident_way", "withdrawn")


def notice_facts(item_id: str, text: str) -> list[Evidence]:
    body = f"<html><body><p>{html.escape(text)}</p></body></html>".encode()
    url = f"https://bench.invalid/notice/{item_id}.html"
    page = CapturedPage(url=url, final_url=url, status=200, fetched_at="2026-01-01T00:00:00Z",
                        sha256=hashlib.sha256(body).hexdigest(), content_type="text/html; charset=utf-8",
                        company="bench", warc_path=None, warc_offset=0, content=body)
    return page_facts(page)


def app_facts(item_id: str, text: str) -> list[Evidence]:
    return list(APK_STRINGS.run(apk_from_texts([text], uri=f"bench:{item_id}"), ()))


@dataclass(frozen=True)
class Reading:
    """What the readers state about one item, in the labels' terms."""

    face_capture: bool
    place: str
    purposes: frozenset[str]
    face_only: bool
    alternatives: frozenset[tuple[str, str]]


def reading(kind: str, facts: Iterable[Evidence]) -> Reading:
    facts = list(facts)
    notices = [e for e in facts if e.kind == "web.face_capture_notice"]
    if kind == "notice":
        purposes = frozenset(e.attrs["purpose"] for e in notices)
    else:
        purposes = frozenset(e.attrs["purpose"] for e in facts if e.kind == "ui.text")
    return Reading(
        face_capture=bool(notices),
        place=notices[0].attrs["place"] if notices else "none",
        purposes=purposes,
        face_only=any(e.attrs.get("face_only") for e in facts if e.kind == "context.access_control"),
        alternatives=frozenset((e.attrs["method"], e.attrs["for"]) for e in facts
                               if e.kind == "access.alternative_method"),
    )


def gold_purposes(item: dict[str, Any]) -> frozenset[str]:
    """Notices in notice purposes; app texts in the face purposes an app's screens can name (no
    `unknown`: a screen that names no purpose names none)."""
    if item["kind"] == "notice":
        return frozenset(item["purposes"])
    return frozenset(CAPTURE_PURPOSE[p] for p in item["purposes"] if p != "unknown")


def resident_way(alternatives: Iterable[tuple[str, str]]) -> bool:
    return any(audience in ("residents", "all") for _, audience in alternatives)


# attribute → (applies to the item, gold value, read value)
Judge = tuple[Callable[[dict[str, Any]], bool], Callable[[dict[str, Any]], Any], Callable[[Reading, dict[str, Any]], Any]]
JUDGES: dict[str, Judge] = {
    "face_capture": (lambda g: g["kind"] == "notice", lambda g: g["face_capture"], lambda r, g: r.face_capture),
    "place": (lambda g: g["kind"] == "notice" and g["face_capture"], lambda g: g["place"], lambda r, g: r.place),
    "purposes": (lambda g: True, gold_purposes, lambda r, g: r.purposes),
    "face_only": (lambda g: True, lambda g: g["face_only"], lambda r, g: r.face_only),
    "alternatives": (lambda g: True, lambda g: frozenset((a["method"], a["for"]) for a in g["alternatives"]),
                     lambda r, g: r.alternatives),
    "resident_way": (lambda g: True, lambda g: resident_way((a["method"], a["for"]) for a in g["alternatives"]),
                     lambda r, g: resident_way(r.alternatives)),
    "withdrawn": (lambda g: bool(g["withdrawn"]), lambda g: frozenset(),
                  lambda r, g: frozenset(m for m, a in r.alternatives if a != "visitors") & frozenset(g["withdrawn"])),
}


def shown(value: Any) -> str:
    if isinstance(value, frozenset):
        return "{" + ", ".join(sorted("/".join(v) if isinstance(v, tuple) else v for v in value)) + "}"
    return str(value)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--half", choices=("odd", "even", "both"), default="both")
    parser.add_argument("--errors", choices=ATTRIBUTES, help="print this attribute's mistakes to stderr")
    parser.add_argument("--written", action="store_true",
                        help=f"score the notices written for measuring ({WRITTEN.name}) instead")
    args = parser.parse_args()
    items = yaml.safe_load((WRITTEN if args.written else LABELS).read_text(encoding="utf-8"))
    if args.half != "both":
        items = [g for g in items if int(g["id"].split("-")[1]) % 2 == (args.half == "odd")]
    readings = {g["id"]: reading(g["kind"], (notice_facts if g["kind"] == "notice" else app_facts)(g["id"], g["text"]))
                for g in items}
    print(f"{len(items)} labelled sentences ({args.half}): accuracy per attribute")
    print(f"  {'attribute':<14}{'notice':>16}{'app':>16}{'all':>16}")
    for attribute in ATTRIBUTES:
        applies, gold, read = JUDGES[attribute]
        cells = []
        for kinds in (("notice",), ("app",), ("notice", "app")):
            scored = [g for g in items if g["kind"] in kinds and applies(g)]
            right = sum(gold(g) == read(readings[g["id"]], g) for g in scored)
            cells.append(f"{right}/{len(scored)} {right / len(scored):.0%}" if scored else "-")
        print(f"  {attribute:<14}" + "".join(f"{c:>16}" for c in cells))
        if attribute == args.errors:
            for g in items:
                r = read(readings[g["id"]], g)
                if applies(g) and gold(g) != r:
                    print(f"{g['id']} gold {shown(gold(g))} read {shown(r)}  {g['text']}", file=sys.stderr)


if __name__ == "__main__":
    main()
