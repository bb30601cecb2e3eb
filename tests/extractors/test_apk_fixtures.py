"""The APK extractors end to end over the committed fixture APKs (tests/fixtures/apks/)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from scanner.extractors.apk import APK_EXTRACTORS
from scanner.model import Confidence, Evidence
from scanner.sources.apk import open_apk

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "apks"


@cache
def scan(name: str) -> tuple[Evidence, ...]:
    source = open_apk(FIXTURES / f"{name}.apk")
    evidence: list[Evidence] = []
    for spec in APK_EXTRACTORS:
        evidence.extend(spec.run(source, tuple(evidence)))
    return tuple(evidence)


def of(name: str, kind: str, **attrs) -> list[Evidence]:
    return [e for e in scan(name) if e.kind == kind and all(e.attrs.get(k) == v for k, v in attrs.items())]


def test_extractor_names_and_order():
    assert [s.label for s in APK_EXTRACTORS] == [
        "apk_manifest@2", "apk_packer@1", "apk_sdks@3", "apk_code@1", "apk_strings@1", "apk_policy@1", "apk_endpoints@2",
        "apk_startup@1",
        "apk_derived@2",
    ]


def test_every_evidence_is_located_with_a_short_snippet():
    for name in ("facedoor", "dooralt", "idcollect", "facepolicy"):
        for ev in scan(name):
            assert ev.location.uri.endswith(f"{name}.apk")
            assert len(ev.location.snippet) <= 120


# --- facedoor: face-only door app ----------------------------------------------------------------

def test_facedoor_arcsoft_bundled_and_called():
    [sdk] = [e for e in of("facedoor", "face.sdk") if e.key == "arcsoft_arcface"]
    assert sdk.attrs["via"][:2] == ["class", "native_lib"]
    assert sdk.attrs["called"] is True
    assert "com.fangcun.fixture.facedoor.DoorActivity.onFaceScan" in sdk.attrs["callers"]
    assert any(e.key == "arcsoft_arcface" and e.attrs["category"] == "face" for e in of("facedoor", "sdk.present"))


def test_facedoor_face_api_call_and_camera_named_by_caller():
    calls = of("facedoor", "face.api_call", caller="com.fangcun.fixture.facedoor.DoorActivity.onFaceScan", own_code=True)
    assert {e.key for e in calls} >= {"com.arcsoft.face.FaceEngine.detectFaces", "com.arcsoft.face.FaceEngine.extractFaceFeature"}
    assert of("facedoor", "camera.use", api="android.hardware.camera2.CameraManager.openCamera", own_code=True)


def test_facedoor_capture_for_access_control_without_alternative():
    assert [e.key for e in of("facedoor", "face.capture")] == ["access_control"]
    assert of("facedoor", "context.access_control")
    assert not of("facedoor", "access.alternative_method")


def test_facedoor_consent_policy_upload_cleartext():
    assert of("facedoor", "consent.dialog")
    assert not of("facedoor", "consent.separate_face")
    [upload] = of("facedoor", "face.upload")
    assert upload.key == "aip.baidubce.com" and upload.attrs["path"].startswith("/rest/2.0/face/")
    assert upload.attrs["callers"] == ["com.fangcun.fixture.facedoor.FaceUploader.upload"]
    assert of("facedoor", "network.cleartext_allowed", source="usesCleartextTraffic")
    assert [e.key for e in of("facedoor", "policy.document")] == ["assets/privacy.html"]


# --- dooralt: alternatives and face-specific consent ----------------------------------------------

def test_dooralt_alternatives_and_face_consent():
    methods = {e.key for e in of("dooralt", "access.alternative_method")}
    assert methods >= {"card", "qr", "pin", "bluetooth", "remote"}
    assert all(e.attrs["for"] != "visitors" for e in of("dooralt", "access.alternative_method"))
    assert of("dooralt", "consent.separate_face", where="app_ui")
    assert of("dooralt", "policy.document", source="url")
    assert of("dooralt", "face.capture", purpose="access_control")


# --- cameraonly: camera with decoys ---------------------------------------------------------------

def test_cameraonly_camera_but_no_face_facts():
    assert of("cameraonly", "camera.use", caller="com.fangcun.fixture.cameraonly.ShotActivity.shoot")
    for kind in ("face.sdk", "face.api_call", "face.capture", "consent.separate_face", "ui.text"):
        assert not of("cameraonly", kind), kind
    assert not [e for e in of("cameraonly", "sdk.present") if e.attrs["category"] == "face"]


# --- bioprompt: system prompt only ----------------------------------------------------------------

def test_bioprompt_system_prompt_only():
    [prompt] = of("bioprompt", "biometric.system_prompt")
    assert prompt.attrs["caller"] == "com.fangcun.fixture.bioprompt.UnlockActivity.unlock"
    assert not of("bioprompt", "face.capture") and not of("bioprompt", "camera.use")


# --- idcollect: identifiers with callers ----------------------------------------------------------

def test_idcollect_identifiers_named_by_caller():
    own = of("idcollect", "identifier.collect", own_code=True)
    assert {e.key for e in own} >= {"imei", "imsi", "serial", "mac", "android_id"}
    assert all(e.attrs["caller"] == "com.fangcun.fixture.idcollect.DeviceInfo.collect" for e in own if e.key != "imsi")


def test_idcollect_library_call_is_not_own_code():
    [lib] = of("idcollect", "identifier.collect", own_code=False)
    assert lib.attrs["caller"].startswith("androidx.core.telephony.TelephonyCompat")
    assert lib.confidence == Confidence.LOW


def test_idcollect_second_dex_call_found():
    assert of("idcollect", "identifier.collect", caller="com.fangcun.fixture.idcollect.Extra.readSubscriber")


def test_idcollect_other_collection_and_no_consent_or_policy():
    for kind in ("location.collect", "contacts.collect", "applist.collect", "clipboard.read"):
        assert of("idcollect", kind, own_code=True), kind
    assert not of("idcollect", "consent.dialog")
    assert not of("idcollect", "policy.document")
    assert of("idcollect", "network.endpoint", cleartext=True)


# --- facepolicy: Huiyan login with a face policy --------------------------------------------------

def test_facepolicy_huiyan_login_with_consent_and_policy():
    [sdk] = of("facepolicy", "face.sdk")
    assert sdk.key == "tencent_huiyan" and sdk.attrs["called"] is True and "component" in sdk.attrs["via"]
    assert [e.key for e in of("facepolicy", "face.capture")] == ["login"]
    assert of("facepolicy", "consent.separate_face")
    assert of("facepolicy", "consent.dialog")
    assert of("facepolicy", "policy.document", source="asset")
