"""Each APK extractor on small in-memory sources: positive and negative cases."""

from __future__ import annotations

import pytest

from scanner.extractors import (
    apk_code,
    apk_derived,
    apk_endpoints,
    apk_manifest,
    apk_policy,
    apk_sdks,
    apk_strings,
)
from scanner.model import Confidence, Evidence, Location

from .fakes import FakeDex, FakeManifest, FakeSource

APP = "Lcom/example/app/"
TM = "Landroid/telephony/TelephonyManager;"


def run(module, source, before=()):
    return list(module.run(source, tuple(before)))


def kinds(evidence, kind):
    return [e for e in evidence if e.kind == kind]


# --- manifest ------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    "uses, nsc, permits, target, expected",
    [
        (True, None, None, 30, ("manifest", "usesCleartextTraffic")),
        (None, None, None, 27, ("manifest", "target_sdk_default")),
        (None, None, None, 28, None),
        (False, None, None, 20, None),
        (None, "res/xml/nsc.xml", True, 30, ("network_security_config", "network_security_config")),
        (True, "res/xml/nsc.xml", False, 30, None),
    ],
)
def test_cleartext_basis(uses, nsc, permits, target, expected):
    found = apk_manifest.cleartext_source(uses, nsc, permits, target)
    assert (None if found is None else (found[0], found[1]["source"])) == expected


def test_permissions_are_categorised():
    source = FakeSource(FakeManifest(permissions=("android.permission.CAMERA", "android.permission.VIBRATE")))
    perms = {e.key: e.attrs for e in kinds(run(apk_manifest, source), "app.permission")}
    assert perms["android.permission.CAMERA"] == {"sensitive": True, "category": "camera"}
    assert perms["android.permission.VIBRATE"] == {"sensitive": False, "category": "other"}


def test_sdk_component_is_of_interest_plain_one_is_not():
    manifest = FakeManifest(
        activities=("com.example.app.MainActivity", "com.example.app.Hidden", "com.megvii.lv5.sdk.detect.guide.UserAgreementActivity"),
    )
    comps = {e.key: e.attrs for e in kinds(run(apk_manifest, FakeSource(manifest)), "app.component")}
    assert comps["com.megvii.lv5.sdk.detect.guide.UserAgreementActivity"]["sdk"] == "megvii_faceid"
    assert "com.example.app.Hidden" not in comps


# --- code ----------------------------------------------------------------------------------------

def code_source(calls, string_users=None):
    return FakeSource(dex=FakeDex(calls=calls, string_users=string_users or {}))


def test_own_and_library_calls_are_told_apart():
    ev = run(apk_code, code_source({
        f"{TM}->getDeviceId()Ljava/lang/String;": (f"{APP}Dev;->read()V", "Landroidx/core/telephony/TelephonyCompat;->getDeviceId()V", "La/b;->c()V"),
    }))
    by_origin = {e.attrs["code_origin"]: e for e in ev}
    assert by_origin["app"].attrs["own_code"] is True and by_origin["app"].confidence == Confidence.HIGH
    assert by_origin["app"].attrs["caller"] == "com.example.app.Dev.read"
    assert by_origin["library"].attrs["own_code"] is False and by_origin["library"].confidence == Confidence.LOW
    assert by_origin["obfuscated"].attrs["own_code"] is False
    assert all(e.key == "imei" for e in ev)


def test_referenced_but_never_called_states_nothing():
    assert run(apk_code, code_source({f"{TM}->getSubscriberId()Ljava/lang/String;": ()})) == []


def test_android_id_needs_the_string_in_the_same_caller():
    settings = "Landroid/provider/Settings$Secure;->getString(Landroid/content/ContentResolver;Ljava/lang/String;)Ljava/lang/String;"
    with_id = run(apk_code, code_source({settings: (f"{APP}A;->id()V",)}, {"android_id": (f"{APP}A;->id()V",)}))
    other = run(apk_code, code_source({settings: (f"{APP}A;->id()V",)}, {"android_id": (f"{APP}B;->x()V",)}))
    assert [e.key for e in with_id] == ["android_id"]
    assert other == []


