"""The DEX reader: id tables, strings, class list and verified call sites."""

from __future__ import annotations

import random
import re
import shutil
import struct
import subprocess
import zipfile
from pathlib import Path

import pytest

from scanner.sources.dex import DexFormatError, DexIndex, parse_dex
from tests.sources.dexbuilder import DexSpec, build_dex

CALLER_RUN = "LCaller;->run()V"
CALLER_DECOYS = "LCaller;->decoys(I)V"
API_CALL = "LApi;->call()V"
API_SECRET = "LApi;->secret()V"
API_FIELD = "LApi;->field:I"
URL = "https://x.example/face"
NUL_STRING = "null\x00byte"

# run(): invoke-static {} call; sget v0 field; const-string v0 URL; return-void
RUN_INSNS = bytes.fromhex("7100 0000 0000" "6000 0000" "1a00 0800" "0e00".replace(" ", ""))
# decoys(I): bytes that look like "invoke-static secret()V" but start no instruction:
#  u0-4   const-wide v0 whose literal holds 71 00 01 00 at an aligned offset
#  u5-7   const/4 v1,#7 ; move v1,v0 ; nop  → "71 01 01 00" at an odd offset
#  u8-10  const-string/jumbo v0, string 9 (the NUL string)
#  u11-13 packed-switch v0 → payload at u16
#  u14    return-void, u15 nop (payload alignment)
#  u16-21 packed-switch payload whose target reads 71 00 01 00
DECOY_INSNS = bytes.fromhex(
    "1800 7100 0100 0000 0000"
    "1271 0101 0000"
    "1b00 0900 0000"
    "2b00 0500 0000"
    "0e00 0000"
    "0001 0100 0000 0000 7100 0100".replace(" ", "")
)


def sample_spec(**overrides) -> DexSpec:
    strings = [
        "LCaller;", "LApi;", "V", "call", "secret", "run", "I", "field", URL, NUL_STRING,
        "emoji\U0001F600", "中文", "decoys", "VI",
    ]
    spec = DexSpec(
        strings=strings,
        types=[0, 1, 2, 6],
        protos=[(2, 2, ()), (13, 2, (3,))],
        fields=[(1, 3, 7)],
        methods=[(1, 0, 3), (1, 0, 4), (0, 0, 5), (0, 1, 12)],
        classes=[(0, [(2, RUN_INSNS), (3, DECOY_INSNS)])],
    )
    for key, value in overrides.items():
        setattr(spec, key, value)
    return spec


@pytest.fixture
def sample_index() -> DexIndex:
    return DexIndex.from_entries([("classes.dex", build_dex(sample_spec()))])


def test_id_tables_are_read_into_smali_refs(sample_index: DexIndex) -> None:
    assert sample_index.class_descriptors == {"LCaller;"}
    assert sample_index.method_refs == {API_CALL, API_SECRET, CALLER_RUN, CALLER_DECOYS}
    assert sample_index.field_refs == {API_FIELD}


def test_modified_utf8_strings_decode(sample_index: DexIndex) -> None:
    assert NUL_STRING in sample_index.strings
    assert "emoji\U0001F600" in sample_index.strings
    assert "中文" in sample_index.strings


def test_invoked_method_names_its_caller(sample_index: DexIndex) -> None:
    assert sample_index.callers_of(lambda ref: ref == API_CALL) == {API_CALL: (CALLER_RUN,)}


def test_bytes_that_start_no_instruction_are_not_call_sites(sample_index: DexIndex) -> None:
    # secret()V's index appears inside a literal, at an odd offset and inside a switch payload.
    assert sample_index.callers_of(lambda ref: ref == API_SECRET) == {API_SECRET: ()}


def test_field_access_names_its_caller(sample_index: DexIndex) -> None:
    assert sample_index.callers_of(lambda ref: ref.endswith(":I")) == {API_FIELD: (CALLER_RUN,)}


def test_unwanted_refs_are_not_reported(sample_index: DexIndex) -> None:
    assert sample_index.callers_of(lambda ref: "Nothing" in ref) == {}


def test_const_string_and_jumbo_loads_name_their_method(sample_index: DexIndex) -> None:
    found = sample_index.users_of_strings(lambda s: s in {URL, NUL_STRING, "中文"})
    assert found == {URL: (CALLER_RUN,), NUL_STRING: (CALLER_DECOYS,), "中文": ()}


