"""Run the APK extractors over the real-app corpus and print what each app is found to do.

Usage: python bench/apk_corpus.py [CORPUS_DIR]   (default: ../shared/corpus beside the repository,
or $FANGCUN_CORPUS). Reads apks/inventory.tsv; prints one block per app and a timing summary.
"""

from __future__ import annotations

import csv
import os
import sys
import time
from pathlib import Path

from scanner.errors import InputError
from scanner.extractors.apk import APK_EXTRACTORS
from scanner.model import Evidence
from scanner.sources.apk import open_apk

REPO = Path(__file__).resolve().parents[1]
DEFAULT_CORPUS = Path(os.environ.get("FANGCUN_CORPUS", REPO.parent / "shared" / "corpus"))


def scan(path: Path) -> tuple[str, list[Evidence], list[str]]:
    """(package, evidence, errors) for one APK; errors are one line each, never a crash."""
    try:
        source = open_apk(path)
    except InputError as exc:
        return "-", [], [f"open: {exc}"]
    evidence: list[Evidence] = []
    errors = [f"source problem: {p}" for p in source.problems]
    for spec in APK_EXTRACTORS:
        try:
            evidence.extend(spec.run(source, tuple(evidence)))
        except Exception as exc:  # noqa: BLE001 — the bench reports failures instead of stopping
            errors.append(f"{spec.label}: {type(exc).__name__}: {exc}")
    return source.manifest.package, evidence, errors


def summarise(evidence: list[Evidence]) -> dict[str, str]:
    def keys(kind: str, **attrs: object) -> list[str]:
        return sorted({e.key for e in evidence if e.kind == kind and all(e.attrs.get(k) == v for k, v in attrs.items())})

    identifiers = sorted(
        {f"{e.key}←{e.attrs['caller'].rsplit('.', 2)[-2]}.{e.attrs['caller'].rsplit('.', 1)[-1]}"
         for e in evidence if e.kind == "identifier.collect" and e.attrs.get("own_code")}
    )
    library_ids = keys("identifier.collect", own_code=False)
    other = [f"{k.split('.')[0]}:{len([e for e in evidence if e.kind == k and e.attrs.get('own_code')])}"
             for k in ("location.collect", "contacts.collect", "sms.collect", "applist.collect", "clipboard.read")]
    return {
        "face sdk": ", ".join(f"{e.key}{'(called)' if e.attrs['called'] else '(bundled)'}" for e in evidence if e.kind == "face.sdk") or "-",
        "face api": ", ".join(keys("face.api_call", own_code=True)) or "-",
        "face capture": ", ".join(keys("face.capture")) or "-",
        "camera": ", ".join(sorted({e.attrs["api"].rsplit(".", 2)[-2] + "." + e.attrs["api"].rsplit(".", 1)[-1] for e in evidence if e.kind == "camera.use" and e.attrs.get("own_code")})) or "-",
        "biometric prompt": ", ".join(keys("biometric.system_prompt", own_code=True)) or "-",
        "identifiers": "; ".join(identifiers) or "-",
        "identifiers (library only)": ", ".join(library_ids) or "-",
        "other collection": " ".join(o for o in other if not o.endswith(":0")) or "-",
        "consent dialog": ", ".join(e.location.logical for e in evidence if e.kind == "consent.dialog")[:80] or "-",
        "face consent": ", ".join(keys("consent.separate_face")) or "-",
        "policy": ", ".join(f"{e.attrs.get('source')}:{e.key}" for e in evidence if e.kind == "policy.document")[:100] or "-",
        "sdks": ", ".join(keys("sdk.present")) or "-",
        "endpoints": str(len(keys("network.endpoint"))),
    }


def main(corpus: Path) -> int:
    inventory = corpus / "apks" / "inventory.tsv"
    if not inventory.is_file():
        print(f"no corpus at {corpus}")
        return 2
    rows = list(csv.DictReader(inventory.open(encoding="utf-8"), delimiter="\t"))
    total = 0.0
    failures = 0
    for row in rows:
        path = corpus / "apks" / row["local_file"]
        start = time.perf_counter()
        package, evidence, errors = scan(path)
        elapsed = time.perf_counter() - start
        total += elapsed
        failures += bool(errors)
        print(f"== {row['local_file']}  {package}  ({row['size']} B, {elapsed:.2f} s, {len(evidence)} facts)")
        for label, value in summarise(evidence).items():
            if value != "-":
                print(f"   {label:27} {value}")
        for error in errors:
            print(f"   ! {error}")
    print(f"\n{len(rows)} apps, {total:.1f} s total, {total / max(len(rows), 1):.2f} s/app, {failures} with errors")
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_CORPUS))
