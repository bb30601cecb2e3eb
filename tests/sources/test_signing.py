"""Who signed an APK, read from its v1 signature and its v2/v3 signing block without androguard."""

from __future__ import annotations

import hashlib
import io
import struct
import zipfile
from pathlib import Path

from scanner.sources.signing import _block_certificates, signing_certificates

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "apks"


def _fixture() -> tuple[bytes, zipfile.ZipFile]:
    raw = (FIXTURES / "facedoor.apk").read_bytes()
    return raw, zipfile.ZipFile(io.BytesIO(raw))


def test_the_fixture_signer_is_found_once_through_both_schemes() -> None:
    raw, archive = _fixture()
    certificates, problems = signing_certificates(raw, archive)
    assert not problems
    [cert] = certificates  # v1 and v2 carry the same certificate: reported once, first scheme named
    assert "Fangcun Fixture" in cert["subject"] and cert["scheme"] == "v1" and len(cert["sha256"]) == 64
    v2 = [der for scheme, der in _block_certificates(raw, []) if scheme == "v2"]
    assert [hashlib.sha256(der).hexdigest() for der in v2] == [cert["sha256"]]


def test_an_unsigned_zip_names_no_signer() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("AndroidManifest.xml", b"x")
    raw = buffer.getvalue()
    assert signing_certificates(raw, zipfile.ZipFile(io.BytesIO(raw))) == ([], [])


def test_a_signing_block_whose_lengths_lie_is_a_problem_not_a_crash() -> None:
    raw, archive = _fixture()
    eocd = raw.rfind(b"PK\x05\x06")
    (directory,) = struct.unpack_from("<I", raw, eocd + 16)
    (size,) = struct.unpack_from("<Q", raw, directory - 24)
    start = directory - size - 8
    damaged = bytearray(raw)
    struct.pack_into("<Q", damaged, start + 8, 2**40)  # the first pair claims a terabyte
    certificates, problems = signing_certificates(bytes(damaged), archive)
    assert any("APK signing block unreadable: an ID-value pair claims" in p for p in problems)
    assert [c["scheme"] for c in certificates] == ["v1"]  # the JAR signature is still read


def test_a_damaged_v1_signature_is_a_problem_not_a_crash() -> None:
    _raw, archive = _fixture()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as out:
        for name in archive.namelist():
            data = b"not pkcs7" if name.upper().endswith(".RSA") else archive.read(name)
            out.writestr(name, data)
    rebuilt = buffer.getvalue()
    certificates, problems = signing_certificates(rebuilt, zipfile.ZipFile(io.BytesIO(rebuilt)))
    assert certificates == [] and any("not a readable PKCS#7 signature" in p for p in problems)
