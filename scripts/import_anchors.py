"""Import the anchor databases (εxodus trackers, LibChecker-Rules) into Fangcun's signature schema.

Run by hand when the anchors are refreshed; the scanner itself never reads the anchors:

    python3 scripts/import_anchors.py [--anchors DIR]   # DIR holds exodus-trackers/ and libchecker-rules/

It writes, under rules/signatures/anchors/:

  exodus.json        εxodus / ETIP trackers (ODbL 1.0 database, DbCL 1.0 contents): a separate
                     database file, with LICENSE.exodus-ODbL and LICENSE.exodus-DbCL beside it
  libchecker.json    LibChecker-Rules library rules (Apache-2.0), with LICENSE.libchecker

in the signature schema (rules/schema/signatures.schema.json), as JSON with one entry per line: a
thousand entries parse in ~20 ms as JSON and ~0.8 s as YAML, at the start of every scan. It prints
what it converted, what it left out and why. Conversion:

- εxodus code signatures are regexes searched in class names. A signature ending in "." is a package;
  one whose last part starts with a capital is a class (with its inner classes); any other is a
  package. Fangcun matches them at package boundaries, so "com.tune" no longer matches "com.tunein".
  Signatures that name a package part anywhere (".sizmek.") are left out: no product-level prefix.
  Network signatures are host regexes: "x\\.com" becomes the domain x.com and every host under it;
  a platform's own domain (google.com, facebook.com) is left out: a link there shows no tracker.
- LibChecker rules are native libraries, manifest components and class prefixes, a few as Java
  regexes; "(.*)" becomes "*". Rules are grouped by label into one SDK entry each.
- Categories map to Fangcun's (analytics, advertising, push, location, crash_reporting, social,
  payment, identification, library, other): εxodus's by its own category list (by its name's words
  where it gives none); LibChecker has none: a label's words say (whole words: "IM" is not in
  "libIME"), else the εxodus tracker of the same name; a label naming no personal-data role is a
  development `library`.
- The project's own signatures (face_sdks.yaml, trackers.yaml) stay authoritative: an imported
  signal they already claim (the same name, or a package under one of their packages, or a host
  under one of their domains) is dropped, and so is a LibChecker signal εxodus already claims.
  LibChecker's face, liveness and real-name labels are not imported: their rules were folded into
  face_sdks.yaml by hand, product by product (a vendor label such as 旷视 SDK mixes face, ID-card
  and bank-card libraries). Its protector labels (加固) are recognised by rules/signatures/packers.yaml.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import shutil
import sys
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from scanner.signatures import (  # noqa: E402
    ANCHORS_DIR,
    SdkSignature,
    class_descriptor,
    descriptor_prefix,
    face_sdks,
    trackers,
)
from scanner.signatures.index import HostTable, PrefixIndex  # noqa: E402

DEFAULT_ANCHORS = Path(os.environ.get("FANGCUN_ANCHORS", REPO.parent / "shared" / "anchors"))
PACKAGE = re.compile(r"^[A-Za-z_$][\w$]*(\.[A-Za-z_$][\w$]*)+$")  # two parts at least: com.x
TOP_PACKAGE = re.compile(r"^[A-Za-z_$][\w$]*(\.[A-Za-z_$][\w$]*)*$")  # a library's own top level: kotlin, okio
CLASS_PATTERN = re.compile(r"^[A-Za-z_$*?][\w$*?]*(\.[A-Za-z_$*?][\w$*?]*)*$")
NATIVE_LIB = re.compile(r"^lib[\w.+*?-]*\.so$")
HOST_PATTERN = re.compile(r"^[a-z0-9*][a-z0-9.*-]*$")
COMPONENT_TYPES = ("activity", "service", "receiver", "provider")
# Platforms' own domains: a link there (a share page, a help page, a login page) shows no tracker, and
# εxodus gives them to one or several of the platform's SDKs at once (*.facebook.com to seven).
PLATFORM_DOMAINS = ("google.com", "facebook.com")

EXODUS = {
    "id": "exodus",
    "name": "εxodus / ETIP tracker database (Exodus Privacy)",
    "licence": "ODbL-1.0 (database), DbCL-1.0 (contents)",
    "url": "https://reports.exodus-privacy.eu.org/api/trackers",
    "attribution": (
        "Contains tracker signatures from the εxodus / ETIP tracker database by Exodus Privacy "
        "(https://exodus-privacy.eu.org, https://etip.exodus-privacy.eu.org), made available under the Open "
        "Database License 1.0 (http://opendatacommons.org/licenses/odbl/1.0/); contents under the Database "
        "Contents License 1.0 (http://opendatacommons.org/licenses/dbcl/1.0/). Copy taken from MobSF "
        "mobsf/signatures/exodus_trackers at commit 62563ca429a75b3e5d47a13b958e1d2e7d5e2bbf; reformatted."
    ),
}
LIBCHECKER = {
    "id": "libchecker",
    "name": "LibChecker-Rules",
    "licence": "Apache-2.0",
    "url": "https://github.com/LibChecker/LibChecker-Rules",
    "attribution": (
        "Contains library-identification rules from LibChecker-Rules "
        "(https://github.com/LibChecker/LibChecker-Rules, commit 3ec8753a0bb53843793e19537bcaf7cd73b9a05d), "
        "Copyright 2022 Absinthe, licensed under the Apache License, Version 2.0; converted to Fangcun's "
        "signature schema and modified."
    ),
}

# εxodus categories, most telling first: a tracker in several takes the first it has.
EXODUS_CATEGORIES = (
    ("Identification", "identification"),
    ("Advertisement", "advertising"),
    ("Profiling", "advertising"),
    ("Location", "location"),
    ("Crash reporting", "crash_reporting"),
    ("Analytics", "analytics"),
)

# LibChecker labels that describe face, liveness or real-name products (folded into face_sdks.yaml).
LIBCHECKER_FACE_LABELS = {
    "人脸核身 SDK", "实人认证 SDK", "金融级实人认证 SDK", "旷视 SDK", "百度人脸识别", "腾讯优图 SDK",
    "Faceunity Nama SDK", "人像美化 SDK", "腾讯特效 SDK",
}
# Protectors (加固), recognised by rules/signatures/packers.yaml.
LIBCHECKER_PROTECTOR_LABELS = {"360 加固", "腾讯乐固", "百度应用加固", "爱加密", "梆梆安全", "网易易盾", "阿里聚安全", "腾讯御安全"}

# LibChecker has no categories: a label's words say what the library does with personal data.
# Checked in this order; a label matching none is a development library.
LIBCHECKER_CATEGORY_WORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("identification", ("UTDID", "设备指纹", "可信 ID", "MSA SDK", "AAID", "号码认证", "一键登录", "本机号码", "闪验",
                        "极光认证", "移动号码认证", "Qimei", "数美", "顶象", "同盾", "eID SDK", "CFCA")),
    ("advertising", ("Ads", "AdMob", "广告", "Audience Network", "AppLovin", "AdColony", "IronSource", "Pangle",
                     "TanX", "联盟", "移动应用推广", "JAd SDK")),
    ("push", ("Push", "推送", "信鸽", "个推", "MiPush", "Firebase Cloud Messaging")),
    ("crash_reporting", ("Crash", "Crashlytics", "Crasheye", "xCrash", "Bugly", "Bugsnag", "Sentry", "Breakpad", "ACRA",
                         "岳鹰", "云捕", "Instabug")),
    ("analytics", ("Analytics", "统计", "分析", "DataFinder", "Gio", "灯塔", "APM", "Performance", "性能", "App Center",
                   "日志服务")),
    ("location", ("地图", "Map", "LBS", "定位", "高德")),
    ("payment", ("支付", "Pay", "PayPal", "银联", "米大师", "Billing", "Ping++", "银行")),
    ("social", ("分享", "Share", "开放平台", "微博", "Facebook SDK", "Sign-In", "Oauth", "帐号", "账号", "抖音 SDK",
                "IM", "客服", "七鱼", "网易云信", "融云", "环信")),
)


@dataclass
class Signals:
    """One imported entry's signals, as the signature schema names them."""

    class_prefixes: list[str] = field(default_factory=list)
    classes: list[str] = field(default_factory=list)
    native_libs: list[str] = field(default_factory=list)
    components: list[str] = field(default_factory=list)
    hosts: list[str] = field(default_factory=list)

    def empty(self) -> bool:
        return not (self.class_prefixes or self.classes or self.native_libs or self.components or self.hosts)

    def named(self) -> Iterator[tuple[str, str]]:
        """(kind, key) pairs for overlap checks: class keys as PrefixIndex keys, names as they are."""
        for p in self.class_prefixes:
            yield "class", descriptor_prefix(p)
        for c in self.classes:
            yield "class", class_descriptor(c)
        for lib in self.native_libs:
            yield "native_lib", lib
        for c in self.components:
            yield "component", c
        for h in self.hosts:
            yield "host", h


