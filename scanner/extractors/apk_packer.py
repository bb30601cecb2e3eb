"""Protectors (加固) the package carries (app.packer), read from stubs, native libraries and assets.

code_hidden says whether the app's real code is out of sight: a packer's shell (its classes are
encrypted, or their method bodies cut out), or a launcher activity no dex defines. The reason is the
same one the pipeline records for every extractor that needs code (scanner.extractors.runner).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from scanner.extractors.base import ExtractorSpec
from scanner.extractors.text_utils import snippet
from scanner.model import Evidence, Location
from scanner.sources.apk import ApkSource

NAME = "apk_packer"
VERSION = 1
EXTRACTOR = f"{NAME}@{VERSION}"
UNRECOGNISED = "unrecognised"


def run(source: ApkSource, _evidence: Sequence[Evidence]) -> Iterator[Evidence]:
    reason = source.unreadable_code
    for match in source.packers:
        attrs: dict[str, Any] = {
            "vendor": match.packer.vendor,
            "product": match.packer.product,
            "via": list(match.via),
            "matched": list(match.names),
            "shell": match.packer.shell,
            "code_hidden": bool(reason) and match.packer.shell,
        }
        if attrs["code_hidden"]:
            attrs["reason"] = reason
        location = Location(source.uri, match.names[0], snippet(", ".join(match.names)))
        yield Evidence("app.packer", match.packer.id, attrs, location, EXTRACTOR)
    if reason and not any(m.packer.shell for m in source.packers):
        attrs = {"via": [], "matched": [], "code_hidden": True, "reason": reason}
        yield Evidence("app.packer", UNRECOGNISED, attrs, Location(source.uri, "AndroidManifest.xml", snippet(reason)), EXTRACTOR)


SPEC = ExtractorSpec(NAME, VERSION, run, emits=frozenset({"app.packer"}), reads=ApkSource)
