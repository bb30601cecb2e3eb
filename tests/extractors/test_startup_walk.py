"""The start-up walk (scanner.extractors.startup_walk, apk_startup) over fixtures built from our own smali:
what is reached before the consent gate, what only behind it, and the path to each."""

from __future__ import annotations

import gc
import os
import struct
import zipfile
from dataclasses import replace
from functools import cache
from pathlib import Path

import pytest

from scanner.contract import contract_problems
from scanner.extractors import apk_startup
from scanner.extractors.startup_walk import code_reader, walk_startup
from scanner.model import Evidence
from scanner.sources.apk import open_apk
from scanner.sources.dex import DexFile, DexIndex, parse_dex
from scanner.sources.dex_code import CodeReader

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "apks"
CORPUS = Path(os.environ.get("FANGCUN_CORPUS", Path(__file__).resolve().parents[2].parent / "shared" / "corpus")) / "apks"
SHAPES = "com.fangcun.fixture.walkshapes"


@cache
def facts(name: str) -> tuple[Evidence, ...]:
    return tuple(apk_startup.run(open_apk(FIXTURES / f"{name}.apk"), ()))


def of(name: str, kind: str, key: str | None = None) -> list[Evidence]:
    return [e for e in facts(name) if e.kind == kind and (key is None or e.key == key)]


def read(name: str, api: str) -> Evidence:
    [found] = of(name, "startup.collect", api)
    return found


@pytest.mark.parametrize("name", ["startimei", "acceptimei", "flaglocation", "threadread", "sdkearly", "sdkafter",
                                  "sdkprovider", "walkshapes", "idcollect"])
def test_every_fact_keeps_the_contract_and_the_walk_is_summarised(name: str) -> None:
    assert contract_problems(facts(name), "apk_startup") == []
    [summary] = of(name, "startup.walk")
    assert summary.attrs["complete"] is True and summary.attrs["methods"] > 0


# --- the fixtures the issue names ----------------------------------------------------------------

def test_imei_in_application_oncreate_is_reached_before_consent() -> None:
    imei = read("startimei", "android.telephony.TelephonyManager.getDeviceId")
    assert imei.attrs["gated"] is False and "gate" not in imei.attrs
    assert imei.attrs["entry_kind"] == "application" and imei.attrs["data"] == "identifiers"
    assert imei.attrs["path"] == ["com.fangcun.fixture.startimei.StartApp.onCreate",
                                  "android.telephony.TelephonyManager.getDeviceId"]
    assert imei.location.logical == "Lcom/fangcun/fixture/startimei/StartApp;->onCreate()V"


def test_imei_read_only_in_the_accept_callback_is_behind_the_gate() -> None:
    imei = read("acceptimei", "android.telephony.TelephonyManager.getDeviceId")
    assert imei.attrs["gated"] is True and imei.attrs["gate_cue"] == "positive_button"
    assert imei.attrs["path"] == [
        "com.fangcun.fixture.acceptimei.SplashActivity.onCreate",
        "com.fangcun.fixture.acceptimei.SplashActivity.showPolicy",
        "com.fangcun.fixture.acceptimei.SplashActivity$Agree.onClick (accept callback)",
        "com.fangcun.fixture.acceptimei.SplashActivity.readDeviceId",
        "android.telephony.TelephonyManager.getDeviceId",
    ]
    [gate] = of("acceptimei", "startup.gate")
    assert gate.key == "com.fangcun.fixture.acceptimei.SplashActivity$Agree.onClick"
    assert "SplashActivity.showPolicy" in gate.attrs["detail"] and imei.attrs["gate"] == gate.attrs["detail"]
    # the decline button is a click callback too, but it stores nothing and is no positive button
    assert not [g for g in of("acceptimei", "startup.gate") if "Decline" in g.key]


def test_location_read_behind_a_stored_consent_flag_is_behind_the_gate() -> None:
    location = read("flaglocation", "android.location.LocationManager.getLastKnownLocation")
    assert location.attrs["gated"] is True and location.attrs["gate_cue"] == "consent_flag"
    assert "'privacy_agreed'" in location.attrs["gate"]
    assert location.attrs["path"] == [
        "com.fangcun.fixture.flaglocation.MainActivity.onCreate",
        "com.fangcun.fixture.flaglocation.MainActivity.startLocation (after consent check)",
        "android.location.LocationManager.getLastKnownLocation",
    ]
    cues = {g.attrs["cue"]: g for g in of("flaglocation", "startup.gate")}
    assert cues["stores_consent_flag"].attrs["flag"] == "privacy_agreed"
    assert cues["consent_flag"].attrs["method"] == "com.fangcun.fixture.flaglocation.MainActivity.onCreate"


