"""Code versus policy: what the app's own code collects, and which SDKs it bundles, that the policy
does not mention.

Runs last, over the evidence stated so far (no source reading). Silent when no analysed policy is
among that evidence: "no policy" is a different fact, stated elsewhere.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from scanner.extractors.base import ExtractorSpec
from scanner.model import Confidence, Evidence

NAME, VERSION = "policy_consistency", 2
EXTRACTOR = f"{NAME}@{VERSION}"

# Code evidence kind → the policy's data category (items of policy.discloses data_collected).
OWN_CODE_CATEGORIES = {
    "identifier.collect": "identifiers",
    "location.collect": "location",
    "contacts.collect": "contacts",
    "applist.collect": "applist",
}
FACE_PRACTICES = ("face_collection",)
LIBRARY = "library"  # development libraries handle no personal data of their own: no SDK a policy lists
STATED = ("affirm", "conditional")
# Words of vendor/product names too generic to identify an SDK in a policy.
GENERIC_NAME_WORDS = {"sdk", "api", "android", "ios", "app", "mobile", "lite", "pro", "plus", "cloud",
                      "人脸识别", "人脸", "推送", "统计", "地图", "定位", "分析", "云", "智能云", "开放平台"}
NAME_SPLIT = re.compile(r"[\s/()（）,，、_-]+")


def run(_source: object, evidence: Sequence[Evidence]) -> Iterable[Evidence]:
    policies = [e for e in evidence if e.kind == "policy.document" and e.attrs.get("analysed")]
    if not policies:
        return []
    discloses = [e for e in evidence if e.kind == "policy.discloses"]
    policy = policies[0].key
    return [*_undisclosed_data(evidence, discloses, policy), *_unlisted_sdks(evidence, discloses, policy)]


# needs_code: it compares the policy with what the code collects and bundles
CONSISTENCY = ExtractorSpec(
    NAME, VERSION, run, emits=frozenset({"sdk.unlisted", "data.undisclosed"}), reads=object, needs_code=True,
    consumes=frozenset({"policy.document", "policy.discloses", "identifier.collect", "location.collect",
                        "contacts.collect", "applist.collect", "face.capture", "sdk.present", "face.sdk"}))


def _disclosed_categories(discloses: Sequence[Evidence]) -> set[str]:
    categories: set[str] = set()
    for e in discloses:
        if e.attrs.get("polarity") not in STATED:
            continue
        if e.key == "data_collected":
            categories.update(e.attrs.get("items", ()))
        elif e.key in FACE_PRACTICES:
            categories.add("face")
    return categories


def _undisclosed_data(evidence: Sequence[Evidence], discloses: Sequence[Evidence],
                      policy: str) -> list[Evidence]:
    disclosed = _disclosed_categories(discloses)
    by_category: dict[str, list[Evidence]] = {}
    for e in evidence:
        if e.kind in OWN_CODE_CATEGORIES and e.attrs.get("own_code") is True:
            by_category.setdefault(OWN_CODE_CATEGORIES[e.kind], []).append(e)
        elif e.kind == "face.capture":
            by_category.setdefault("face", []).append(e)
    out = []
    for category, found in sorted(by_category.items()):
        if category in disclosed:
            continue
        out.append(Evidence(
            kind="data.undisclosed",
            key=category,
            attrs={"apis": sorted({str(e.attrs.get("api") or e.key) for e in found}),
                   "policy": policy, "evidence_ids": sorted(e.id for e in found)},
            location=found[0].location,
            extractor=EXTRACTOR,
            confidence=Confidence.MEDIUM,
        ))
    return out


def _unlisted_sdks(evidence: Sequence[Evidence], discloses: Sequence[Evidence],
                   policy: str) -> list[Evidence]:
    listed_text = "\n".join(
        [str(e.attrs.get("sentence", "")) for e in discloses]
        + [str(item) for e in discloses if e.key == "sdk_list" for item in e.attrs.get("items", ())]
    ).lower()
    out, seen = [], set()
    for e in evidence:
        if e.kind not in ("sdk.present", "face.sdk") or e.key in seen or e.attrs.get("category") == LIBRARY:
            continue
        seen.add(e.key)
        names = sdk_names(e)
        if any(name.lower() in listed_text for name in names):
            continue
        out.append(Evidence(
            kind="sdk.unlisted",
            key=e.key,
            attrs={"vendor": e.attrs.get("vendor", ""), "policy": policy,
                   "names_checked": sorted(names), "evidence_id": e.id},
            location=e.location,
            extractor=EXTRACTOR,
            confidence=Confidence.MEDIUM,
        ))
    return out


def sdk_names(sdk: Evidence) -> set[str]:
    """Names under which a policy could list this SDK: id, vendor, product, aliases and their words."""
    raw = [sdk.key, sdk.attrs.get("vendor", ""), sdk.attrs.get("product", ""), *sdk.attrs.get("aliases", ())]
    names: set[str] = set()
    for value in raw:
        value = str(value or "").strip()
        if not value:
            continue
        names.add(value)
        names.update(w for w in NAME_SPLIT.split(value) if _distinctive(w))
    return {n for n in names if _distinctive(n)}


def _distinctive(word: str) -> bool:
    word = word.strip()
    if word.lower() in GENERIC_NAME_WORDS:
        return False
    cjk = len(re.findall(r"[\u4e00-\u9fff]", word))
    return cjk >= 2 or len(word) >= 4
