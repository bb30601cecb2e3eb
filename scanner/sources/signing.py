"""Who signed an APK: the certificates of its v1 (JAR) signature and of its APK Signature Scheme v2/v3
block, read from the bytes already in hand, with every length checked against what is there.

The certificates are only reported (subject, issuer, sha256 of the DER), never verified: an auditor
needs to tell which developer account published the app, and a damaged or forged signature is itself
a fact to report, not a reason to stop. ASN.1 is parsed by asn1crypto (androguard's own dependency).
"""

from __future__ import annotations

import hashlib
import re
import struct
import zipfile
from collections.abc import Iterator

from scanner.sources.archive import ZIP_ERRORS, EntryLimit, inflate

_SIGNING_BLOCK_MAGIC = b"APK Sig Block 42"
_SCHEME_IDS = {0x7109871A: "v2", 0xF05368C0: "v3", 0x1B93AD61: "v3.1"}
_EOCD = b"PK\x05\x06"
_EOCD_SEARCH = 22 + 0xFFFF  # the end record plus the longest comment
_V1_SIGNATURE = re.compile(r"META-INF/[^/]+\.(RSA|DSA|EC)", re.IGNORECASE)
_MAX_V1_FILES = 8


class SigningError(ValueError):
    """A signature structure that does not fit the bytes it claims."""


def signing_certificates(raw: bytes, archive: zipfile.ZipFile) -> tuple[list[dict[str, str]], list[str]]:
    """(certificates, problems): each certificate once, in the order v1, v2, v3."""
    problems: list[str] = []
    found: dict[str, dict[str, str]] = {}
    for scheme, der in [*_v1_certificates(archive, problems), *_block_certificates(raw, problems)]:
        try:
            described = _describe(der)
        except (ValueError, TypeError) as exc:
            problems.append(f"signing certificate ({scheme}) unreadable: {exc}")
            continue
        found.setdefault(described["sha256"], {**described, "scheme": scheme})
    return list(found.values()), problems


def _describe(der: bytes) -> dict[str, str]:
    from asn1crypto import x509

    cert = x509.Certificate.load(der)
    return {"subject": cert.subject.human_friendly, "issuer": cert.issuer.human_friendly,
            "sha256": hashlib.sha256(der).hexdigest()}


def _v1_certificates(archive: zipfile.ZipFile, problems: list[str]) -> Iterator[tuple[str, bytes]]:
    from asn1crypto import cms

    names = [n for n in archive.namelist() if _V1_SIGNATURE.fullmatch(n)][:_MAX_V1_FILES]
    for name in names:
        try:
            data = inflate(archive, name, "MANIFEST_MAX_BYTES")
        except (EntryLimit, *ZIP_ERRORS, KeyError) as exc:
            problems.append(f"{name}: not read: {exc}")
            continue
        try:
            info = cms.ContentInfo.load(data)
            found = [choice.chosen.dump() for choice in info["content"]["certificates"] or ()]
        except (ValueError, TypeError, KeyError) as exc:  # asn1crypto's parse errors
            problems.append(f"{name}: not a readable PKCS#7 signature ({exc})")
            continue
        for der in found:
            yield "v1", der


def _block_certificates(raw: bytes, problems: list[str]) -> Iterator[tuple[str, bytes]]:
    try:
        block = _signing_block(raw)
        if block is None:
            return
        for scheme_id, value in _pairs(block):
            scheme = _SCHEME_IDS.get(scheme_id)
            if scheme is None:
                continue
            for signer in _sequence(_prefixed(value, 0)[0]):
                signed_data = _prefixed(signer, 0)[0]
                _digests, at = _prefixed(signed_data, 0)
                certificates = _prefixed(signed_data, at)[0]
                for der in _sequence(certificates):
                    yield scheme, der
    except SigningError as exc:
        problems.append(f"APK signing block unreadable: {exc}")


def _signing_block(raw: bytes) -> bytes | None:
    """The ID-value pairs of the APK Signing Block just before the central directory, or None."""
    eocd = raw.rfind(_EOCD, max(0, len(raw) - _EOCD_SEARCH))
    if eocd < 0 or eocd + 22 > len(raw):
        return None
    (directory,) = struct.unpack_from("<I", raw, eocd + 16)
    if directory < 24 or directory > len(raw) or raw[directory - 16:directory] != _SIGNING_BLOCK_MAGIC:
        return None  # no v2+ signature: v1 alone, or unsigned
    (size,) = struct.unpack_from("<Q", raw, directory - 24)
    start = directory - size - 8
    if size < 24 or start < 0:
        raise SigningError(f"block size {size} does not fit before the central directory at {directory}")
    (size_again,) = struct.unpack_from("<Q", raw, start)
    if size_again != size:
        raise SigningError("the block's two size fields differ")
    return raw[start + 8:directory - 24]


def _pairs(block: bytes) -> Iterator[tuple[int, bytes]]:
    at = 0
    while at < len(block):
        if at + 12 > len(block):
            raise SigningError("an ID-value pair is cut short")
        length, pair_id = struct.unpack_from("<QI", block, at)
        end = at + 8 + length
        if length < 4 or end > len(block):
            raise SigningError(f"an ID-value pair claims {length} bytes")
        yield pair_id, block[at + 12:end]
        at = end


def _prefixed(data: bytes, at: int) -> tuple[bytes, int]:
    """The uint32-length-prefixed field at `at` and where the next one starts."""
    if at + 4 > len(data):
        raise SigningError("a length-prefixed field is cut short")
    (length,) = struct.unpack_from("<I", data, at)
    end = at + 4 + length
    if end > len(data):
        raise SigningError(f"a field claims {length} bytes, {len(data) - at - 4} are left")
    return data[at + 4:end], end


def _sequence(data: bytes) -> Iterator[bytes]:
    at = 0
    while at < len(data):
        item, at = _prefixed(data, at)
        yield item
