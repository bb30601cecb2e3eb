"""Coverage of the SDK, tracker and packer knowledge, from the sets the test suite builds.

1. The 39 face, liveness and real-name products (tests/fixtures/face_products.yaml): for each, the
   product and capability a scan reports on an app built from its public identifiers, the signals
   used, and whether it is still found with its classes renamed.
2. Trackers and libraries against the anchors: for every εxodus tracker and every LibChecker-Rules
   rule, an app holding one name its signature describes (a class under each code signature, a host
   under each network signature, the library, component or package of each rule): is it found, and
   as which source's entry? Also how many εxodus trackers the project's own trackers.yaml covers.
3. Packers (加固) as the tests build them (tests/extractors/packer_cases.py), against APKiD when its
   `apkid` command is available (it is no dependency: pip install apkid, or give --apkid PATH).

    python3 bench/sdk_coverage.py [--anchors DIR] [--face-signatures FILE] [--apkid PATH]

--face-signatures runs part 1 with another face_sdks.yaml (e.g. an older one from git) to compare.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from collections import Counter
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO_ROOT), str(REPO_ROOT / "tests"), str(REPO_ROOT / "scripts")]

from extractors.face_products import face_sdks_found, has_non_class_signals, load_products, source_for  # noqa: E402
from extractors.packer_cases import SEEN  # noqa: E402
from import_anchors import LIBCHECKER_FACE_LABELS, LIBCHECKER_PROTECTOR_LABELS  # noqa: E402

import scanner.signatures as signatures  # noqa: E402
from scanner.signatures.packers import find_packers  # noqa: E402

DEFAULT_ANCHORS = Path(os.environ.get("FANGCUN_ANCHORS", REPO_ROOT.parent / "shared" / "anchors"))


# --- 1. face products ------------------------------------------------------------------------------

def face_table() -> tuple[int, int, int]:
    rows = []
    right = wrong = missed = 0
    for product in load_products():
        expect = product["expect"]
        found = face_sdks_found(source_for(product))
        hit = found.get(expect["id"])
        if hit is not None and hit.attrs["capability"] == expect["capability"] and set(found) == {expect["id"]}:
            verdict, right = "yes", right + 1
        elif found:
            verdict, wrong = "WRONG", wrong + 1
        else:
            verdict, missed = "MISSED", missed + 1
        shown = ", ".join(sorted(found)) or "-"
        capability_ok = "yes" if hit is not None and hit.attrs["capability"] == expect["capability"] else "no"
        via = "+".join(hit.attrs["via"]) if hit is not None else "-"
        renamed = "-"
        if has_non_class_signals(product):
            again = face_sdks_found(source_for(product, rename_classes=True)).get(expect["id"])
            renamed = f"yes ({'+'.join(again.attrs['via'])}, {again.confidence})" if again else "no"
        rows.append((product["n"], product["name"][:38], shown[:30], verdict, capability_ok, via, renamed))
    header = f"{'#':>2}  {'product':38}  {'found as':30}  {'right':6} {'cap':4} {'signals used':34} renamed classes"
    print(header)
    print("-" * len(header))
    for n, name, shown, verdict, cap, via, renamed in rows:
        print(f"{n:>2}  {name:38}  {shown:30}  {verdict:6} {cap:4} {via:34} {renamed}")
    print(f"\n{right} of {len(rows)} products found as themselves with the right capability; "
          f"{wrong} under a wrong product or capability; {missed} missed")
    return right, wrong, missed


# --- 2. trackers and libraries against the anchors ---------------------------------------------------

def sample_class(signature: str) -> str | None:
    """A class the εxodus code signature describes, as a dex descriptor."""
    name = signature.strip().rstrip(".")
    if signature.startswith(".") or "." not in name:
        return None
    if not signature.endswith(".") and name.rsplit(".", 1)[1][:1].isupper():
        return signatures.class_descriptor(name)
    return signatures.class_descriptor(name + ".Sample")


def sample_host(signature: str) -> str | None:
    host = signature.replace("\\.", ".").replace("\\-", "-").replace(".*", "x").replace("[0-9]*", "1")
    host = host.replace("[0-9]+", "1").lower().lstrip(".")
    if re.search(r"[^a-z0-9.-]", host):
        return None
    return host if "." in host else f"{host}.example"


def exodus_counts(anchors: Path) -> None:
    trackers = json.loads((anchors / "exodus-trackers" / "trackers.json").read_text(encoding="utf-8"))
    index = signatures.sdk_index()
    own = signatures.SdkIndex(signatures.face_sdks() + signatures.trackers())
    found_as: Counter[str] = Counter()
    own_overlap = 0
    for tracker in trackers:
        classes = [c for c in map(sample_class, filter(None, tracker["code_signature"].split("|"))) if c]
        hosts = [h for h in map(sample_host, filter(None, tracker["network_signature"].split("|"))) if h]
        owners = [index.class_owner(c) for c in classes] + [index.host_owner(h) for h in hosts]
        sources = {o.source for o in owners if o is not None}
        if any(own.class_owner(c) for c in classes) or any(own.host_owner(h) for h in hosts):
            own_overlap += 1
        if not classes and not hosts:
            found_as["no usable signature"] += 1
        elif "exodus" in sources:
            found_as["found as its εxodus entry"] += 1
        elif sources:
            found_as[f"found as a {'/'.join(sorted(sources))} entry"] += 1
        else:
            found_as["NOT found"] += 1
    imported = len(anchor_entries("exodus"))
    print(f"\nεxodus: {len(trackers)} trackers "
          f"({sum(1 for t in trackers if t['code_signature'])} with a code signature, "
          f"{sum(1 for t in trackers if t['network_signature'])} with a network signature); "
          f"{imported} imported as entries of their own")
    print(f"  the project's own trackers.yaml and face_sdks.yaml cover {own_overlap} of them")
    for what, count in sorted(found_as.items()):
        print(f"  {count:4d}  {what}")


def libchecker_sample(rule: dict) -> str | None:
    """A name the LibChecker rule describes: its library, component or package (a regex's "(.*)"
    filled in), or None for a regex with no plain form."""
    if not rule["regex"]:
        return rule["name"]
    name = rule["name"].replace("\\.", ".").replace("(.*)", "x1").replace("[0-9]*", "1").rstrip("$")
    return None if re.search(r"[\\()\[\]{}+^$|*]", name) else name


def libchecker_counts(anchors: Path) -> None:
    lines = (anchors / "libchecker-rules" / "rules.jsonl").read_text(encoding="utf-8").splitlines()
    rules = [json.loads(line) for line in lines if line.strip()]
    index = signatures.sdk_index()
    by_type: dict[str, Counter[str]] = {}
    for rule in rules:
        name = libchecker_sample(rule)
        owner = None
        if name is None:
            verdict = "regex with no plain form"
        elif rule["type"] == "static":
            verdict = "static library (nothing to match)"
        else:
            if rule["type"] == "native":
                owner = index.native_lib_owner(name)
            elif rule["type"] == "dex":
                owner = index.class_owner(signatures.class_descriptor(name.removesuffix(".x1") + ".Sample"))
            else:
                owner = index.component_owner(name)
            verdict = "not found" if owner is None else f"found ({'face, by hand' if owner.is_face else owner.source})"
        label = rule["label"].strip()
        if owner is None and label in LIBCHECKER_PROTECTOR_LABELS:
            packer = find_packers([f"lib/arm64-v8a/{name}"] if rule["type"] == "native" and name else [], [], "")
            verdict = "found (packer)" if packer else "left out (a protector's support library)"
        elif owner is None and label in LIBCHECKER_FACE_LABELS:
            verdict = "left out (face label, no product-level face signal)"
        by_type.setdefault(rule["type"], Counter())[verdict] += 1
    imported = len(anchor_entries("libchecker"))
    print(f"\nLibChecker-Rules: {len(rules)} rules, {imported} labels imported as entries of their own")
    for kind, counts in sorted(by_type.items()):
        print(f"  {kind:9} {sum(counts.values()):5d}: " + ", ".join(f"{n} {what}" for what, n in sorted(counts.items())))


def anchor_entries(source_id: str) -> tuple[signatures.SdkSignature, ...]:
    return next((sdks for source, sdks in signatures.anchor_sources() if source.id == source_id), ())


# --- 3. packers against APKiD ------------------------------------------------------------------------

def packer_table(apkid: str | None) -> None:
    print(f"\n{'packer':18} {'ours':22} APKiD")
    with tempfile.TemporaryDirectory(prefix="fangcun-packers-") as scratch:
        for packer_id, seen in sorted(SEEN.items()):
            matches = find_packers(seen.get("files", []), seen.get("classes", []), seen.get("application", ""))
            ours = ", ".join(f"{m.packer.product}{' (shell)' if m.packer.shell else ''}" for m in matches) or "-"
            theirs = "(apkid not available)"
            if apkid:
                theirs = apkid_verdict(apkid, Path(scratch) / f"{packer_id}.apk", seen)
            print(f"{packer_id:18} {ours[:22]:22} {theirs}")


def apkid_verdict(apkid: str, path: Path, seen: dict) -> str:
    """APKiD's packer and protector matches on a package holding the same files (its stub classes
    are written as strings of a stand-in dex: APKiD's dex rules look for the names)."""
    with zipfile.ZipFile(path, "w") as out:
        out.writestr("AndroidManifest.xml", (seen.get("application", "") or "manifest").encode())
        out.writestr("classes.dex", b"dex\n035\0" + "\0".join(seen.get("classes", [])).encode())
        for name in seen.get("files", []):
            out.writestr(name, b"\0")
    done = subprocess.run([apkid, "-j", str(path)], capture_output=True, text=True, check=False)
    try:
        files = json.loads(done.stdout)["files"]
    except (ValueError, KeyError):
        return f"(apkid failed: {done.stderr.strip()[:40]})"
    found = sorted({m for f in files for key in ("packer", "protector") for m in f["matches"].get(key, [])})
    return ", ".join(found) or "-"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--anchors", type=Path, default=DEFAULT_ANCHORS)
    parser.add_argument("--face-signatures", type=Path, help="another face_sdks.yaml for part 1")
    parser.add_argument("--apkid", help="the apkid command (default: apkid on PATH)")
    args = parser.parse_args()
    if args.face_signatures:
        signatures.FACE_SDKS_PATH = args.face_signatures.resolve()
        print(f"face signatures: {args.face_signatures}")
    face_table()
    if (args.anchors / "exodus-trackers").is_dir():
        exodus_counts(args.anchors)
        libchecker_counts(args.anchors)
    else:
        print(f"\nanchors not found at {args.anchors}: tracker counts skipped (give --anchors DIR)")
    packer_table(args.apkid or shutil.which("apkid"))


if __name__ == "__main__":
    main()
