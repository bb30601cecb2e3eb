"""Inputs as stores and developers ship them: XAPK / APKS / APKM bundles of a base and split APKs, Android
App Bundles (.aab), and privacy policies as Word documents (.docx)."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest

from scanner.errors import InputError
from scanner.model import TargetKind
from scanner.pipeline import load_ruleset, open_source, scan_file, scan_paths

from .axmlbuilder import Attribute, build_layout

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "apks"


def split_manifest(package: str, split: str) -> bytes:
    """A split APK's binary manifest: <manifest package=… split=…>."""
    return build_layout([Attribute(None, "package", package), Attribute(None, "split", split)], tag="manifest")


def zip_bytes(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as out:
        for name, data in entries.items():
            out.writestr(name, data)
    return buffer.getvalue()


def split_in_two(apk: Path, moved: str, split_name: str) -> tuple[bytes, bytes]:
    """The APK as a base without the entries starting with `moved`, and a split holding them."""
    with zipfile.ZipFile(apk) as source:
        entries = {name: source.read(name) for name in source.namelist() if not name.startswith("META-INF/")}
    package = scan_file(apk, load_ruleset()).attributes["package"]
    base = {n: d for n, d in entries.items() if not n.startswith(moved)}
    split = {"AndroidManifest.xml": split_manifest(package, split_name)}
    split.update({n: d for n, d in entries.items() if n.startswith(moved)})
    assert len(split) > 1 and base.keys() != entries.keys()
    return zip_bytes(base), zip_bytes(split)


def xapk(tmp_path: Path, apk: Path, moved: str, split_name: str, suffix: str = ".xapk", manifest_json: bool = True) -> Path:
    base, split = split_in_two(apk, moved, split_name)
    entries = {"base.apk": base, f"split_{split_name}.apk": split}
    if manifest_json:
        entries["manifest.json"] = json.dumps({"package_name": "x", "split_apks": [
            {"file": "base.apk", "id": "base"}, {"file": f"split_{split_name}.apk", "id": split_name}]}).encode()
        entries["Android/obb/x/main.1.x.obb"] = b"expansion data"
    path = tmp_path / f"{apk.stem}{suffix}"
    path.write_bytes(zip_bytes(entries))
    base_only = tmp_path / f"{apk.stem}-base.apk"
    base_only.write_bytes(base)
    return path


def facts(target) -> set[tuple[str, str]]:
    return {(e.kind, e.key) for e in target.evidence}


def test_xapk_of_an_apk_split_in_two_scans_as_one_app_with_both_halves_facts(tmp_path) -> None:
    apk = FIXTURES / "facedoor.apk"
    bundle = xapk(tmp_path, apk, "lib/", "config.arm64_v8a")
    ruleset = load_ruleset()
    merged, whole, base = (scan_file(p, ruleset) for p in (bundle, apk, tmp_path / "facedoor-base.apk"))
    assert merged.kind is TargetKind.APK and merged.uri == str(bundle)
    [face] = [e for e in merged.evidence if e.kind == "face.sdk" and e.key == "arcsoft_arcface"]
    assert face.attrs["via"] == ["class", "native_lib"]  # classes from the base, libraries from the split
    [base_face] = [e for e in base.evidence if e.kind == "face.sdk" and e.key == "arcsoft_arcface"]
    assert base_face.attrs["via"] == ["class"]
    assert facts(merged) == facts(whole)
    assert {r.rule_id: r.outcome for r in merged.results} == {r.rule_id: r.outcome for r in whole.results}
    assert merged.attributes["format"] == "xapk" and merged.attributes["splits"] == ["split_config.arm64_v8a.apk"]
    assert merged.attributes["obb"] == ["Android/obb/x/main.1.x.obb"]


@pytest.mark.parametrize("suffix", [".apks", ".apkm"])
def test_bytecode_in_a_feature_split_is_read(tmp_path, suffix) -> None:
    apk = FIXTURES / "idcollect.apk"  # classes2.dex holds the Extra class with its own calls
    bundle = xapk(tmp_path, apk, "classes2.dex", "feature_extra", suffix=suffix, manifest_json=False)
    ruleset = load_ruleset()
    merged, whole, base = (scan_file(p, ruleset) for p in (bundle, apk, tmp_path / "idcollect-base.apk"))

    def places(target) -> set[tuple[str, str, str]]:
        return {(e.kind, e.key, e.location.logical) for e in target.evidence}

    assert places(merged) == places(whole)
    from_split = places(whole) - places(base)
    assert from_split and all("Extra" in logical for _, _, logical in from_split)
    assert merged.attributes["dex_count"] == 2 and merged.attributes["format"] == suffix[1:]


def test_an_unreadable_split_is_a_problem_not_the_end(tmp_path) -> None:
    bundle = tmp_path / "app.xapk"
    with zipfile.ZipFile(FIXTURES / "facedoor.apk") as source:
        base = zip_bytes({n: source.read(n) for n in source.namelist()})
    bundle.write_bytes(zip_bytes({"base.apk": base, "split_config.zh.apk": b"not a zip"}))
    target = scan_file(bundle, load_ruleset())
    assert any("split_config.zh.apk: not a readable APK" in e.message for e in target.errors)
    assert any(e.kind == "face.sdk" for e in target.evidence)


@pytest.mark.parametrize("entries, problem", [
    ({"readme.txt": b"hi"}, ".xapk bundle holds no APK"),
    ({"base.apk": b"PK\x03\x04 garbage"}, "app.xapk!/base.apk: "),
])
def test_bad_bundles_are_one_clear_error_naming_the_input(tmp_path, entries, problem) -> None:
    bundle = tmp_path / "app.xapk"
    bundle.write_bytes(zip_bytes(entries))
    with pytest.raises(InputError, match="app.xapk") as raised:
        open_source(bundle)
    assert problem in str(raised.value)


def test_an_encrypted_apkm_says_so(tmp_path) -> None:
    data = bytearray(zip_bytes({"base.apk": b"x" * 100}))
    data[6] |= 0x1  # local header general-purpose flag: encrypted
    central = data.find(b"PK\x01\x02")
    data[central + 8] |= 0x1  # and in the central directory
    bundle = tmp_path / "app.apkm"
    bundle.write_bytes(bytes(data))
    with pytest.raises(InputError, match="app.apkm: .apkm bundle is encrypted"):
        open_source(bundle)


def test_a_bundle_named_apk_is_read_as_a_bundle(tmp_path) -> None:
    bundle = xapk(tmp_path, FIXTURES / "facedoor.apk", "lib/", "config.arm64_v8a")
    misnamed = tmp_path / "download.apk"
    misnamed.write_bytes(bundle.read_bytes())
    assert open_source(misnamed).attributes["splits"] == ["split_config.arm64_v8a.apk"]


# --- Android App Bundles ---------------------------------------------------------------------------

def test_aab_fixture_gives_the_same_facts_and_outcomes_as_its_apk() -> None:
    ruleset = load_ruleset()
    apk, aab = scan_file(FIXTURES / "facedoor.apk", ruleset), scan_file(FIXTURES / "facedoor.aab", ruleset)
    assert facts(aab) == facts(apk)
    assert {r.rule_id: r.outcome for r in aab.results} == {r.rule_id: r.outcome for r in apk.results}
    assert aab.label == "智慧社区门禁" and aab.attributes["format"] == "aab" and aab.errors == ()


def test_aab_whose_manifest_cannot_be_read_is_a_clear_error_naming_the_format(tmp_path) -> None:
    with zipfile.ZipFile(FIXTURES / "facedoor.aab") as source:
        entries = {n: source.read(n) for n in source.namelist()}
    no_manifest = tmp_path / "a.aab"
    no_manifest.write_bytes(zip_bytes({n: d for n, d in entries.items() if "manifest" not in n}))
    with pytest.raises(InputError, match=r"a\.aab: \.aab app bundle without base/manifest/AndroidManifest\.xml"):
        open_source(no_manifest)
    garbled = tmp_path / "b.aab"
    garbled.write_bytes(zip_bytes({**entries, "base/manifest/AndroidManifest.xml": b"\x0a\xff\xff\xff"}))
    with pytest.raises(InputError, match=r"b\.aab: \.aab app bundle: .* is not readable protobuf XML"):
        open_source(garbled)


# --- Word policies ---------------------------------------------------------------------------------

POLICY_PARAGRAPHS = [
    ("Heading 1", "隐私政策"),
    ("Heading 2", "一、我们如何收集和使用您的个人信息"),
    (None, "为实现刷脸开门功能，我们会收集您的人脸信息，用于门禁通行身份核验。"),
    ("Heading 2", "二、我们如何保存您的个人信息"),
    (None, "您的人脸信息仅保存在小区门禁设备中，保存期限为您入住期间，迁出后30日内删除。"),
]


def write_docx(path: Path) -> Path:
    import docx

    document = docx.Document()
    for style, text in POLICY_PARAGRAPHS:
        document.add_paragraph(text, style=style) if style else document.add_paragraph(text)
    table = document.add_table(rows=2, cols=2)
    for row, (a, b) in zip(table.rows, [("第三方SDK", "用途"), ("虹软人脸识别SDK", "人脸比对")]):
        row.cells[0].text, row.cells[1].text = a, b
    document.save(path)
    return path


def test_docx_policy_is_read_as_a_policy_with_its_sections_and_tables(tmp_path) -> None:
    target = scan_file(write_docx(tmp_path / "policy.docx"), load_ruleset())
    assert target.kind is TargetKind.POLICY and target.label == "隐私政策"
    disclosed = {e.key for e in target.evidence if e.kind == "policy.discloses"}
    assert {"face_collection", "face_retention"} <= disclosed
    [doc] = [e for e in target.evidence if e.kind == "policy.document"]
    assert doc.attrs["analysed"] is True
    source = open_source(tmp_path / "policy.docx")
    assert "虹软人脸识别SDK  人脸比对" in source.text  # a table row on one line
    assert [title for _, title in source.sections][:2] == ["隐私政策", "一、我们如何收集和使用您的个人信息"]
    assert source.attributes["format"] == "docx"


def test_docx_in_a_directory_scan_is_a_policy_next_to_the_apps(tmp_path) -> None:
    folder = tmp_path / "delivery"
    folder.mkdir()
    write_docx(folder / "隐私政策.docx")
    (folder / "app.apk").write_bytes((FIXTURES / "facedoor.apk").read_bytes())
    targets, errors = scan_paths([folder], load_ruleset())
    assert errors == []
    assert sorted(t.kind.value for t in targets) == ["apk", "policy"]


def test_a_docx_that_is_no_word_document_is_one_clear_error(tmp_path) -> None:
    fake = tmp_path / "policy.docx"
    fake.write_bytes(zip_bytes({"readme.txt": b"hi"}))
    with pytest.raises(InputError, match=r"policy\.docx: not a readable Word document \(\.docx\)"):
        open_source(fake)
    text = tmp_path / "notes.docx"
    text.write_text("plain text, not a zip", encoding="utf-8")
    with pytest.raises(InputError, match=r"notes\.docx: not a readable Word document"):
        open_source(text)