def test_field_and_string_signatures():
    ev = run(apk_code, code_source(
        {"Landroid/os/Build;->SERIAL:Ljava/lang/String;": (f"{APP}A;->s()V",)},
        {"android.media.action.IMAGE_CAPTURE": (f"{APP}Cam;->shoot()V",), "unrelated": (f"{APP}Cam;->x()V",)},
    ))
    assert {(e.kind, e.key) for e in ev} == {
        ("identifier.collect", "serial"),
        ("camera.use", "android.provider.MediaStore.ACTION_IMAGE_CAPTURE"),
    }


def test_face_sdk_entry_points_and_platform_face_api():
    ev = run(apk_code, code_source({
        "Lcom/arcsoft/face/FaceEngine;->detectFaces([BIII)I": (f"{APP}Door;->scan()V",),
        "Landroid/media/FaceDetector;->findFaces(Landroid/graphics/Bitmap;[Landroid/media/FaceDetector$Face;)I": (f"{APP}P;->f()V",),
        "Lcom/arcsoft/face/FaceEngine;->getVersion()V": (f"{APP}Door;->scan()V",),
    }))
    assert sorted(e.key for e in kinds(ev, "face.api_call")) == ["android.media.FaceDetector.findFaces", "com.arcsoft.face.FaceEngine.detectFaces"]


# --- sdks ----------------------------------------------------------------------------------------

def test_product_level_class_match_and_called_flag():
    source = FakeSource(dex=FakeDex(
        class_descriptors=frozenset({"Lcom/megvii/player/Player;", "Lcom/arcsoft/face/FaceEngine;"}),
        calls={"Lcom/arcsoft/face/FaceEngine;->init()V": ("Lcom/arcsoft/face/FaceEngine;->x()V",)},
    ))
    ev = run(apk_sdks, source)
    assert [e.key for e in kinds(ev, "face.sdk")] == ["arcsoft_arcface"]
    assert kinds(ev, "face.sdk")[0].attrs["called"] is False  # only the SDK calls itself


def test_face_sdk_called_from_renamed_code_is_told_apart_from_own_and_library_calls():
    classes = frozenset({"Lcom/arcsoft/face/FaceEngine;"})
    init = "Lcom/arcsoft/face/FaceEngine;->init()V"

    def face_sdk(*callers):
        [found] = kinds(run(apk_sdks, FakeSource(dex=FakeDex(class_descriptors=classes, calls={init: callers}))), "face.sdk")
        return found.attrs

    renamed = face_sdk("Lo1/b;->a()V")
    assert renamed["called"] is False and renamed["renamed_callers"] == ["o1.b.a"]
    own = face_sdk(f"{APP}Door;->open()V", "Lo1/b;->a()V")
    assert own["called"] is True and own["callers"] == ["com.example.app.Door.open"]
    library = face_sdk("Landroidx/camera/core/X;->y()V", "Lcom/arcsoft/face/Inner;->z()V")
    assert library["called"] is False and "renamed_callers" not in library


def test_decoy_string_is_not_an_sdk():
    source = FakeSource(dex=FakeDex(extra_strings=("arcsoft", "Surface")), resource_strings=(("x", "arcsoft"),))
    assert run(apk_sdks, source) == []


def test_native_lib_and_component_and_tracker():
    source = FakeSource(
        FakeManifest(activities=("com.example.app.MainActivity", "com.tencent.cloud.huiyansdkface.facelight.ui.FaceVerifyActivity")),
        entries={"lib/arm64-v8a/libYTFaceDetector.so": b"", "lib/arm64-v8a/libother.so": b""},
        dex=FakeDex(class_descriptors=frozenset({"Lcom/umeng/analytics/MobclickAgent;"}),
                    calls={"Lcom/umeng/analytics/MobclickAgent;->onResume()V": (f"{APP}Main;->onResume()V",)}),
    )
    ev = run(apk_sdks, source)
    face = {e.key: e.attrs for e in kinds(ev, "face.sdk")}
    assert face["tencent_youtu"]["via"] == ["native_lib"]
    assert face["tencent_huiyan"]["via"] == ["component"]
    present = {e.key: e.attrs for e in kinds(ev, "sdk.present")}
    assert present["umeng"]["category"] == "analytics" and present["umeng"]["called"] is True


