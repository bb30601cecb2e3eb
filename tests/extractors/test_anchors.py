"""Tracker and library signatures imported from εxodus and LibChecker-Rules: the importer's conversions,
the shipped files being exactly what it makes, matching, authority of the project's own entries, and
attribution in NOTICE and in reports."""

from __future__ import annotations

import os
import sys
from collections import Counter
from pathlib import Path

import pytest

from reports import render, validate_report
from scanner.extractors import apk_sdks
from scanner.model import Target, TargetKind
from scanner.pipeline import build_report, load_ruleset
from scanner.signatures import ANCHOR_PATHS, ANCHORS_DIR, anchor_sources, sdk_index

from .fakes import FakeDex, FakeManifest, FakeSource

REPO = Path(__file__).resolve().parents[2]
ANCHORS = Path(os.environ.get("FANGCUN_ANCHORS", REPO.parent / "shared" / "anchors"))
sys.path.insert(0, str(REPO / "scripts"))
import import_anchors  # noqa: E402


def present(source: FakeSource) -> dict:
    return {e.key: e for e in apk_sdks.run(source, ()) if e.kind == "sdk.present"}


# --- the importer's conversions -------------------------------------------------------------------

@pytest.mark.parametrize("signature, prefixes, classes", [
    ("com.appsflyer.", ["com.appsflyer"], []),
    ("com.krux.androidsdk", ["com.krux.androidsdk"], []),
    ("com.facebook.CampaignTrackingReceiver", [], ["com.facebook.CampaignTrackingReceiver"]),
    (".sizmek.", [], []),  # a package part anywhere: no product-level prefix
    ("io", [], []),
])
def test_exodus_code_signatures_become_packages_or_classes(signature, prefixes, classes) -> None:
    signals = import_anchors.Signals()
    import_anchors.exodus_code_signal(signature, signals, Counter())
    assert (signals.class_prefixes, signals.classes) == (prefixes, classes)


@pytest.mark.parametrize("signature, hosts", [
    ("databerries\\.com", ["*.databerries.com"]),
    ("\\.doubleclick\\.net", ["*.doubleclick.net"]),
    ("\\.google\\.com", []),  # a platform's own domain: a link there shows no tracker
    ("adsmogo\\.", ["adsmogo.*", "*.adsmogo.*"]),
    (".*\\.jiguang\\.cn", ["*.jiguang.cn"]),
    ("mst[0-9]*\\.is\\.autonavi\\.com", ["mst*.is.autonavi.com", "*.mst*.is.autonavi.com"]),
    ("fidzup", ["*fidzup*"]),
    ("54\\.243\\.73\\.253:8080/SilverPush/", []),
])
def test_exodus_network_signatures_become_host_patterns(signature, hosts) -> None:
    signals = import_anchors.Signals()
    import_anchors.exodus_host_signal(signature, signals, Counter())
    assert signals.hosts == hosts


@pytest.mark.parametrize("rule, field, value", [
    ({"type": "native", "name": "libAMapSDK_MAP_v(.*)\\.so", "regex": True}, "native_libs", "libAMapSDK_MAP_v*.so"),
    ({"type": "activity", "name": "com.applovin.(.*)", "regex": True}, "class_prefixes", "com.applovin"),
    ({"type": "dex", "name": "kotlin.(.*)", "regex": True}, "class_prefixes", "kotlin"),
    ({"type": "service", "name": "com.bytedance.mira.stub.p[0-9]*.StubService[0-9]*$", "regex": True},
     "components", "com.bytedance.mira.stub.p*.StubService*"),
    ({"type": "receiver", "name": "cn.jpush.android.service.PushReceiver", "regex": False}, "components",
     "cn.jpush.android.service.PushReceiver"),
])
def test_libchecker_rules_become_signals(rule, field, value) -> None:
    signals = import_anchors.Signals()
    import_anchors.libchecker_signal(rule, signals, Counter())
    assert getattr(signals, field) == [value]


@pytest.mark.parametrize("label, category", [
    ("极光推送", "push"), ("Bugly", "crash_reporting"), ("UTDID", "identification"), ("高德地图 SDK", "location"),
    ("Jetpack Core", "library"), ("libIME", "library"), ("Jetpack ShareTarget", "library"), ("ShareSDK", "library"),
])
def test_libchecker_labels_map_to_categories_by_whole_words(label, category) -> None:
    assert import_anchors.libchecker_category(label) == category


def test_signals_the_projects_own_entries_claim_are_dropped() -> None:
    claims = import_anchors.Claims()
    claims.add("umeng", import_anchors.Signals(class_prefixes=["com.umeng"], hosts=["*.umeng.com"]))
    mixed = import_anchors.Signals(class_prefixes=["com.umeng.analytics", "com.other"], hosts=["*.alog.umeng.com", "*.o.cn"],
                                   components=["com.umeng.message.UmengIntentService"])
    owners: dict[str, None] = {}
    kept = claims.keep_unclaimed(mixed, Counter(), owners)
    assert (kept.class_prefixes, kept.hosts, kept.components) == (["com.other"], ["*.o.cn"], [])
    assert list(owners) == ["umeng"]


