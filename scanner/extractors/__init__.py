"""Extractors: facts only. The registry says which run on which kind of target, in order.

Imports are lazy: an APK scan never loads the page or policy readers it does not use, and a
policy scan never loads androguard.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from scanner.model import TargetKind

if TYPE_CHECKING:
    from scanner.extractors.base import ExtractorSpec


def extractors_for(kind: TargetKind) -> tuple[ExtractorSpec, ...]:
    """The extractors a scan of this kind of target runs, in order (derived facts last)."""
    if kind is TargetKind.APK:
        from scanner.extractors.apk import APK_EXTRACTORS
        from scanner.extractors.policy_consistency import CONSISTENCY

        return (*APK_EXTRACTORS, CONSISTENCY)
    if kind is TargetKind.POLICY:
        from scanner.extractors.policy_nlp import POLICY_EXTRACTORS

        return tuple(POLICY_EXTRACTORS)
    if kind in (TargetKind.SITE, TargetKind.PAGE):
        from scanner.extractors.page_text import PAGE_EXTRACTORS

        return tuple(PAGE_EXTRACTORS)
    raise ValueError(f"no extractors for target kind {kind}")


def all_extractors() -> tuple[ExtractorSpec, ...]:
    """Every extractor the product has: those of each target kind, and the cross-target ones a
    campaign runs after both sides were judged (a company's site facts stated on its apps)."""
    from scanner.extractors.company_consistency import COMPANY_CONSISTENCY

    found: dict[str, ExtractorSpec] = {}
    for kind in TargetKind:
        for spec in extractors_for(kind):
            found.setdefault(spec.name, spec)
    found.setdefault(COMPANY_CONSISTENCY.name, COMPANY_CONSISTENCY)
    return tuple(found.values())