class Claims:
    """Signals already claimed by more authoritative signatures (the project's own, then εxodus)."""

    def __init__(self) -> None:
        self.classes: PrefixIndex[str] = PrefixIndex()
        self.names: dict[tuple[str, str], str] = {}
        self.hosts: list[tuple[str, str]] = []
        self.categories_by_name: dict[str, str] = {}  # a product name, as _product_name gives it → category

    def add(self, owner: str, signals: Signals) -> None:
        for kind, key in signals.named():
            if kind == "class":
                self.classes.add(key, owner)
            elif kind == "host":
                self.hosts.append((key, owner))
            else:
                self.names.setdefault((kind, key), owner)

    def add_sdk(self, sdk: SdkSignature) -> None:
        self.add(sdk.id, Signals(list(sdk.class_prefixes), list(sdk.classes), list(sdk.native_libs),
                                 list(sdk.components), list(sdk.hosts)))

    def owner(self, kind: str, key: str) -> str | None:
        if kind == "class":
            return self.classes.owner(key)  # the same package or class, or one under a claimed package
        if kind == "host":
            if "*" in key.removeprefix("*."):
                return None
            return HostTable(self.hosts).owner(key.removeprefix("*."))
        found = self.names.get((kind, key))
        if found is None and kind == "component" and CLASS_PATTERN.match(key) and "*" not in key:
            found = self.classes.owner(class_descriptor(key))  # a component under a claimed package
        return found

    def keep_unclaimed(self, signals: Signals, report: Counter[str], covered: dict[str, None]) -> Signals:
        kept = Signals()
        for kind, key in signals.named():
            owner = self.owner(kind, key)
            if owner is not None:
                report[f"signal already claimed ({kind})"] += 1
                covered[owner] = None
                continue
            _append(kept, kind, key)
        return kept


