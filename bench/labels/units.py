"""The labelling units: which corpus sentences the team labels, where they are, and their split.

A unit is a sentence of a corpus policy named by file and character offsets; the corpus text itself
never enters the project. This script is the one place that decides the units, deterministically:

    python bench/labels/units.py select      # writes bench/labels/units.jsonl (offsets only)
    python bench/labels/units.py extend | extend-topics | extend-en   # append the later batches (see below)
    python bench/labels/units.py show BATCH   # prints a batch's sentences with context (for labelling)
    python bench/labels/units.py stats        # counts per language, split, reason
    python bench/labels/units.py write DECISIONS OUT.jsonl   # a labeller's decisions → a label file
    python bench/labels/units.py review SELECTOR  # units with their current labels, for a second reading
    python bench/labels/units.py apply CORRECTIONS # a reviewer's corrections applied to the label files

Chinese (CA4P-483): every sentence mentioning face or biometrics (人脸 / 面部 / 面容 / 刷脸 / 人像 /
生物识别), the two sentences on either side of each, and a stratified sample of the other sentences
by the CA4P paragraph class they sit in (so that rare practices — minors, cross-border, withdrawal,
retention, contact — are represented). English (OPP-115): a sample stratified by the OPP-115
category of the segment a sentence sits in, plus every sentence naming faces or biometrics.

Splits are by policy (all units of one policy share a split), fixed seed: 60 % train, 20 % dev,
20 % test; Chinese policies that mention faces are split separately so each split holds its share.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import re
import sys
from collections import Counter, defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
CORPUS = REPO.parent / "shared" / "corpus" / "policies"
UNITS = HERE / "units.jsonl"
SEED = 20261202
BATCH_SIZE = 250
SPLIT_SHARES = (("train", 0.6), ("dev", 0.2), ("test", 0.2))

# The labelling unit is a sentence as a Chinese reader cuts it: 。！？；(and ASCII ;!?) or a line end.
ZH_END = re.compile(r"[。！？；;!?]+[”’」』)）]*|\n+")
EN_END = re.compile(r"[!?;]+[\"')\]]*|(?<![A-Z][a-z])(?<!\b[A-Za-z])\.(?=\s)[\"')\]]*|\n+|\[segment \d+\] ?")
FACE = re.compile(r"人脸|面部|面容|刷脸|人像|生物识别")
FACE_EN = re.compile(r"\b(face|facial|biometric\w*|faceprint|face id)\b", re.IGNORECASE)
MIN_CHARS = 4
MAX_CHARS = 600  # longer "sentences" are run-on text dumps; they are cut at the limit's last clause mark
CONTEXT = 2
ZH_TARGET = 3300
EN_TARGET = 700


def bounds(text: str, end_pattern: re.Pattern[str]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    start = 0
    for m in end_pattern.finditer(text):
        _add(text, start, m.end() if not m.group().startswith("[segment") else m.start(), out)
        start = m.end()
    _add(text, start, len(text), out)
    return out


def _add(text: str, start: int, end: int, out: list[tuple[int, int]]) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    while end - start > MAX_CHARS:  # cut a run-on text at its last clause mark before the limit
        cut = max(text.rfind(ch, start, start + MAX_CHARS) for ch in "，,、 ")
        cut = cut + 1 if cut > start else start + MAX_CHARS
        _add(text, start, cut, out)
        start = cut
        while start < end and text[start].isspace():
            start += 1
    if end - start >= MIN_CHARS and re.search(r"[\u4e00-\u9fffA-Za-z]", text[start:end]):
        out.append((start, end))


def read(rel: str) -> str:
    return (CORPUS / rel).read_text(encoding="utf-8")


def _split_of(files: list[str], rng: random.Random) -> dict[str, str]:
    files = sorted(files)
    rng.shuffle(files)
    out, at = {}, 0
    for i, (name, share) in enumerate(SPLIT_SHARES):
        n = len(files) - at if i == len(SPLIT_SHARES) - 1 else round(share * len(files))
        for f in files[at:at + n]:
            out[f] = name
        at += n
    return out


def _ca4p_classes(rel_text: str) -> list[tuple[int, int, str]]:
    labels = CORPUS / rel_text.replace("text/", "labels/").replace(".txt", ".jsonl")
    spans = []
    for line in labels.read_text(encoding="utf-8").splitlines():
        d = json.loads(line)
        cls = d["classId"]
        if int(cls.split("_")[1]) <= 17:  # paragraph classes; e_21… are spans inside sentences
            spans.append((d["start"], d["end"], cls))
    return spans


def _class_at(spans: list[tuple[int, int, str]], start: int, end: int) -> str:
    best, cover = "none", 0
    for s, e, cls in spans:
        overlap = min(e, end) - max(s, start)
        if overlap > cover:
            best, cover = cls, overlap
    return best


def select_zh(rng: random.Random) -> list[dict]:
    index = list(csv.DictReader((CORPUS / "CA4P-483" / "index.tsv").open(encoding="utf-8"), delimiter="\t"))
    face_files = [r["file"] for r in index if "mentions_face_or_biometric=True" in r["labels"]]
    other_files = [r["file"] for r in index if r["file"] not in set(face_files)]
    split = {**_split_of(face_files, rng), **_split_of(other_files, rng)}
    units, pool = [], []
    for row in index:
        rel = "CA4P-483/" + row["file"]
        text = read(rel)
        sents = bounds(text, ZH_END)
        spans = _ca4p_classes(rel)
        chosen: dict[int, str] = {}
        for i, (s, e) in enumerate(sents):
            if FACE.search(text[s:e]):
                chosen[i] = "face"
        for i in list(chosen):
            for j in range(max(0, i - CONTEXT), min(len(sents), i + CONTEXT + 1)):
                chosen.setdefault(j, "face_context")
        for i, (s, e) in enumerate(sents):
            record = {"lang": "zh", "file": rel, "start": s, "end": e, "split": split[row["file"]],
                      "stratum": _class_at(spans, s, e)}
            if i in chosen:
                units.append({**record, "why": chosen[i]})
            else:
                pool.append(record)
    # stratified sample of the rest: an equal share per CA4P class, rare classes taken whole
    by_class: dict[str, list[dict]] = defaultdict(list)
    for r in pool:
        by_class[r["stratum"]].append(r)
    need = ZH_TARGET - len(units)
    classes = sorted(by_class)
    taken: list[dict] = []
    quota = need // len(classes)
    spare = 0
    for cls in sorted(classes, key=lambda c: len(by_class[c])):
        items = by_class[cls]
        rng.shuffle(items)
        n = min(len(items), quota + spare)
        spare = quota + spare - n
        taken += [{**r, "why": "sample"} for r in items[:n]]
    return units + taken


def select_en(rng: random.Random) -> list[dict]:
    index = list(csv.DictReader((CORPUS / "OPP-115" / "index.tsv").open(encoding="utf-8"), delimiter="\t"))
    split = _split_of([r["file"] for r in index], rng)
    pool_by_cat: dict[str, list[dict]] = defaultdict(list)
    units = []
    for row in index:
        rel = "OPP-115/" + row["file"]
        text = read(rel)
        seg_cats = _opp_segment_categories(row)
        seg_starts = [m.start() for m in re.finditer(r"\[segment (\d+)\]", text)]
        for s, e in bounds(text, EN_END):
            seg = max((i for i, at in enumerate(seg_starts) if at <= s), default=0)
            cats = seg_cats.get(seg, ["Other"])
            record = {"lang": "en", "file": rel, "start": s, "end": e, "split": split[row["file"]],
                      "stratum": cats[0]}
            if FACE_EN.search(text[s:e]):
                units.append({**record, "why": "face"})
            else:
                for cat in cats:
                    pool_by_cat[cat].append(record)
    seen = {(u["file"], u["start"]) for u in units}
    cats = sorted(pool_by_cat)
    quota = (EN_TARGET - len(units)) // len(cats)
    for cat in cats:
        items = pool_by_cat[cat]
        rng.shuffle(items)
        n = 0
        for r in items:
            if n >= quota:
                break
            if (r["file"], r["start"]) in seen:
                continue
            seen.add((r["file"], r["start"]))
            units.append({**r, "stratum": cat, "why": "sample"})
            n += 1
    return units


def _opp_segment_categories(row: dict) -> dict[int, list[str]]:
    ann = row["labels"].split(" ", 1)[0]
    path = CORPUS / "OPP-115" / ann
    cats: dict[int, Counter] = defaultdict(Counter)
    with path.open(encoding="utf-8") as fh:
        for rec in csv.reader(fh):
            if len(rec) > 5 and rec[4].isdigit():
                cats[int(rec[4])][rec[5]] += 1
    return {seg: [c for c, _ in counter.most_common()] for seg, counter in cats.items()}


def select() -> None:
    rng = random.Random(SEED)
    units = select_zh(rng) + select_en(rng)
    units.sort(key=lambda u: (u["lang"], u["file"], u["start"]))
    per_lang = Counter()
    with UNITS.open("w", encoding="utf-8") as out:
        for u in units:
            n = per_lang[u["lang"]]
            per_lang[u["lang"]] += 1
            u = {"id": f"{u['lang']}-{n:05d}", "batch": f"{u['lang']}-{n // BATCH_SIZE:02d}", **u}
            out.write(json.dumps(u, ensure_ascii=False) + "\n")
    print(f"{UNITS.relative_to(REPO)}: {dict(per_lang)}")


# Sentences about face verification that do not use the words FACE looks for (活体检测, 实人认证, 人证比对,
# Face ID …), added after the first selection as batch zh-14 so no existing id changes.
FACE_MORE = re.compile(r"脸|活体|实人|人证|面孔|面貌|Face ?ID|TrueDepth|证件照|人像")
EXTENSION_BATCH = "zh-14"


def zh_splits() -> dict[str, str]:
    """The split of every CA4P policy, as `select` drew it (the same seed and the same draws)."""
    rng = random.Random(SEED)
    index = list(csv.DictReader((CORPUS / "CA4P-483" / "index.tsv").open(encoding="utf-8"), delimiter="\t"))
    face_files = [r["file"] for r in index if "mentions_face_or_biometric=True" in r["labels"]]
    other_files = [r["file"] for r in index if r["file"] not in set(face_files)]
    return {**_split_of(face_files, rng), **_split_of(other_files, rng)}


def extend() -> None:
    """Append the face-verification sentences `select` missed as one more batch, keeping every existing id."""
    units = load_units()
    if any(u["batch"] == EXTENSION_BATCH for u in units):
        sys.exit(f"{EXTENSION_BATCH} is already in {UNITS.name}")
    have = {(u["file"], u["start"]) for u in units}
    split = zh_splits()
    n = sum(1 for u in units if u["lang"] == "zh")
    added = []
    for rel in sorted({f"CA4P-483/{f}" for f in split}):
        text = read(rel)
        spans = _ca4p_classes(rel)
        for s, e in bounds(text, ZH_END):
            if (rel, s) not in have and FACE_MORE.search(text[s:e]):
                added.append(_appended_unit(n, EXTENSION_BATCH, rel, s, e, split, spans, "face_more"))
                n += 1
    _append(added)
    print(f"{UNITS.relative_to(REPO)}: {len(added)} units added as {EXTENSION_BATCH}")


# The second extension (batches zh-15 … zh-18): unlabelled sentences on the non-face topics the reader is
# weakest at (sharing, SDKs, deletion, withdrawal, contact, transfer abroad, minors), sampled with the fixed
# seed from every split, so that each split holds more of them and the learned reader more training data.
TOPIC_MORE = re.compile(r"共享|分享|第三方|合作方|合作伙伴|关联|SDK|sdk|委托|转让|披露|提供给|删除|注销|撤回|撤销|退订|"
                        r"关闭|境外|跨境|出境|联系|邮箱|电话|监护|未成年|儿童|上传|服务器")
TOPIC_BATCHES = ("zh-15", "zh-16", "zh-17", "zh-18")
TOPIC_BATCH_SIZE = 200


def extend_topics() -> None:
    """Append TOPIC_BATCHES: sentences matching TOPIC_MORE that no batch holds, a seeded sample, keeping every id."""
    units = load_units()
    if any(u["batch"] in TOPIC_BATCHES for u in units):
        sys.exit(f"{TOPIC_BATCHES[0]} is already in {UNITS.name}")
    have = {(u["file"], u["start"]) for u in units}
    split = zh_splits()
    pool = []
    for rel in sorted({f"CA4P-483/{f}" for f in split}):
        text = read(rel)
        for s, e in bounds(text, ZH_END):
            if (rel, s) not in have and TOPIC_MORE.search(text[s:e]):
                pool.append((rel, s, e))
    chosen = sorted(random.Random(SEED + 15).sample(pool, TOPIC_BATCH_SIZE * len(TOPIC_BATCHES)))
    n = sum(1 for u in units if u["lang"] == "zh")
    spans_of = {rel: _ca4p_classes(rel) for rel in {rel for rel, _, _ in chosen}}
    _append([_appended_unit(n + i, TOPIC_BATCHES[i * len(TOPIC_BATCHES) // len(chosen)], rel, s, e, split,
                            spans_of[rel], "topic_more")
             for i, (rel, s, e) in enumerate(chosen)])
    print(f"{UNITS.relative_to(REPO)}: {len(chosen)} units added as {', '.join(TOPIC_BATCHES)} (pool {len(pool)})")


# The English extension (batches en-03, en-04): OPP-115 sentences on the practices English policies state
# (sharing, named vendors, deletion, choices, contact, children, transfer abroad) that no batch holds. A
# policy's split is the one its first units got (every OPP-115 policy has units since the first selection).
TOPIC_MORE_EN = re.compile(r"\b(shar\w*|third[- ]part\w*|disclos\w*|partner\w*|affiliat\w*|vendor\w*|analytics|"
                           r"cookie\w*|google|facebook|advertis\w*|delet\w*|remov\w*|opt[- ]?out|unsubscribe|"
                           r"withdraw\w*|contact\w*|e-?mail|child\w*|under 1[38]|parent\w*|transfer\w*|"
                           r"countr\w*|international\w*|outside)\b", re.IGNORECASE)
TOPIC_BATCHES_EN = ("en-03", "en-04")
MIN_CHARS_EN_TOPIC = 30  # shorter pieces are list items and headings, already well represented


def extend_en() -> None:
    """Append TOPIC_BATCHES_EN: English sentences matching TOPIC_MORE_EN that no batch holds, a seeded sample."""
    units = load_units()
    if any(u["batch"] in TOPIC_BATCHES_EN for u in units):
        sys.exit(f"{TOPIC_BATCHES_EN[0]} is already in {UNITS.name}")
    have = {(u["file"], u["start"]) for u in units}
    split = {u["file"]: u["split"] for u in units if u["lang"] == "en"}
    pool = []
    for rel in sorted(split):
        text = read(rel)
        for s, e in bounds(text, EN_END):
            if (rel, s) not in have and e - s >= MIN_CHARS_EN_TOPIC and TOPIC_MORE_EN.search(text[s:e]):
                pool.append((rel, s, e))
    chosen = sorted(random.Random(SEED + 3).sample(pool, TOPIC_BATCH_SIZE * len(TOPIC_BATCHES_EN)))
    n = sum(1 for u in units if u["lang"] == "en")
    _append([{"id": f"en-{n + i:05d}", "batch": TOPIC_BATCHES_EN[i * len(TOPIC_BATCHES_EN) // len(chosen)],
              "lang": "en", "file": rel, "start": s, "end": e, "split": split[rel], "stratum": "topic",
              "why": "topic_more"} for i, (rel, s, e) in enumerate(chosen)])
    print(f"{UNITS.relative_to(REPO)}: {len(chosen)} units added as {', '.join(TOPIC_BATCHES_EN)} (pool {len(pool)})")


def _appended_unit(n: int, batch: str, rel: str, start: int, end: int, split: dict[str, str],
                   spans: list[tuple[int, int, str]], why: str) -> dict:
    """A CA4P unit of a batch appended after the first selection (the same fields `select` writes)."""
    return {"id": f"zh-{n:05d}", "batch": batch, "lang": "zh", "file": rel, "start": start, "end": end,
            "split": split[rel.removeprefix("CA4P-483/")], "stratum": _class_at(spans, start, end), "why": why}


def _append(units: list[dict]) -> None:
    with UNITS.open("a", encoding="utf-8") as out:
        for u in units:
            out.write(json.dumps(u, ensure_ascii=False) + "\n")


def load_units() -> list[dict]:
    return [json.loads(line) for line in UNITS.read_text(encoding="utf-8").splitlines()]


def unit_text(unit: dict, _cache: dict[str, str] = {}) -> str:  # noqa: B006 — a per-process file cache
    if unit["file"] not in _cache:
        _cache[unit["file"]] = read(unit["file"])
    return _cache[unit["file"]][unit["start"]:unit["end"]]


# Units every labeller of a language labels, to measure agreement: a seeded sample of the units before the
# topic batches (cal-zh, cal-en), and one drawn with them (cal-zh-topics, the labellers of zh-15 … zh-18).
CALIBRATION = {"cal-zh": ("zh", 60, False), "cal-en": ("en", 30, False), "cal-zh-topics": ("zh", 60, True)}


def batch_units(batch: str) -> list[dict]:
    """A batch's units, or a calibration sample (CALIBRATION)."""
    units = load_units()
    if batch in CALIBRATION:
        lang, n, with_topics = CALIBRATION[batch]
        pool = [u for u in units if u["lang"] == lang and u["batch"] not in TOPIC_BATCHES_EN
                and (with_topics or u["batch"] not in TOPIC_BATCHES)]
        return sorted(random.Random(SEED).sample(pool, n), key=lambda u: u["id"])
    return [u for u in units if u["batch"] == batch]