@pytest.mark.parametrize("entries, classes, expected", [
    ({"lib/armeabi-v7a/libhcnetsdk.so": b""}, {"Lcom/hikvision/netsdk/HCNetSDK;"}, "hikvision_hcnetsdk"),
    ({"lib/armeabi-v7a/libjninetsdk.so": b""}, {"Lcom/company/NetSDK/INetSDK;"}, "dahua_netsdk"),
])
def test_door_terminal_device_sdks_are_found_and_look_alikes_are_not(entries, classes, expected):
    found = {e.key for e in run(apk_sdks, FakeSource(entries=entries, dex=FakeDex(class_descriptors=frozenset(classes))))}
    assert expected in found and not kinds(run(apk_sdks, FakeSource(entries=entries)), "face.sdk")
    look_alike = FakeSource(entries={"lib/armeabi-v7a/libnetsdk_demo.so": b""},
                            dex=FakeDex(class_descriptors=frozenset({"Lcom/hikvision/netsdkx/A;", "Lcom/company/Other;"})))
    assert expected not in {e.key for e in run(apk_sdks, look_alike)}


def test_face_cloud_endpoint_is_a_face_api_at_medium_confidence_not_a_bundled_call():
    source = FakeSource(resource_strings=(("u", "https://api-cn.faceplusplus.com/facepp/v3/detect"),))
    ev = run(apk_sdks, source)
    assert [e.key for e in kinds(ev, "sdk.present")] == ["megvii_facepp_api"]
    [face] = kinds(ev, "face.sdk")
    assert face.attrs["via"] == ["endpoint"] and face.attrs["called"] is False
    assert face.confidence is Confidence.MEDIUM


def test_vendor_cloud_without_the_face_path_is_no_face_api():
    source = FakeSource(resource_strings=(("u", "https://api-cn.faceplusplus.com/imagepp/v1/recognizetext"),))
    assert run(apk_sdks, source) == []


# --- strings -------------------------------------------------------------------------------------

def string_facts(*texts):
    source = FakeSource(resource_strings=tuple((f"s{i}", t) for i, t in enumerate(texts)))
    return run(apk_strings, source)


def test_door_context_purpose_and_face_only():
    ev = string_facts("仅支持刷脸开门")
    [door] = kinds(ev, "context.access_control")
    assert door.key == "刷脸开门" and door.attrs["face_only"] is True
    assert [e.attrs["purpose"] for e in kinds(ev, "ui.text")] == ["access_control"]


def test_negated_texts_state_no_face_or_door_fact():
    ev = string_facts("本应用不使用人脸识别", "无需刷脸开门", "我们不会收集人脸信息，不涉及人脸识别授权书")
    assert ev == []


def test_alternatives_with_audience():
    ev = string_facts("您可选择刷卡、二维码或密码开门", "访客可使用二维码通行", "业主可使用蓝牙开门")
    alts = {(e.key, e.attrs["for"]) for e in kinds(ev, "access.alternative_method")}
    assert ("card", "all") in alts and ("pin", "all") in alts
    assert ("qr", "visitors") in alts and ("bluetooth", "residents") in alts


def test_no_alternative_in_plain_face_text():
    assert kinds(string_facts("刷脸开门", "请将脸部对准摄像头"), "access.alternative_method") == []


def test_consent_dialog_by_phrase_and_by_buttons():
    assert kinds(string_facts("请阅读并同意《隐私政策》"), "consent.dialog")
    assert kinds(string_facts("隐私政策", "同意", "不同意"), "consent.dialog")
    assert kinds(string_facts("隐私政策", "同意"), "consent.dialog") == []
    assert kinds(string_facts("Please agree to the Privacy Policy"), "consent.dialog")


def test_separate_face_consent_needs_face_near_separate_consent():
    assert kinds(string_facts("收集人脸信息前将取得您的单独同意"), "consent.separate_face")
    assert kinds(string_facts("单独同意"), "consent.separate_face") == []
    assert kinds(string_facts("我已阅读并同意《人脸信息处理规则》"), "consent.separate_face")