def _product_name(name: str) -> str:
    """A product name for comparison across databases: lower case, without a trailing "SDK"."""
    return re.sub(r"\s+sdk$", "", name.strip().lower())


def _append(signals: Signals, kind: str, key: str) -> None:
    if kind == "class":
        dotted = key[1:-1].replace("/", ".")
        (signals.class_prefixes if key.endswith("/") else signals.classes).append(dotted)
    elif kind == "native_lib":
        signals.native_libs.append(key)
    elif kind == "component":
        signals.components.append(key)
    else:
        signals.hosts.append(key)


# --- εxodus ----------------------------------------------------------------------------------------

def exodus_code_signal(signature: str, signals: Signals, report: Counter[str]) -> None:
    if signature.startswith("."):
        report["code signature naming a package part anywhere (no product-level prefix)"] += 1
        return
    name = signature.rstrip(".")
    if not PACKAGE.match(name):
        report["code signature that is no package or class name"] += 1
        return
    if not signature.endswith(".") and name.rsplit(".", 1)[1][:1].isupper():
        signals.classes.append(name)
    else:
        signals.class_prefixes.append(name)


def exodus_host_signal(signature: str, signals: Signals, report: Counter[str]) -> None:
    pattern = (signature.replace("\\.", ".").replace("\\-", "-").replace(".*", "*")
               .replace("[0-9]*", "*").replace("[0-9]+", "*").lower().lstrip("."))
    if pattern.endswith("."):
        pattern += "*"  # "adsmogo\." : the name under any top-level domain
    if pattern.removeprefix("*.") in PLATFORM_DOMAINS:
        report["network signature on a platform's own domain (no tracker of its own)"] += 1
        return
    if "." not in pattern:
        patterns = [f"*{pattern}*"]  # a bare word searched in host names
    elif pattern.startswith("*"):
        patterns = [pattern]
    elif "*" in pattern:
        patterns = [pattern, "*." + pattern]  # searched, not anchored: the name and names ending in it
    else:
        patterns = ["*." + pattern]  # the domain and every host under it
    if not all(HOST_PATTERN.match(p) and ".." not in p for p in patterns):
        report["network signature that is no host pattern"] += 1
        return
    signals.hosts.extend(patterns)


