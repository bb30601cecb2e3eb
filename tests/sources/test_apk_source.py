"""open_apk: manifest, resources, layout texts, bytecode index, and clear errors for bad input."""

from __future__ import annotations

import hashlib
import zipfile
from pathlib import Path

import pytest

from scanner.errors import InputError
from scanner.model import TargetKind
from scanner.sources.apk import open_apk


def rezip(source: Path, target: Path, replace: dict[str, bytes | None]) -> Path:
    """Copy an APK, replacing (bytes) or dropping (None) some entries."""
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w") as new:
        for info in old.infolist():
            if info.filename in replace:
                continue
            new.writestr(info, old.read(info.filename))
        for name, data in replace.items():
            if data is not None:
                new.writestr(name, data)
    return target


def test_identity_and_manifest_of_face_door_app(fixture_apk) -> None:
    path = fixture_apk("facedoor")
    apk = open_apk(path)
    assert apk.kind is TargetKind.APK
    assert apk.uri == str(path)
    assert apk.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert apk.size == path.stat().st_size
    assert apk.label == "智慧社区门禁"
    manifest = apk.manifest
    assert manifest.package == "com.fangcun.fixture.facedoor"
    assert manifest.permissions == ("android.permission.CAMERA", "android.permission.INTERNET")
    assert manifest.launcher_activities == ("com.fangcun.fixture.facedoor.DoorActivity",)
    assert manifest.exported == frozenset({"com.fangcun.fixture.facedoor.DoorActivity"})
    assert (manifest.min_sdk, manifest.target_sdk) == (21, 29)
    assert manifest.uses_cleartext_traffic is True
    assert manifest.network_security_config is None
    assert manifest.cleartext_permitted_by_nsc is None
    assert apk.attributes["package"] == manifest.package
    assert apk.attributes["dex_count"] == 1
    assert apk.problems == ()


def test_cleartext_attribute_unset_is_none(fixture_apk) -> None:
    assert open_apk(fixture_apk("dooralt")).manifest.uses_cleartext_traffic is None


def test_resource_strings_and_layout_literals(fixture_apk) -> None:
    apk = open_apk(fixture_apk("facedoor"))
    assert ("face_open", "刷脸开门") in apk.resource_strings
    assert ("xss_probe", "<script>alert(1)</script>门禁通行") in apk.resource_strings
    assert ("res/layout/activity_door.xml", "刷脸开门") in apk.layout_texts
    # a layout text that references @string/… is not a literal
    assert all(not text.startswith("@") for _layout, text in apk.layout_texts)


def test_files_and_bounded_read(fixture_apk) -> None:
    apk = open_apk(fixture_apk("facedoor"))
    assert "lib/arm64-v8a/libarcsoft_face_engine.so" in apk.files
    assert apk.read("assets/privacy.html", limit=16) == apk.read("assets/privacy.html")[:16]
    assert len(apk.read("assets/privacy.html", limit=16)) == 16
    with pytest.raises(KeyError):
        apk.read("assets/missing.html")


def test_multidex_index_and_dex_bytes(fixture_apk) -> None:
    apk = open_apk(fixture_apk("idcollect"))
    assert [f.name for f in apk.dex.files] == ["classes.dex", "classes2.dex"]
    assert apk.attributes["dex_count"] == 2
    assert apk.attributes["dex_bytes"] == sum(len(apk.read(f.name)) for f in apk.dex.files)
    assert "Lcom/fangcun/fixture/idcollect/Extra;" in apk.dex.class_descriptors


def test_network_security_config_is_resolved_and_read(corpus_apk) -> None:
    manifest = open_apk(corpus_apk("PolicyLibDemo/app-debug.apk")).manifest
    assert manifest.network_security_config == "res/xml/net_config.xml"
    assert manifest.cleartext_permitted_by_nsc is True


def test_manifest_in_a_foreign_namespace_still_yields_permissions(corpus_apk) -> None:
    # this repackaged manifest writes uses-permission with namespace URI "android"
    manifest = open_apk(corpus_apk("fdroidserver/org.sajeg.fallingblocks_3.apk")).manifest
    assert "android.permission.VIBRATE" in manifest.permissions


# --- bad input ------------------------------------------------------------------------------


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="cannot be read"):
        open_apk(tmp_path / "absent.apk")


def test_not_a_zip(tmp_path: Path) -> None:
    path = tmp_path / "notes.apk"
    path.write_text("just text", encoding="utf-8")
    with pytest.raises(InputError, match="not a zip archive") as raised:
        open_apk(path)
    assert raised.value.input_name == str(path)


def test_zip_without_manifest(tmp_path: Path, fixture_apk) -> None:
    path = rezip(fixture_apk("facedoor"), tmp_path / "bare.apk", {"AndroidManifest.xml": None})
    with pytest.raises(InputError, match="zip has no AndroidManifest.xml"):
        open_apk(path)


def test_truncated_apk(tmp_path: Path, fixture_apk) -> None:
    data = fixture_apk("facedoor").read_bytes()
    path = tmp_path / "half.apk"
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(InputError, match="truncated or corrupt zip"):
        open_apk(path)


def test_damaged_manifest_entry(tmp_path: Path, fixture_apk) -> None:
    source = fixture_apk("facedoor")
    data = bytearray(source.read_bytes())
    with zipfile.ZipFile(source) as archive:
        info = archive.getinfo("AndroidManifest.xml")
    body = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    data[body : body + 8] = b"\xde\xad\xbe\xef" * 2  # CRC no longer matches
    path = tmp_path / "crc.apk"
    path.write_bytes(bytes(data))
    with pytest.raises(InputError, match="truncated or corrupt zip"):
        open_apk(path)


def test_unparsable_manifest(tmp_path: Path, fixture_apk) -> None:
    path = rezip(
        fixture_apk("facedoor"), tmp_path / "textmanifest.apk",
        {"AndroidManifest.xml": b"<manifest package='x'/>"},
    )
    with pytest.raises(InputError, match="manifest cannot be parsed"):
        open_apk(path)


def test_corrupt_dex_is_a_problem_not_a_crash(tmp_path: Path, fixture_apk) -> None:
    path = rezip(
        fixture_apk("idcollect"), tmp_path / "baddex.apk", {"classes2.dex": b"dex\n035\x00garbage"}
    )
    apk = open_apk(path)
    assert [f.name for f in apk.dex.files] == ["classes.dex"]
    assert len(apk.problems) == 1 and apk.problems[0].startswith("classes2.dex: ")
    assert apk.manifest.package == "com.fangcun.fixture.idcollect"


def test_apk_without_dex_is_valid_with_empty_index(tmp_path: Path, fixture_apk) -> None:
    path = rezip(fixture_apk("facedoor"), tmp_path / "nodex.apk", {"classes.dex": None})
    apk = open_apk(path)
    assert apk.dex.class_descriptors == frozenset()
    assert apk.dex.callers_of(lambda ref: True) == {}
    assert apk.attributes["dex_count"] == 0
    assert any("no classes.dex" in p for p in apk.problems)