def test_sdk_agreement_activity_is_a_face_notice():
    manifest = FakeManifest(activities=("com.tencent.cloud.huiyansdkface.facelight.ui.FaceProtocalActivity",))
    [notice] = run(apk_strings, FakeSource(manifest))
    assert notice.kind == "consent.separate_face" and notice.attrs["where"] == "sdk_agreement"


def test_dex_strings_count_only_when_own_code_loads_them():
    dex = FakeDex(string_users={"刷脸登录": (f"{APP}Login;->f()V",), "刷脸支付": ("Landroidx/x/Y;->z()V",)})
    purposes = {e.attrs["purpose"] for e in kinds(run(apk_strings, FakeSource(dex=dex)), "ui.text")}
    assert purposes == {"login"}


def test_bundled_pages_and_scripts_are_read_but_policies_are_not():
    source = FakeSource(entries={
        "assets/www/door.html": "<html><body><button>刷脸开门</button><script>var x='二维码开门';</script></body></html>".encode(),
        "assets/www/app.js": 'var tip = "您也可以刷卡开门";\nvar off = "本功能不使用人脸识别";'.encode(),
        "assets/privacy.html": "<title>隐私政策</title><p>开通刷脸开门前，我们将取得您的单独同意。</p>".encode(),
        "assets/logo.json": bytes(range(256)),
    })
    out = run(apk_strings, source)
    doors = {(d.key, d.location.logical) for d in kinds(out, "context.access_control")}
    assert ("刷脸开门", "assets/www/door.html") in doors
    assert not any(logical == "assets/privacy.html" for _, logical in doors)
    assert [(a.key, a.location.logical) for a in kinds(out, "access.alternative_method")] == [("card", "assets/www/app.js")]
    # the script inside the page is not text a user sees; the policy's consent sentence is not a screen
    assert kinds(out, "consent.separate_face") == []


# --- derived -------------------------------------------------------------------------------------

def ev(kind, key, **attrs):
    return Evidence(kind, key, attrs, Location("fake.apk", "x"), "test@1")


CAMERA_PERM = ev("app.permission", "android.permission.CAMERA", sensitive=True, category="camera")


def derive(*evidence):
    return run(apk_derived, FakeSource(), evidence)


def test_own_upload_to_a_face_cloud_with_camera_is_capture():
    upload = ev("face.upload", "aip.baidubce.com", path="/rest/2.0/face/v3/search", callers=["com.example.app.Door.scan"],
                own_code=True)
    [capture] = derive(upload, CAMERA_PERM, ev("ui.text", "刷脸开门", category="face_purpose", purpose="access_control"))
    assert capture.key == "access_control" and upload.id in capture.attrs["evidence_ids"]
    assert derive(ev("face.upload", "aip.baidubce.com", own_code=False), CAMERA_PERM) == []
    assert derive(upload) == []  # no camera: the app may send stored photos, but captures none


def test_called_face_sdk_with_camera_captures_for_named_purpose():
    [capture] = derive(ev("face.sdk", "x", called=True, via=["class"]), CAMERA_PERM,
                       ev("ui.text", "人脸登录", category="face_purpose", purpose="login"))
    assert capture.key == "login" and capture.confidence == Confidence.HIGH


def test_bundled_not_called_is_no_capture_but_declared_screen_is():
    assert derive(ev("face.sdk", "x", called=False, via=["class"]), CAMERA_PERM) == []
    [capture] = derive(ev("face.sdk", "x", called=False, via=["class", "component"]), CAMERA_PERM)
    assert capture.key == "unknown" and capture.confidence == Confidence.MEDIUM


