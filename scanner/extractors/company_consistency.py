"""Company versus its apps: what a company's own website admits, stated on each app it offers.

Runs after both sides were analysed, over finished site targets (no source reading): the source is
a `CompanySites` (one company's site targets) and the evidence so far is the app's. A site that
admits face capture (a web.face_capture_notice or a face.capture stated by its pages) yields one
`company.face_capture_admitted` per site on the app, pointing at the page that says so. Whether the
app's policy agrees is for the rules to judge.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from scanner.extractors.base import ExtractorSpec
from scanner.model import Evidence, Target

NAME, VERSION = "company_consistency", 1
EXTRACTOR = f"{NAME}@{VERSION}"

ADMISSION_KINDS = ("web.face_capture_notice", "face.capture")


@dataclass(frozen=True)
class CompanySites:
    """The site targets of one company, as the source this extractor reads."""

    company: str
    sites: tuple[Target, ...]


def _admission(site: Target) -> Evidence | None:
    """One fact for one site: where it admits face capture, or None when it never does."""
    admissions = sorted((e for e in site.evidence if e.kind in ADMISSION_KINDS),
                        # the notice itself is the clearest proof to point at, then the earliest page
                        key=lambda e: (e.kind != "web.face_capture_notice", e.location.uri, e.location.logical))
    if not admissions:
        return None
    first = admissions[0]
    notices = [e for e in admissions if e.kind == "web.face_capture_notice"]
    attrs = {
        "site": site.label,
        "places": sorted({str(e.attrs.get("place", "other")) for e in notices}),
        "purposes": sorted({str(e.attrs.get("purpose", "unknown")) for e in notices}),
        "pages": sorted({e.location.uri for e in admissions}),
        "evidence_ids": sorted(e.id for e in admissions),
    }
    return Evidence("company.face_capture_admitted", site.uri, attrs, first.location, EXTRACTOR, first.confidence)


def run(source: CompanySites, _evidence: Sequence[Evidence]) -> Iterator[Evidence]:
    for site in source.sites:
        admission = _admission(site)
        if admission is not None:
            yield admission


COMPANY_CONSISTENCY = ExtractorSpec(NAME, VERSION, run, emits=frozenset({"company.face_capture_admitted"}),
                                    reads=CompanySites)