def exodus_category(categories: Iterable[str], name: str) -> str:
    """εxodus's own category; for a tracker it gives none, the words of its name (as for LibChecker
    labels); else other (a tracker is never a mere development library)."""
    given = set(categories)
    found = next((ours for theirs, ours in EXODUS_CATEGORIES if theirs in given), None)
    if found is None:
        found = libchecker_category(name)
    return "other" if found == "library" else found


def import_exodus(folder: Path, claims: Claims, report: Counter[str], covered: dict[str, list[str]]) -> list[dict[str, Any]]:
    trackers_list = json.loads((folder / "trackers.json").read_text(encoding="utf-8"))
    entries = []
    for tracker in sorted(trackers_list, key=lambda t: t["id"]):
        signals = Signals()
        for sig in filter(None, tracker["code_signature"].split("|")):
            exodus_code_signal(sig, signals, report)
        for sig in filter(None, tracker["network_signature"].split("|")):
            exodus_host_signal(sig, signals, report)
        _dedupe(signals)
        if signals.empty():
            report["trackers without a usable signature"] += 1
            continue
        owners: dict[str, None] = {}
        kept = claims.keep_unclaimed(signals, report, owners)
        if kept.empty():
            report["trackers wholly covered by the project's own signatures"] += 1
            covered[f"εxodus {tracker['id']} {tracker['name']}"] = list(owners)
            continue
        entries.append(_entry(f"exodus_{tracker['id']}", tracker["name"], tracker["name"],
                              exodus_category(tracker["categories"], tracker["name"]), kept, f"εxodus tracker {tracker['id']}"))
        report["trackers imported"] += 1
    return entries


# --- LibChecker ------------------------------------------------------------------------------------

def java_regex_to_glob(name: str) -> str | None:
    """The few regex forms LibChecker uses, as a shell pattern; None for anything else."""
    glob = name.replace("\\.", ".").replace("(.*)", "*").replace("[0-9]*", "*").rstrip("$")
    glob = re.sub(r"\*+", "*", glob)
    return None if re.search(r"[\\()\[\]{}+^$|]", glob) else glob