@pytest.mark.skipif(not (ANCHORS / "exodus-trackers").is_dir(), reason="anchors absent")
def test_shipped_files_are_exactly_what_the_importer_makes(tmp_path, monkeypatch, capsys) -> None:
    monkeypatch.setattr(sys, "argv", ["import_anchors", "--anchors", str(ANCHORS), "--out", str(tmp_path)])
    import_anchors.main()
    assert "trackers imported" in capsys.readouterr().out
    for shipped in (*ANCHOR_PATHS, ANCHORS_DIR / "LICENSE.exodus-ODbL", ANCHORS_DIR / "LICENSE.exodus-DbCL",
                    ANCHORS_DIR / "LICENSE.libchecker"):
        assert (tmp_path / shipped.name).read_bytes() == shipped.read_bytes(), shipped.name


# --- loading, matching, authority ------------------------------------------------------------------

def test_both_databases_load_with_licence_and_attribution_and_licence_texts_beside_them() -> None:
    sources = {source.id: (source, sdks) for source, sdks in anchor_sources()}
    assert set(sources) == {"exodus", "libchecker"}
    exodus, libchecker = sources["exodus"][0], sources["libchecker"][0]
    assert "Open Database License" in exodus.attribution and "ODbL" in exodus.licence
    assert "Apache License" in libchecker.attribution and libchecker.licence == "Apache-2.0"
    assert len(sources["exodus"][1]) > 400 and len(sources["libchecker"][1]) > 500
    assert all(sdk.source_ref.startswith("εxodus tracker ") for sdk in sources["exodus"][1])
    for licence in ("LICENSE.exodus-ODbL", "LICENSE.exodus-DbCL", "LICENSE.libchecker"):
        assert (ANCHORS_DIR / licence).stat().st_size > 1000
    notice = (REPO / "NOTICE").read_text(encoding="utf-8")
    assert exodus.attribution.split(" Copy taken")[0] in " ".join(notice.split())
    assert "LibChecker-Rules" in notice and "rules/signatures/anchors/exodus.json" in notice


def test_an_exodus_tracker_and_a_libchecker_library_are_found_and_attributed() -> None:
    source = FakeSource(
        entries={"lib/arm64-v8a/libmmkv.so": b""},
        dex=FakeDex(class_descriptors=frozenset({"Lcom/appsflyer/AppsFlyerLib;"}),
                    calls={"Lcom/appsflyer/AppsFlyerLib;->start()V": ("Lcom/example/app/Main;->onCreate()V",)}),
    )
    found = present(source)
    appsflyer = next(e for e in found.values() if e.attrs["product"] == "AppsFlyer")
    assert appsflyer.attrs["source"] == "exodus" and appsflyer.attrs["source_ref"].startswith("εxodus tracker ")
    assert appsflyer.attrs["category"] == "analytics" and appsflyer.attrs["called"] is True
    mmkv = found["lc_mmkv"]
    assert mmkv.attrs["source"] == "libchecker" and mmkv.attrs["category"] == "library"
    assert "called" not in mmkv.attrs  # who calls a development library is not asked


def test_the_projects_own_entries_win_where_they_overlap() -> None:
    index = sdk_index()
    assert index.class_owner("Lcom/umeng/analytics/MobclickAgent;").id == "umeng"
    assert index.class_owner("Lcom/tencent/bugly/crashreport/CrashReport;").id == "tencent_bugly"
    # a face product inside a package an anchor claims broadly stays the face product
    assert index.class_owner("Lcom/alipay/face/api/ZIMFacade;").id == "aliyun_zim_alipay"
    assert index.class_owner("Lcom/alipay/mobile/framework/X;").source == "libchecker"
    assert index.class_owner("Lcom/google/firebase/ml/vision/face/FirebaseVisionFaceDetector;").id == "firebase_mlkit_face"


def test_a_plain_app_is_not_taken_for_a_tracker() -> None:
    source = FakeSource(FakeManifest(), dex=FakeDex(class_descriptors=frozenset({"Lcom/example/app/Main;", "La/b;"})))
    assert present(source) == {}


def test_reports_carry_the_attribution_of_the_databases_their_facts_cite() -> None:
    source = FakeSource(dex=FakeDex(class_descriptors=frozenset({"Lcom/appsflyer/AppsFlyerLib;"})))
    facts = tuple(apk_sdks.run(source, ()))
    target = Target("apk-1", TargetKind.APK, "app.apk", "0" * 64, evidence=facts)
    document = build_report([target], load_ruleset()).to_dict()
    validate_report(document)
    [cited] = document["tool"]["signature_sources"]
    assert cited["id"] == "exodus" and "Open Database License" in cited["attribution"]
    for fmt in ("html", "md"):
        assert "Exodus Privacy" in render(fmt, document, lang="zh")
    plain = build_report([Target("apk-2", TargetKind.APK, "b.apk", "1" * 64)], load_ruleset()).to_dict()
    assert "signature_sources" not in plain["tool"]