def test_a_read_on_a_thread_started_from_oncreate_is_reached_through_the_hand_off() -> None:
    mac = read("threadread", "android.net.wifi.WifiInfo.getMacAddress")
    assert mac.attrs["gated"] is False
    assert mac.attrs["path"] == ["com.fangcun.fixture.threadread.ThreadApp.onCreate",
                                 "com.fangcun.fixture.threadread.ThreadApp$DeviceReader.run (hand-off)",
                                 "android.net.wifi.WifiInfo.getMacAddress"]


def test_an_sdk_initialised_in_application_oncreate_starts_before_consent() -> None:
    [umeng] = of("sdkearly", "startup.sdk_start", "umeng")
    assert umeng.attrs["gated"] is False and umeng.attrs["via"] == "call"
    assert umeng.attrs["path"] == ["com.fangcun.fixture.sdkearly.EarlyApp.onCreate", "com.umeng.commonsdk.UMConfigure.init"]
    assert not of("sdkearly", "startup.collect")


def test_an_sdk_initialised_after_consent_is_behind_the_gate_and_its_pre_init_is_no_start() -> None:
    [umeng] = of("sdkafter", "startup.sdk_start", "umeng")
    assert umeng.attrs["gated"] is True and umeng.attrs["call"] == "com.umeng.commonsdk.UMConfigure.init"
    assert "LaterApp.isAgreed" in umeng.attrs["gate"]  # the flag is read through the app's own wrapper
    assert umeng.attrs["path"] == ["com.fangcun.fixture.sdkafter.LaterApp.onCreate",
                                   "com.fangcun.fixture.sdkafter.LaterApp.initSdk (after consent check)",
                                   "com.umeng.commonsdk.UMConfigure.init"]
    assert {g.attrs["cue"] for g in of("sdkafter", "startup.gate")} == {"consent_flag", "stores_consent_flag"}


def test_an_sdk_started_by_its_own_content_provider_starts_before_any_app_code() -> None:
    starts = of("sdkprovider", "startup.sdk_start", "firebase")
    by_via = {s.attrs["via"]: s for s in starts}
    assert set(by_via) == {"provider", "call"} and all(s.attrs["gated"] is False for s in starts)
    assert by_via["provider"].attrs["path"] == ["com.google.firebase.provider.FirebaseInitProvider.onCreate"]
    assert by_via["provider"].attrs["entry_kind"] == "provider"
    assert by_via["call"].attrs["path"][-1] == "com.google.firebase.FirebaseApp.initializeApp"


# --- the shapes the walk follows, and those it does not --------------------------------------------

def test_interface_calls_reach_only_classes_the_walk_saw_created() -> None:
    imei = read("walkshapes", "android.telephony.TelephonyManager.getDeviceId")
    assert imei.attrs["path"] == [f"{SHAPES}.ShapesApp.onCreate", f"{SHAPES}.Runner.run", f"{SHAPES}.ImeiTask.execute",
                                  "android.telephony.TelephonyManager.getDeviceId"]
    assert not of("walkshapes", "startup.collect", "android.telephony.TelephonyManager.getSubscriberId")  # QuietTask: never created


def test_components_started_by_class_and_lifecycle_callbacks_of_created_objects_are_followed() -> None:
    home = read("walkshapes", "android.location.LocationManager.getLastKnownLocation")
    assert home.attrs["path"][1] == f"{SHAPES}.HomeActivity.onResume (started component)"
    clip = read("walkshapes", "android.content.ClipboardManager.getPrimaryClip")
    assert clip.attrs["path"][1] == f"{SHAPES}.StatsObserver.onStart (lifecycle callback)"
    # an activity of the manifest nobody starts, and a receiver of another broadcast, are no start-up
    assert not of("walkshapes", "startup.collect", "android.provider.ContactsContract$Contacts.CONTENT_URI")
    assert not of("walkshapes", "startup.collect", "android.content.pm.PackageManager.getInstalledApplications")