def show(batch: str) -> None:
    units = batch_units(batch)
    if not units:
        sys.exit(f"no batch {batch!r}")
    for u in units:
        text = read(u["file"])
        before = text[max(0, u["start"] - 80):u["start"]].replace("\n", " ⏎ ")
        print(f"### {u['id']}  ({u['file']} {u['start']}-{u['end']}, {u['why']})")
        print(f"    before: …{before}")
        print(f"    >>> {text[u['start']:u['end']]}")


ABBREVIATIONS = {"a": "affirm", "n": "negate", "c": "conditional"}


def read_decisions(decisions: Path) -> list[tuple[int, str, dict[str, str], str, str]]:
    """A decisions file's lines as (line number, id, labels, non-statement reason, note); ValueError names the
    line of a practice without a polarity. The format is write_labels'."""
    out = []
    for n, raw in enumerate(decisions.read_text(encoding="utf-8").splitlines(), 1):
        line, _, note = raw.partition("#")
        parts = line.split()
        if not parts:
            continue
        labels: dict[str, str] = {}
        nonstatement = ""
        rest = parts[1:]
        if rest and rest[0] == "-":
            nonstatement = rest[1] if len(rest) > 1 else ""
        else:
            for item in rest:
                practice, eq, polarity = item.partition("=")
                if not eq:
                    raise ValueError(f"{decisions}:{n}: expected practice=polarity, got {item!r}")
                labels[practice] = ABBREVIATIONS.get(polarity, polarity)
        out.append((n, parts[0], labels, nonstatement, note.strip()))
    return out


