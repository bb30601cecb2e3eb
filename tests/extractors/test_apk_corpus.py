"""The APK extractors on real third-party apps from ../shared/corpus (skipped when it is absent)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from scanner.extractors.apk import APK_EXTRACTORS
from scanner.model import Evidence
from scanner.sources.apk import open_apk

REPO = Path(__file__).resolve().parents[2]
CORPUS = Path(os.environ.get("FANGCUN_CORPUS", REPO.parent / "shared" / "corpus")) / "apks"

pytestmark = pytest.mark.skipif(not (CORPUS / "inventory.tsv").is_file(), reason="corpus absent")


def scan(relative: str) -> list[Evidence]:
    source = open_apk(CORPUS / relative)
    evidence: list[Evidence] = []
    for spec in APK_EXTRACTORS:
        evidence.extend(spec.run(source, tuple(evidence)))
    return evidence


def kinds(evidence: list[Evidence], kind: str, **attrs) -> list[Evidence]:
    return [e for e in evidence if e.kind == kind and all(e.attrs.get(k) == v for k, v in attrs.items())]


def test_mlkit_demo_calls_face_detection_and_captures_faces():
    ev = scan("face-detection-demo/app-release.apk")
    assert kinds(ev, "face.sdk", called=True)[0].key == "google_mlkit_face"
    [call] = kinds(ev, "face.api_call", own_code=True)
    assert call.attrs["caller"] == "org.sirekanyan.facedetection.MainActivity.onCreate"
    assert kinds(ev, "face.capture")
    # AppCompat's location lookup, renamed by R8, is not the app's own collection
    assert not kinds(ev, "location.collect", own_code=True)


def test_mirror_app_uses_camera_without_capturing_faces():
    ev = scan("fdroidserver/org.bitbucket.tickytacky.mirrormirror_4.apk")
    assert kinds(ev, "camera.use", own_code=True)
    assert not kinds(ev, "face.capture") and not kinds(ev, "face.sdk")


def test_policylib_demo_has_a_consent_dialog_and_embedded_policy():
    ev = scan("PolicyLibDemo/app-debug.apk")
    assert kinds(ev, "consent.dialog")
    assert [e.key for e in kinds(ev, "policy.document", source="asset")] == ["assets/privateRule.html"]


@pytest.mark.parametrize(
    "apk, key, caller",
    [
        ("DroidBench/DirectLeak1.apk", "imei", "de.ecspride.MainActivity.onCreate"),
        ("DroidBench/Button1.apk", "imei", "de.ecspride.Button1.onCreate"),
        ("DroidBench/ObjectSensitivity1.apk", "iccid", "de.ecspride.ObjectSensitivity1.onCreate"),
    ],
)
def test_droidbench_identifier_named_by_reading_method(apk, key, caller):
    ev = scan(apk)
    assert [(e.key, e.attrs["caller"]) for e in kinds(ev, "identifier.collect", own_code=True)] == [(key, caller)]


def test_droidbench_no_leak_case_reads_no_identifier():
    assert not kinds(scan("DroidBench/LogNoLeak.apk"), "identifier.collect")