def test_static_initialisers_boot_receivers_and_startup_initializers_are_entry_points() -> None:
    serial = read("walkshapes", "android.os.Build.SERIAL")
    assert serial.attrs["path"][1] == f"{SHAPES}.Config.<clinit> (static initialiser)"
    boot = read("walkshapes", "android.content.pm.PackageManager.getInstalledPackages")
    assert boot.attrs["entry_kind"] == "boot_receiver" and boot.attrs["path"][0] == f"{SHAPES}.BootReceiver.onReceive"
    number = read("walkshapes", "android.telephony.TelephonyManager.getLine1Number")
    assert number.attrs["entry_kind"] == "startup_initializer" and number.attrs["entry"] == f"{SHAPES}.ShapesInitializer"
    [summary] = of("walkshapes", "startup.walk")
    assert "provider: androidx.startup.InitializationProvider" in summary.attrs["entries"]


def test_a_flag_key_learned_from_the_button_that_stores_it_gates_the_branch_met_before() -> None:
    # PolicyHelper keeps consent under "rule", a key that does not read like consent: its OK button
    # stores it, so the earlier test of the same key in PolicyHelper.show becomes the gate
    iccid = read("walkshapes", "android.telephony.TelephonyManager.getSimSerialNumber")
    assert iccid.attrs["gated"] is True and "'rule'" in iccid.attrs["gate"] and "PolicyHelper.hasShown" in iccid.attrs["gate"]
    assert iccid.attrs["path"][-2] == f"{SHAPES}.MainActivity.onResult (after consent check)"
    stores = [g for g in of("walkshapes", "startup.gate") if g.attrs["cue"] == "stores_consent_flag"]
    assert [g.key for g in stores] == [f"{SHAPES}.PolicyHelper$Ok.onClick"] and stores[0].attrs["flag"] == "rule"


def test_a_callback_named_for_agreeing_is_a_gate_and_a_predicate_named_so_is_not() -> None:
    meid = read("walkshapes", "android.telephony.TelephonyManager.getMeid")
    assert meid.attrs["gated"] is True and meid.attrs["gate_cue"] == "callback_name"
    assert meid.attrs["path"][-2] == f"{SHAPES}.ConsentCallback.onPrivacyAgreed (accept callback)"
    # sdkafter's LaterApp.isAgreed() returns the flag: a predicate, no callback
    assert not [g for g in of("sdkafter", "startup.gate") if g.key.endswith("isAgreed")]


def test_a_first_launch_flag_with_no_policy_text_beside_it_is_no_gate() -> None:
    # MainActivity.onStart skips a tutorial on "is_first_run": a first-launch key, but no policy is shown
    tracked = read("walkshapes", "android.location.LocationManager.requestSingleUpdate")
    assert tracked.attrs["gated"] is False
    assert not [g for g in of("walkshapes", "startup.gate") if g.attrs.get("flag") == "is_first_run"]


def test_what_the_walk_cannot_follow_before_the_gate_is_stated_with_its_path() -> None:
    spots = {(e.attrs["what"], e.attrs["detail"]) for e in of("walkshapes", "startup.blind_spot")}
    assert spots == {
        ("reflection", "java.lang.reflect.Method.invoke"),
        ("native_code", "java.lang.System.loadLibrary"),
        ("native_code", f"native method {SHAPES}.ReflectProvider.nativeInit"),
        ("dynamic_code", "dalvik.system.DexClassLoader.<init>"),
    }
    native = next(e for e in of("walkshapes", "startup.blind_spot") if "nativeInit" in e.attrs["detail"])
    assert native.attrs["path"] == [f"{SHAPES}.ReflectProvider.onCreate", f"{SHAPES}.ReflectProvider.nativeInit"]
    [summary] = of("walkshapes", "startup.walk")
    assert summary.attrs["blind_spots"] == {"dynamic_code": 1, "native_code": 2, "reflection": 1}


def test_clicks_are_the_person_acting_not_start_up() -> None:
    # MainActivity.onCreate creates ShareClick, a click listener that reads the contacts: not start-up,
    # and no accept callback either (it stores no flag and is no positive button)
    assert not of("walkshapes", "startup.collect", "android.provider.ContactsContract$CommonDataKinds$Phone.CONTENT_URI")
    assert not [g for g in of("walkshapes", "startup.gate") if "ShareClick" in g.key]


# --- damage, limits, missing classes ----------------------------------------------------------------

def _walk_with(name: str, damage, **limits):
    source = open_apk(FIXTURES / f"{name}.apk")
    with zipfile.ZipFile(FIXTURES / f"{name}.apk") as archive:
        data = bytearray(archive.read("classes.dex"))
    index = DexIndex(parse_dex("classes.dex", bytes(data)))
    damage(data, index)
    files = [DexFile(**{**index.files[0].__dict__, "data": bytes(data)})]
    return walk_startup(CodeReader(DexIndex(files)), source.manifest, apk_startup.startup_tables(), **limits)