def test_dex_041_container_yields_every_part() -> None:
    first = build_dex(sample_spec(version=b"041", header_size=0x78, extra_header=b"\0" * 8))
    second_spec = sample_spec(
        version=b"041", header_size=0x78, extra_header=b"\0" * 8, base=len(first),
        strings=["LOther;"] + sample_spec().strings[1:],
    )
    second = build_dex(second_spec)
    container = bytearray(first + second)
    struct.pack_into("<II", container, 0x70, len(container), 0)
    struct.pack_into("<II", container, len(first) + 0x70, len(container), len(first))
    index = DexIndex.from_entries([("classes.dex", bytes(container))])
    assert [f.name for f in index.files] == ["classes.dex#0", "classes.dex#1"]
    assert index.class_descriptors == {"LCaller;", "LOther;"}
    assert index.callers_of(lambda ref: ref == API_CALL)[API_CALL] == (
        CALLER_RUN, "LOther;->run()V",
    )


@pytest.mark.parametrize(
    ("damage", "expected"),
    [
        (lambda d: b"", "too short"),
        (lambda d: b"PK\x03\x04" + d[4:], "bad magic"),
        (lambda d: d[:4] + b"099" + d[7:], "unsupported dex version"),
        (lambda d: d[: len(d) // 2], "truncated"),
        (lambda d: d[:0x3C] + struct.pack("<I", 0x7FFFFFF0) + d[0x40:], "string_ids"),
    ],
    ids=["empty", "bad-magic", "bad-version", "truncated", "string-ids-out-of-range"],
)
def test_corrupt_dex_raises_error_naming_the_entry(damage, expected: str) -> None:
    data = damage(build_dex(sample_spec()))
    with pytest.raises(DexFormatError, match=re.escape(expected)) as raised:
        parse_dex("classes3.dex", data)
    assert str(raised.value).startswith("classes3.dex: ")


def test_overlong_uleb128_in_class_data_is_an_error() -> None:
    data = bytearray(build_dex(sample_spec()))
    class_defs_off = struct.unpack_from("<I", data, 0x64)[0]
    class_data_off = struct.unpack_from("<I", data, class_defs_off + 24)[0]
    data[class_data_off : class_data_off + 6] = b"\xff" * 6
    with pytest.raises(DexFormatError, match="class_data"):
        parse_dex("classes.dex", bytes(data))


def test_random_damage_never_escapes_as_another_error(fixture_apk) -> None:
    original = zipfile.ZipFile(fixture_apk("idcollect")).read("classes.dex")
    rng = random.Random(7)
    for _ in range(300):
        data = bytearray(original)
        for _ in range(rng.randint(1, 8)):
            data[rng.randrange(len(data))] = rng.randrange(256)
        try:
            index = DexIndex.from_entries([("classes.dex", bytes(data))])
        except DexFormatError:
            continue
        index.callers_of(lambda ref: ref.startswith("Landroid/"))
        index.users_of_strings(lambda s: s.startswith("http"))


# --- the committed fixtures -------------------------------------------------------------


def fixture_index(path: Path) -> DexIndex:
    with zipfile.ZipFile(path) as archive:
        names = sorted(n for n in archive.namelist() if re.fullmatch(r"classes\d*\.dex", n))
        return DexIndex.from_entries([(n, archive.read(n)) for n in names])


def test_fixture_face_sdk_calls_and_uncalled_methods(fixture_apk) -> None:
    index = fixture_index(fixture_apk("facedoor"))
    assert "Lcom/arcsoft/face/FaceEngine;" in index.class_descriptors
    found = index.callers_of(lambda ref: ref.startswith("Lcom/arcsoft/face/FaceEngine;->"))
    scan = "Lcom/fangcun/fixture/facedoor/DoorActivity;->onFaceScan()V"
    detect = [ref for ref in found if "->detectFaces(" in ref]
    compare = [ref for ref in found if "->compareFaceFeature(" in ref]
    assert detect and found[detect[0]] == (scan,)
    assert compare and found[compare[0]] == ()  # bundled but never called


def test_fixture_multidex_callers_span_both_files(fixture_apk) -> None:
    index = fixture_index(fixture_apk("idcollect"))
    assert len(index.files) == 2
    assert "Lcom/fangcun/fixture/idcollect/Extra;" in index.files[1].class_descriptors
    subscriber = "Landroid/telephony/TelephonyManager;->getSubscriberId()Ljava/lang/String;"
    callers = index.callers_of(lambda ref: ref == subscriber)[subscriber]
    assert "Lcom/fangcun/fixture/idcollect/DeviceInfo;->collect()V" in callers
    assert any(c.startswith("Lcom/fangcun/fixture/idcollect/Extra;->") for c in callers)
    contacts = "Landroid/provider/ContactsContract$Contacts;->CONTENT_URI:Landroid/net/Uri;"
    assert index.callers_of(lambda ref: ref == contacts)[contacts] == (
        "Lcom/fangcun/fixture/idcollect/DeviceInfo;->collect()V",
    )


def test_fixture_camera_only_app_has_no_face_classes(fixture_apk) -> None:
    index = fixture_index(fixture_apk("cameraonly"))
    assert not any("arcsoft" in d.lower() for d in index.class_descriptors)
    assert index.callers_of(lambda ref: "arcsoft" in ref.lower()) == {}


# --- the shared corpus ---------------------------------------------------------------------


def test_corpus_device_id_caller_is_the_app_method(corpus_apk) -> None:
    index = fixture_index(corpus_apk("DroidBench/DirectLeak1.apk"))
    api = "Landroid/telephony/TelephonyManager;->getDeviceId()Ljava/lang/String;"
    assert index.callers_of(lambda ref: ref == api) == {
        api: ("Lde/ecspride/MainActivity;->onCreate(Landroid/os/Bundle;)V",)
    }


def test_corpus_no_leak_app_never_reads_the_device_id(corpus_apk) -> None:
    index = fixture_index(corpus_apk("DroidBench/LogNoLeak.apk"))
    found = index.callers_of(lambda ref: "TelephonyManager;->getDeviceId" in ref)
    assert all(callers == () for callers in found.values())


def dexdump(dex_bytes: bytes, tmp_path: Path, *flags: str) -> str:
    path = tmp_path / "probe.dex"
    path.write_bytes(dex_bytes)
    result = subprocess.run(
        ["dexdump", *flags, str(path)], capture_output=True, text=True, errors="replace", check=True
    )
    return result.stdout


needs_dexdump = pytest.mark.skipif(shutil.which("dexdump") is None, reason="dexdump not installed")


@needs_dexdump
@pytest.mark.parametrize(
    "apk", ["DroidBench/DirectLeak1.apk", "PolicyLibDemo/app-debug.apk", "androguard/hello-world.apk"]
)
def test_corpus_class_list_matches_dexdump(corpus_apk, tmp_path: Path, apk: str) -> None:
    with zipfile.ZipFile(corpus_apk(apk)) as archive:
        for name in (n for n in archive.namelist() if re.fullmatch(r"classes\d*\.dex", n)):
            data = archive.read(name)
            listed = re.findall(r"Class descriptor\s+: '([^']+)'", dexdump(data, tmp_path, "-f"))
            assert set(listed) == DexIndex.from_entries([(name, data)]).class_descriptors


@needs_dexdump
def test_corpus_call_sites_match_dexdump_disassembly(corpus_apk, tmp_path: Path) -> None:
    data = zipfile.ZipFile(corpus_apk("DroidBench/DirectLeak1.apk")).read("classes.dex")
    expected: dict[str, set[str]] = {}
    owner = name = None
    for line in dexdump(data, tmp_path, "-d").splitlines():
        if match := re.match(r"\s+#\d+\s+: \(in (L[^)]*;)\)$", line):
            owner = match.group(1)
        elif match := re.match(r"\s+name\s+: '(.*)'$", line):
            name = match.group(1)
        elif match := re.match(r"\s+type\s+: '(.*)'$", line):
            caller = f"{owner}->{name}{match.group(1)}"
        elif match := re.search(r": invoke-(?:virtual|super|direct|static|interface)\S* .*?, (\S+) //", line):
            callee = match.group(1).replace(".", "->", 1).replace(":", "", 1)
            if callee.startswith("Landroid/"):
                expected.setdefault(callee, set()).add(caller)
    index = DexIndex.from_entries([("classes.dex", data)])
    found = index.callers_of(lambda ref: ref.startswith("Landroid/") and ref in index.method_refs)
    assert len(expected) > 100, "dexdump listed too few framework calls"
    assert {ref: set(callers) for ref, callers in found.items() if callers} == expected