def test_face_use_from_renamed_code_is_capture_with_medium_confidence():
    [capture] = derive(ev("face.sdk", "x", called=False, renamed_callers=["o1.b.a"], via=["class"]), CAMERA_PERM)
    assert capture.confidence == Confidence.MEDIUM and "renamed code o1.b.a" in capture.attrs["basis"][0]
    [capture] = derive(ev("face.api_call", "a", api="FaceDetector.findFaces", caller="a.b.c", own_code=False,
                          code_origin="obfuscated"), CAMERA_PERM)
    assert capture.confidence == Confidence.MEDIUM and capture.attrs["basis"][0].endswith("(renamed code)")
    # an own call, when there is one, is what the finding shows first, at high confidence
    [capture] = derive(ev("face.api_call", "a", caller="a.b.c", own_code=False, code_origin="obfuscated"),
                       ev("face.sdk", "x", called=True, via=["class"]), CAMERA_PERM)
    assert capture.confidence == Confidence.HIGH and capture.attrs["basis"][0] == "face.sdk x called"
    # a library's call still is not use, renamed or not
    assert derive(ev("face.api_call", "a", own_code=False, code_origin="library"), CAMERA_PERM) == []


def test_no_camera_or_library_face_call_or_biometric_prompt_is_no_capture():
    assert derive(ev("face.sdk", "x", called=True, via=["class"])) == []
    assert derive(ev("face.api_call", "a", own_code=False), CAMERA_PERM) == []
    assert derive(ev("biometric.system_prompt", "b", caller="c"), CAMERA_PERM) == []


# --- policy --------------------------------------------------------------------------------------

POLICY_HTML = "<html><head><title>隐私政策</title></head><body><p>我们收集您的手机号。</p></body></html>"


def test_policy_assets_by_name_or_title_are_analysed():
    source = FakeSource(entries={
        "assets/yinsi.txt": "本政策说明我们如何收集您的手机号。".encode("gb18030"),
        "assets/web/index.html": POLICY_HTML.encode(),
        "assets/help.html": b"<html><title>Help</title>usage</html>",
        "assets/empty_privacy.txt": b"",
    })
    out = run(apk_policy, source)
    docs = {e.key: e.attrs for e in kinds(out, "policy.document")}
    assert set(docs) == {"assets/yinsi.txt", "assets/web/index.html"}
    page = docs["assets/web/index.html"]
    assert (page["source"], page["language"], page["analysed"]) == ("asset", "zh", True) and page["chars"] >= 10
    assert sorted(name for name, _ in source.embedded_policies) == ["assets/web/index.html", "assets/yinsi.txt"]
    # the GB18030 asset was decoded and its text analysed like any policy file
    assert any(e.location.logical.startswith("assets/yinsi.txt") for e in kinds(out, "policy.checklist"))


def test_policy_url_but_not_plain_url():
    source = FakeSource(resource_strings=(("a", "https://m.example.cn/yinsi.html"), ("b", "https://m.example.cn/home")))
    assert [e.key for e in run(apk_policy, source)] == ["https://m.example.cn/yinsi.html"]


# --- endpoints -----------------------------------------------------------------------------------

def test_endpoints_skip_namespaces_and_flag_cleartext():
    dex = FakeDex(string_users={
        "http://schemas.android.com/apk/res/android": (),
        "http://api.example.cn/report": (f"{APP}Net;->post()V",),
        "https://www.apache.org/licenses/LICENSE-2.0": (),
    })
    out = run(apk_endpoints, FakeSource(dex=dex))
    assert [(e.key, e.attrs["cleartext"]) for e in kinds(out, "network.endpoint")] == [("api.example.cn", True)]
    assert kinds(out, "face.upload") == []


def test_face_upload_needs_face_path_where_the_cloud_has_other_services():
    dex = FakeDex(string_users={
        "https://aip.baidubce.com/rest/2.0/ocr/v1/general": (f"{APP}Ocr;->go()V",),
        "https://aip.baidubce.com/rest/2.0/face/v3/match": (f"{APP}Face;->go()V",),
    })
    [upload] = kinds(run(apk_endpoints, FakeSource(dex=dex)), "face.upload")
    assert upload.attrs["path"] == "/rest/2.0/face/v3/match" and upload.attrs["callers"] == ["com.example.app.Face.go"]
    assert upload.attrs["own_code"] is True


def test_face_upload_from_bundled_vendor_code_is_not_the_apps():
    dex = FakeDex(string_users={"https://aip.baidubce.com/rest/2.0/face/v3/match": ("Lcom/baidu/aip/face/AipFace;->match()V",)})
    [upload] = kinds(run(apk_endpoints, FakeSource(dex=dex)), "face.upload")
    assert upload.attrs["own_code"] is False