def test_a_damaged_method_on_the_path_is_a_blind_spot_and_the_rest_is_still_walked() -> None:
    def break_runner(data: bytearray, index: DexIndex) -> None:
        dex = index.files[0]
        method = dex.method_refs.index(f"L{SHAPES.replace('.', '/')}/Runner;->run(L{SHAPES.replace('.', '/')}/Task;)V")
        span = next(i for i, owners in enumerate(dex.code_map.owners) if method in owners)
        data[dex.code_map.starts[span]] = 0x3E  # an unused opcode

    walk = _walk_with("walkshapes", break_runner)
    damaged = [s for s in walk.blind_spots if s.blind == "damaged_code"]
    assert len(damaged) == 1 and "Runner;->run" in damaged[0].label and "unused opcode" in damaged[0].label
    assert damaged[0].path[-1].method.endswith("Runner;->run(Lcom/fangcun/fixture/walkshapes/Task;)V")
    apis = {r.label for r in walk.reads}
    assert "android.telephony.TelephonyManager.getDeviceId" not in apis  # only reachable through the damaged method
    assert "android.os.Build.SERIAL" in apis  # the rest of onCreate is walked


def test_the_method_budget_stops_the_walk_and_says_so() -> None:
    walk = _walk_with("walkshapes", lambda data, index: None, max_methods=3)
    assert walk.stopped and walk.methods == 3
    assert [s.label for s in walk.blind_spots if s.blind == "walk_limit"] == ["stopped after 3 methods"]


def test_an_entry_class_missing_from_the_dex_is_a_blind_spot() -> None:
    source = open_apk(FIXTURES / "startimei.apk")
    manifest = replace(source.manifest, application_class="com.fangcun.fixture.startimei.PackedShell")
    walk = walk_startup(CodeReader(source.dex), manifest, apk_startup.startup_tables())
    assert [(s.blind, s.label) for s in walk.blind_spots] == [
        ("missing_entry", "com.fangcun.fixture.startimei.PackedShell (application)")]
    assert not walk.reads  # StartApp is no longer the Application, so its onCreate is no entry


def test_manifest_entry_points_are_read() -> None:
    manifest = open_apk(FIXTURES / "walkshapes.apk").manifest
    assert manifest.application_class == f"{SHAPES}.ShapesApp"
    assert manifest.boot_receivers == (f"{SHAPES}.BootReceiver",)
    assert manifest.startup_initializers == (f"{SHAPES}.ShapesInitializer",)
    assert manifest.launcher_activities == (f"{SHAPES}.Launcher",)  # an activity-alias: the walk enters its target
    assert manifest.alias_targets == ((f"{SHAPES}.Launcher", f"{SHAPES}.MainActivity"),)
    [summary] = of("walkshapes", "startup.walk")
    assert f"launcher_activity: {SHAPES}.MainActivity" in summary.attrs["entries"]
    assert open_apk(FIXTURES / "acceptimei.apk").manifest.application_class == ""


# --- the shared corpus (skipped when absent) ---------------------------------------------------------

def corpus_facts(relative: str) -> tuple[Evidence, ...]:
    path = CORPUS / relative
    if not path.is_file():
        pytest.skip(f"corpus APK {relative} not available")
    return tuple(apk_startup.run(open_apk(path), ()))


def test_corpus_policylib_first_launch_dialog_is_the_gate() -> None:
    found = corpus_facts("PolicyLibDemo/app-debug.apk")
    gates = {e.attrs["cue"]: e for e in found if e.kind == "startup.gate"}
    assert gates["stores_consent_flag"].key == "com.db.policylib.Policy$8.onClick"
    assert gates["stores_consent_flag"].attrs["flag"] == "rule"
    assert gates["consent_flag"].key == "com.db.policylib.Policy.showRuleDialog"
    assert "com.db.policylib.Policy.hasShowRule" in gates["consent_flag"].attrs["detail"]
    assert not [e for e in found if e.kind == "startup.collect" and e.attrs["gated"] is False]


