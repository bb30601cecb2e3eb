"""Campaign batch throughput and memory.

Makes N distinct inputs in a temporary folder (fixture APKs with a varying zip comment, so each has
its own sha256, plus generated privacy-policy .txt files), scans them with run_batch at 1 and 2 jobs,
and prints targets/s and the peak RSS of the batch process and of its largest worker. Running the
same at two sizes shows whether the batch process's memory grows with the number of targets, and
the difference between the sizes gives the throughput without the fixed start-up cost (loading the
rule pack, androguard and the NLP pipelines once in the parent). "apk ok" counts the APK targets
that were opened as apps (package read, no extractor error): the appended zip comment must not
stop our APK reader.

    python bench/campaign.py                      # 50 and 200 targets, jobs 1 and 2, real scanner
    python bench/campaign.py --sizes 200 --scanner stub   # the batch machinery alone

Each measurement runs in its own process so peak RSS figures do not mix.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import resource
import struct
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
FIXTURE_APKS = REPO / "tests" / "fixtures" / "apks"
EOCD = b"PK\x05\x06"

POLICY_TEMPLATE = """{company}隐私政策
更新日期：2025年{month}月{day}日
一、我们收集的个人信息
为实现{feature}功能，我们会收集您的手机号码、设备信息{face_clause}。
二、我们如何使用
{use_clause}
三、第三方共享
我们接入的第三方SDK：{sdk}。
四、您的权利
您可以查阅、更正、删除您的个人信息，或撤回同意。联系方式：privacy@{domain}.cn
"""


def with_zip_comment(apk: bytes, comment: bytes) -> bytes:
    """The same APK with `comment` as its zip comment, replacing any old one (the EOCD is 22 bytes
    ending in the comment length)."""
    at = apk.rfind(EOCD)
    if at < 0 or len(comment) > 0xFFFF:
        raise ValueError("not a zip archive")
    return apk[: at + 20] + struct.pack("<H", len(comment)) + comment


def policy_text(i: int) -> str:
    face = i % 3 == 0
    return POLICY_TEMPLATE.format(
        company=f"第{i}物业服务有限公司",
        month=1 + i % 12,
        day=1 + i % 28,
        feature=("刷脸开门" if face else "在线缴费"),
        face_clause=("和人脸信息" if face else ""),
        use_clause=("人脸信息仅用于门禁核验，我们将在收集前取得您的单独同意，您也可选择刷卡开门。" if i % 2 else "用于提供服务。") * (1 + i % 4),
        sdk=("百度人脸识别SDK" if face else "高德地图SDK"),
        domain=f"wuye{i}",
    )


def make_inputs(folder: Path, count: int, apk_share: float) -> tuple[int, int]:
    """`count` distinct inputs in `folder`: about `apk_share` of them APKs. Returns (apks, policies)."""
    folder.mkdir(parents=True, exist_ok=True)
    apks = sorted(FIXTURE_APKS.glob("*.apk"))
    apk_count = round(count * apk_share) if apks else 0
    for i in range(apk_count):
        source = apks[i % len(apks)]
        data = with_zip_comment(source.read_bytes(), f"fangcun-bench-{i}".encode())
        (folder / f"{source.stem}-{i:04d}.apk").write_bytes(data)
    for i in range(count - apk_count):
        (folder / f"policy-{i:04d}.txt").write_text(policy_text(i), encoding="utf-8")
    return apk_count, count - apk_count


def stub_scan(path: Path) -> dict[str, Any]:
    """The batch machinery without analysis: hash, one evidence item, one result."""
    from scanner.model import Confidence, Evidence, Location, Outcome, RuleResult, Score, Severity, Target, TargetKind

    data = path.read_bytes()
    sha = hashlib.sha256(data).hexdigest()
    ev = Evidence("policy.document", path.name, {"chars": len(data)}, Location(str(path), "", data[:60].decode("utf-8", "replace")), "stub@1")
    result = RuleResult("STUB-001", 1, Outcome.PASS, Severity.LOW, Confidence.HIGH, "stub", (ev.id,))
    kind = TargetKind.APK if path.suffix == ".apk" else TargetKind.POLICY
    return Target(f"{kind}-{sha[:12]}", kind, str(path), sha, path.stem, {}, (ev,), (result,), Score(100.0, "A")).to_dict()


def measure_one(folder: Path, jobs: int, scanner: str, db: Path) -> dict[str, Any]:
    """Runs in a fresh process: one batch, its speed and peak memory."""
    sys.path.insert(0, str(REPO))
    from scanner.campaign.batch import run_batch

    began = time.perf_counter()
    summary = run_batch(
        [folder], db, campaign="bench", jobs=jobs, progress=False,
        scan_fn=stub_scan if scanner == "stub" else None,
    )
    seconds = time.perf_counter() - began
    return {
        "apk_ok": apks_opened(db, summary.run_id),
        "jobs": jobs,
        "targets": summary.total,
        "scanned": summary.scanned,
        "errors": summary.errors,
        "seconds": round(seconds, 2),
        "targets_per_s": round(summary.total / seconds, 2),
        "parent_peak_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "worker_peak_mb": round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, 1),
    }


def apks_opened(db: Path, run_id: int) -> int:
    from scanner.campaign.store import open_store

    with open_store(db) as store:
        return sum(
            1 for doc in store.iter_documents(run_id)
            if doc["kind"] == "apk" and doc["attributes"].get("package") and not doc["errors"]
        )


def run_measurement(folder: Path, jobs: int, scanner: str, db: Path) -> dict[str, Any]:
    command = [sys.executable, __file__, "--one", str(folder), "--jobs", str(jobs), "--scanner", scanner, "--db", str(db)]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"measurement failed (jobs {jobs}):\n{done.stderr.strip()}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def first_error(db: Path) -> str:
    import sqlite3

    conn = sqlite3.connect(db)
    try:
        row = conn.execute("SELECT message FROM errors LIMIT 1").fetchone()
    finally:
        conn.close()
    return row[0] if row else ""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="50,200", help="numbers of targets, comma-separated")
    parser.add_argument("--jobs", default="1,2", help="worker counts, comma-separated")
    parser.add_argument("--scanner", choices=("real", "stub"), default="real")
    parser.add_argument("--apk-share", type=float, default=0.5, help="share of inputs that are APKs")
    parser.add_argument("--one", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--db", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(measure_one(args.one, int(args.jobs), args.scanner, args.db)))
        return
    print(f"scanner: {args.scanner}")
    print(f"{'targets':>8} {'apk':>5} {'apk ok':>7} {'txt':>5} {'jobs':>5} {'seconds':>8} {'targets/s':>10} {'errors':>7} "
          f"{'parent MB':>10} {'worker MB':>10}")
    seconds: dict[tuple[int, int], float] = {}
    with tempfile.TemporaryDirectory(prefix="fangcun-bench-") as tmp:
        for size in (int(s) for s in args.sizes.split(",")):
            folder = Path(tmp) / f"in-{size}"
            apks, texts = make_inputs(folder, size, args.apk_share)
            for jobs in (int(j) for j in args.jobs.split(",")):
                db = Path(tmp) / f"bench-{size}-{jobs}.sqlite"
                m = run_measurement(folder, jobs, args.scanner, db)
                seconds[size, jobs] = m["seconds"]
                apk_ok = m["apk_ok"] if args.scanner == "real" else "-"  # the stub opens nothing
                print(f"{m['targets']:>8} {apks:>5} {apk_ok:>7} {texts:>5} {jobs:>5} {m['seconds']:>8} "
                      f"{m['targets_per_s']:>10} {m['errors']:>7} {m['parent_peak_mb']:>10} {m['worker_peak_mb']:>10}")
                if m["errors"]:
                    print(f"         first error: {first_error(db)}")
    print_marginal_rates(seconds)


def print_marginal_rates(seconds: dict[tuple[int, int], float]) -> None:
    """Targets/s between the smallest and the largest size: the start-up cost cancels out."""
    sizes = sorted({size for size, _ in seconds})
    if len(sizes) < 2:
        return
    small, large = sizes[0], sizes[-1]
    for jobs in sorted({jobs for _, jobs in seconds}):
        extra = seconds[large, jobs] - seconds[small, jobs]
        if extra > 0:
            print(f"jobs {jobs}: {(large - small) / extra:.2f} targets/s from {small} to {large} targets "
                  f"(start-up ≈ {seconds[small, jobs] - small * extra / (large - small):.1f} s)")


if __name__ == "__main__":
    main()