def libchecker_signal(rule: dict[str, Any], signals: Signals, report: Counter[str]) -> None:
    name = rule["name"]
    if rule["regex"]:
        glob = java_regex_to_glob(name)
        if glob is None:
            report["regex rule with no shell-pattern form"] += 1
            return
        name = glob
    kind = rule["type"]
    if kind == "native":
        if NATIVE_LIB.match(name):
            signals.native_libs.append(name)
            return
    elif kind in COMPONENT_TYPES:
        if name.endswith(".*") and PACKAGE.match(name[:-2]):
            signals.class_prefixes.append(name[:-2])  # a component package: every class under it
            return
        if CLASS_PATTERN.match(name):
            signals.components.append(name)
            return
    elif kind == "dex":
        prefix = name[:-2] if name.endswith(".*") else name
        if TOP_PACKAGE.match(prefix):
            signals.class_prefixes.append(prefix)
            return
    elif kind == "static":
        report["static shared-library rule (no class or file to match)"] += 1
        return
    report[f"{kind} rule whose name is no {kind} name"] += 1


def libchecker_category(label: str) -> str:
    return next((category for category, words in LIBCHECKER_CATEGORY_WORDS if any(_has_word(label, w) for w in words)),
                "library")


def _has_word(text: str, word: str) -> bool:
    """A Chinese word anywhere; a Latin word only as a whole word."""
    if not word.isascii():
        return word in text
    return re.search(rf"(?<![A-Za-z]){re.escape(word)}(?![A-Za-z])", text) is not None


def libchecker_id(label: str) -> str:
    ascii_part = re.sub(r"[^a-z0-9]+", "_", label.lower()).strip("_")
    if label.isascii() and ascii_part:
        return f"lc_{ascii_part}"
    digest = hashlib.sha256(label.encode("utf-8")).hexdigest()[:8]
    return f"lc_{ascii_part}_{digest}" if ascii_part else f"lc_{digest}"


def import_libchecker(folder: Path, claims: Claims, report: Counter[str], covered: dict[str, list[str]]) -> list[dict[str, Any]]:
    rules = [json.loads(line) for line in (folder / "rules.jsonl").read_text(encoding="utf-8").splitlines() if line.strip()]
    by_label: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for rule in rules:
        by_label[rule["label"].strip()].append(rule)
    by_id: dict[str, list[str]] = defaultdict(list)  # labels spelt two ways (HUAWEI Push, Huawei Push) are one
    for label in sorted(by_label):
        by_id[libchecker_id(label)].append(label)
    entries = []
    for sdk_id, labels in sorted(by_id.items()):
        label = labels[0]
        group = [rule for spelling in labels for rule in by_label[spelling]]
        if label in LIBCHECKER_FACE_LABELS:
            report["face-label rules (folded into face_sdks.yaml by hand)"] += len(group)
            continue
        if label in LIBCHECKER_PROTECTOR_LABELS:
            report["protector-label rules (recognised by packers.yaml)"] += len(group)
            continue
        signals = Signals()
        for rule in group:
            libchecker_signal(rule, signals, report)
        _dedupe(signals)
        owners: dict[str, None] = {}
        kept = claims.keep_unclaimed(signals, report, owners)
        if kept.empty():
            if not signals.empty():
                report["labels wholly covered by more authoritative signatures"] += 1
                covered[f"LibChecker {label}"] = list(owners)
            continue
        teams = Counter(r.get("team") for r in group if r.get("team"))
        vendor = teams.most_common(1)[0][0] if teams else label
        # the label's words; else, a label bearing an εxodus tracker's name is that tracker: its category
        category = libchecker_category(label)
        if category == "library":
            category = claims.categories_by_name.get(_product_name(label), category)
        entries.append(_entry(sdk_id, vendor, label, category, kept, f"LibChecker-Rules label {' / '.join(labels)}"))
        report["labels imported"] += 1
    return entries


# --- output ----------------------------------------------------------------------------------------

def _dedupe(signals: Signals) -> None:
    for name in ("class_prefixes", "classes", "native_libs", "components", "hosts"):
        setattr(signals, name, sorted(dict.fromkeys(getattr(signals, name))))