def write_labels(decisions: Path, out: Path) -> None:
    """Turn a labeller's decisions file into a label file with the units' offsets.

    One line per unit: `ID practice=polarity …` (polarity affirm/negate/conditional or a/n/c),
    `ID -` for no practice, `ID - REASON` for a non-statement (definition, heading, …), and optionally
    `# note` at the end. Blank lines and lines starting with # are skipped."""
    units = {u["id"]: u for u in load_units()}
    records = []
    try:
        decided = read_decisions(decisions)
    except ValueError as exc:
        sys.exit(str(exc))
    for n, unit_id, labels, nonstatement, note in decided:
        unit = units.get(unit_id)
        if unit is None:
            sys.exit(f"{decisions}:{n}: unknown unit {unit_id!r}")
        record = {"id": unit["id"], "file": unit["file"], "start": unit["start"], "end": unit["end"], "labels": labels}
        if nonstatement:
            record["nonstatement"] = nonstatement
        if note:
            record["note"] = note
        records.append(record)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    print(f"{out}: {len(records)} units")


def current_labels() -> dict[str, dict]:
    """Every label record by unit id (the label files of both languages)."""
    records = {}
    for path in sorted(p for d in ("zh", "en") for p in (HERE / d).glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            rec = json.loads(line)
            records[rec["id"]] = {**rec, "_file": path}
    return records


def review(selector: str) -> None:
    """Print the units a selector picks with their current labels, for a second reading.

    Selectors: `why:face` (face and face-context units), `practice:NAME` (units labelled with NAME),
    `cue:REGEX` (units whose sentence matches REGEX), `ids:FILE` (ids listed in a file), joined with `,`
    for a union; prefix `zh:` or `en:` to keep one language."""
    lang = None
    if selector[:3] in ("zh:", "en:"):
        lang, selector = selector[:2], selector[3:]
    labels = current_labels()
    chosen: dict[str, dict] = {}
    for part in selector.split(","):
        kind, _, value = part.partition(":")
        for u in load_units():
            rec = labels.get(u["id"], {})
            if lang and u["lang"] != lang:
                continue
            if (kind == "why" and u["why"].startswith(value)) or \
               (kind == "practice" and value in rec.get("labels", {})) or \
               (kind == "cue" and re.search(value, unit_text(u))) or \
               (kind == "ids" and u["id"] in set(Path(value).read_text().split())):
                chosen[u["id"]] = u
    for u in sorted(chosen.values(), key=lambda u: u["id"]):
        text = read(u["file"])
        rec = labels.get(u["id"], {})
        shown = " ".join(f"{k}={v[0]}" for k, v in sorted(rec.get("labels", {}).items())) or "-"
        if rec.get("nonstatement"):
            shown += f" ({rec['nonstatement']})"
        before = text[max(0, u["start"] - 80):u["start"]].replace("\n", " ⏎ ")
        print(f"### {u['id']}  [{shown}]")
        print(f"    before: …{before}")
        print(f"    >>> {text[u['start']:u['end']]}")
    print(f"({len(chosen)} units)")


def apply_corrections(corrections: Path) -> None:
    """Apply a reviewer's corrections to the label files. One line per unit:
    `ID set practice=polarity … unset practice … ns REASON|- # why` (any of set/unset/ns)."""
    labels = current_labels()
    changed_files: set[Path] = set()
    count = 0
    for n, raw in enumerate(corrections.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.partition("#")[0].split()
        if not line:
            continue
        rec = labels.get(line[0])
        if rec is None:
            sys.exit(f"{corrections}:{n}: unknown or unlabelled unit {line[0]!r}")
        mode = None
        for token in line[1:]:
            if token in ("set", "unset", "ns"):
                mode = token
            elif mode == "set":
                practice, _, polarity = token.partition("=")
                rec["labels"][practice] = ABBREVIATIONS.get(polarity, polarity)
            elif mode == "unset":
                rec["labels"].pop(token, None)
            elif mode == "ns":
                if token == "-":
                    rec.pop("nonstatement", None)
                else:
                    rec["nonstatement"] = token
            else:
                sys.exit(f"{corrections}:{n}: expected set/unset/ns before {token!r}")
        if rec["labels"]:
            rec.pop("nonstatement", None)
        changed_files.add(rec["_file"])
        count += 1
    for path in changed_files:
        out = []
        for line in path.read_text(encoding="utf-8").splitlines():
            rec = labels[json.loads(line)["id"]]
            out.append(json.dumps({k: v for k, v in rec.items() if k != "_file"}, ensure_ascii=False))
        path.write_text("\n".join(out) + "\n", encoding="utf-8")
    print(f"{corrections}: {count} units corrected in {len(changed_files)} files")


def stats() -> None:
    units = load_units()
    print(Counter((u["lang"], u["split"]) for u in units))
    print(Counter((u["lang"], u["why"]) for u in units))
    print(sorted(Counter(u["batch"] for u in units).items()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="cmd", required=True)
    sub.add_parser("select")
    show_p = sub.add_parser("show")
    show_p.add_argument("batch")
    sub.add_parser("stats")
    sub.add_parser("extend", help="append the face-verification sentences select missed (batch zh-14)")
    sub.add_parser("extend-topics", help="append a sample of the weak non-face topics (batches zh-15 … zh-18)")
    sub.add_parser("extend-en", help="append a sample of English practice sentences (batches en-03, en-04)")
    write_p = sub.add_parser("write", help="decisions file → label file (see write_labels)")
    write_p.add_argument("decisions", type=Path)
    write_p.add_argument("out", type=Path)
    review_p = sub.add_parser("review", help="units a selector picks, with their labels (see review)")
    review_p.add_argument("selector")
    apply_p = sub.add_parser("apply", help="apply a corrections file to the label files (see apply_corrections)")
    apply_p.add_argument("corrections", type=Path)
    args = parser.parse_args()
    if args.cmd == "select":
        select()
    elif args.cmd == "stats":
        stats()
    elif args.cmd == "extend":
        extend()
    elif args.cmd == "extend-topics":
        extend_topics()
    elif args.cmd == "extend-en":
        extend_en()
    elif args.cmd == "show":
        show(args.batch)
    elif args.cmd == "review":
        review(args.selector)
    elif args.cmd == "apply":
        apply_corrections(args.corrections)
    else:
        write_labels(args.decisions, args.out)


if __name__ == "__main__":
    main()
