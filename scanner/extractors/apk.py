"""The APK extractors, in the order they run (derived facts last, over everything stated before)."""

from __future__ import annotations

from scanner.extractors import (
    apk_code,
    apk_derived,
    apk_endpoints,
    apk_manifest,
    apk_packer,
    apk_policy,
    apk_sdks,
    apk_startup,
    apk_strings,
)
from scanner.extractors.base import ExtractorSpec

APK_EXTRACTORS: tuple[ExtractorSpec, ...] = tuple(
    module.SPEC
    for module in (apk_manifest, apk_packer, apk_sdks, apk_code, apk_strings, apk_policy, apk_endpoints, apk_startup,
                   apk_derived)
)