@pytest.mark.parametrize(("apk", "ungated"), [
    ("DroidBench/DirectLeak1.apk", {"android.telephony.TelephonyManager.getDeviceId", "android.telephony.SmsManager.sendTextMessage"}),
    ("DroidBench/Button1.apk", {"android.telephony.TelephonyManager.getDeviceId"}),
    ("DroidBench/LocationLeak1.apk", {"android.location.LocationManager.requestLocationUpdates"}),
    ("DroidBench/ObjectSensitivity1.apk", {"android.telephony.TelephonyManager.getSimSerialNumber",
                                           "android.telephony.SmsManager.sendTextMessage"}),
    ("DroidBench/LogNoLeak.apk", set()),
    ("DroidBench/PrivateDataLeak1.apk", set()),
    ("DroidBench/SendSMS.apk", set()),  # the IMEI is read in a click handler, not at start-up
])
def test_corpus_droidbench_reads_at_start_up(apk: str, ungated: set[str]) -> None:
    found = corpus_facts(apk)
    reads = [e for e in found if e.kind == "startup.collect"]
    assert {e.key for e in reads if e.attrs["gated"] is False} == ungated
    assert all(e.attrs["path"][0].endswith(("onCreate", "onResume", "onStart")) for e in reads)


def test_corpus_app_with_every_method_damaged_gives_blind_spots_not_a_crash() -> None:
    path = CORPUS / "DroidBench/DirectLeak1.apk"
    if not path.is_file():
        pytest.skip("corpus APK DroidBench/DirectLeak1.apk not available")
    source = open_apk(path)
    with zipfile.ZipFile(path) as archive:
        data = bytearray(archive.read("classes.dex"))
    index = DexIndex(parse_dex("classes.dex", bytes(data)))
    dex = index.files[0]
    for span in range(len(dex.code_map.starts)):
        struct.pack_into("<H", data, dex.code_map.starts[span], 0x003E)  # every method starts with an unused opcode
    files = [DexFile(**{**dex.__dict__, "data": bytes(data)})]
    walk = walk_startup(CodeReader(DexIndex(files)), source.manifest, apk_startup.startup_tables())
    assert walk.blind_spots and {s.blind for s in walk.blind_spots} == {"damaged_code"} and not walk.reads


# --- the walk's reader leaves out what the walk does nothing with ---------------------------------

ALL_FIXTURES = sorted(p.stem for p in FIXTURES.glob("*.apk"))


@pytest.mark.parametrize("name", ALL_FIXTURES)
def test_the_walks_reader_changes_no_fact(name: str) -> None:
    source = open_apk(FIXTURES / f"{name}.apk")
    tables = apk_startup.startup_tables()
    plain = walk_startup(CodeReader(source.dex), source.manifest, tables)
    assert walk_startup(code_reader(source.dex, tables), source.manifest, tables) == plain
    for budget in (1, 2, 5):  # where the budget stops it depends on the order of the queue: the same too
        assert walk_startup(code_reader(source.dex, tables), source.manifest, tables, max_methods=budget) \
            == walk_startup(CodeReader(source.dex), source.manifest, tables, max_methods=budget)


def test_the_walks_reader_leaves_out_platform_calls_that_are_no_fact_and_keeps_the_sensitive_ones() -> None:
    source = open_apk(FIXTURES / "startimei.apk")
    tables = apk_startup.startup_tables()
    ref = "Lcom/fangcun/fixture/startimei/StartApp;->onCreate()V"
    outlines = []
    for reader in (CodeReader(source.dex), code_reader(source.dex, tables)):
        cls = reader.class_def("Lcom/fangcun/fixture/startimei/StartApp;")
        assert cls is not None
        outlines.append(reader.outline(cls.method(ref.partition("->")[2]), cls.dex))
    plain, kept = ({s[3] for s in o.steps} for o in outlines)
    assert "Landroid/telephony/TelephonyManager;->getDeviceId()Ljava/lang/String;" in kept
    assert "Landroid/app/Application;->onCreate()V" in plain - kept  # the super call: the platform's, no fact
    assert outlines[0].boolean_calls == outlines[1].boolean_calls and outlines[0].strings == outlines[1].strings


@pytest.mark.parametrize("name", ["walkshapes", "sdkafter", "flaglocation", "acceptimei"])
def test_what_the_walk_read_is_freed_when_it_ends(name: str) -> None:
    # the walk runs with the cycle collector off, so it must leave no reference cycle behind
    source = open_apk(FIXTURES / f"{name}.apk")
    tables = apk_startup.startup_tables()
    gc.collect()
    walk = walk_startup(code_reader(source.dex, tables), source.manifest, tables)
    assert walk.methods > 0 and gc.isenabled()
    assert gc.collect() == 0