def _entry(sdk_id: str, vendor: str, product: str, category: str, signals: Signals, ref: str) -> dict[str, Any]:
    entry: dict[str, Any] = {"id": sdk_id, "vendor": vendor, "product": product, "category": category}
    entry.update(class_prefixes=signals.class_prefixes, native_libs=signals.native_libs,
                 components=signals.components, assets=[], hosts=signals.hosts)
    if signals.classes:
        entry["classes"] = signals.classes
    entry["ref"] = ref
    return entry


def write_file(path: Path, source: dict[str, str], entries: list[dict[str, Any]], note: str) -> None:
    """The file as JSON, one entry per line (JSON has no comments: `note` says what the file is)."""
    ids = Counter(e["id"] for e in entries)
    duplicates = [i for i, n in ids.items() if n > 1]
    if duplicates:
        raise SystemExit(f"{path.name}: duplicate ids {duplicates}")
    head = {"kind": "tracker", "note": note, "source": source}
    lines = [json.dumps(head, ensure_ascii=False)[:-1] + ', "sdks": [']
    lines += [json.dumps(e, ensure_ascii=False) + ("," if i < len(entries) - 1 else "") for i, e in enumerate(entries)]
    lines.append("]}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


NOTE = ("Generated by scripts/import_anchors.py from {what}; do not edit by hand (edit the importer and run it again). "
        "{licence} Fangcun's own signatures (face_sdks.yaml, trackers.yaml) are authoritative where they overlap.")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--anchors", type=Path, default=DEFAULT_ANCHORS)
    parser.add_argument("--out", type=Path, default=ANCHORS_DIR)
    args = parser.parse_args()
    exodus_dir, libchecker_dir = args.anchors / "exodus-trackers", args.anchors / "libchecker-rules"
    for folder in (exodus_dir, libchecker_dir):
        if not folder.is_dir():
            raise SystemExit(f"{folder}: not found (give --anchors DIR)")
    args.out.mkdir(parents=True, exist_ok=True)

    claims = Claims()
    for sdk in face_sdks() + trackers():
        claims.add_sdk(sdk)
    covered: dict[str, list[str]] = {}

    exodus_report: Counter[str] = Counter()
    exodus_entries = import_exodus(exodus_dir, claims, exodus_report, covered)
    for entry in exodus_entries:
        claims.add(entry["id"], Signals(entry["class_prefixes"], entry.get("classes", []), entry["native_libs"],
                                        entry["components"], entry["hosts"]))
        claims.categories_by_name.setdefault(_product_name(entry["product"]), entry["category"])
    libchecker_report: Counter[str] = Counter()
    libchecker_entries = import_libchecker(libchecker_dir, claims, libchecker_report, covered)

    write_file(args.out / "exodus.json", EXODUS, exodus_entries, NOTE.format(
        what="the εxodus tracker list (anchors/exodus-trackers/trackers.json)",
        licence="A separate database under ODbL 1.0, contents under DbCL 1.0: LICENSE.exodus-ODbL, LICENSE.exodus-DbCL."))
    write_file(args.out / "libchecker.json", LIBCHECKER, libchecker_entries, NOTE.format(
        what="LibChecker-Rules (anchors/libchecker-rules/rules.jsonl)",
        licence="Apache License 2.0 (LICENSE.libchecker); modified: converted to Fangcun's schema."))
    shutil.copyfile(exodus_dir / "LICENSE", args.out / "LICENSE.exodus-ODbL")
    shutil.copyfile(exodus_dir / "LICENSE.DbCL", args.out / "LICENSE.exodus-DbCL")
    shutil.copyfile(libchecker_dir / "LICENSE", args.out / "LICENSE.libchecker")

    for name, report in (("εxodus", exodus_report), ("LibChecker-Rules", libchecker_report)):
        print(f"{name}:")
        for what, count in sorted(report.items()):
            print(f"  {count:5d}  {what}")
    print("covered by the project's own (or εxodus's) entries:")
    for what, owners in sorted(covered.items()):
        print(f"  {what} → {', '.join(owners)}")


if __name__ == "__main__":
    main()
