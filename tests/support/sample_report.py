"""Representative report.json documents, built through scanner.model so they follow the contract, each
fact with the words the pipeline stores for it when it judges (scanner.contract.evidence_words).

`sample_report()`: an apk target with every outcome (FAIL, low-confidence FAIL, PASS, UNKNOWN,
NOT_APPLICABLE, WAIVED) and hostile strings from the app, plus a policy target with practices and
a completeness checklist. `batch_report()`: three crawled `site` targets for the ranked summary.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from scanner.contract import evidence_words
from scanner.model import (
    Confidence,
    ErrorRecord,
    Evidence,
    Location,
    Outcome,
    Report,
    RuleInfo,
    RuleResult,
    Score,
    Severity,
    Target,
    TargetKind,
)

APK_URI = "samples/智慧社区 v2.apk"
APK_SHA = "a" * 64
POLICY_URI = "https://wuye.example.cn/privacy.html"
POLICY_SHA = "b" * 64
HOSTILE = "<script>alert(1)</script>"

# Legal bases as the rule loader writes them (scanner.engine.ruleset): citation parts, 文号, 施行日期, the text.
PIPL_28 = {"source": "PIPL", "article": "28", "title_zh": "中华人民共和国个人信息保护法",
           "title_en": "Personal Information Protection Law of the PRC", "short_zh": "个人信息保护法",
           "article_zh": "第二十八条", "effective": "2021-11-01",
           "text": "敏感个人信息是一旦泄露或者非法使用，容易导致自然人的人格尊严受到侵害或者人身、财产安全受到危害的个人信息，"
                   "包括生物识别、宗教信仰、特定身份、医疗健康、金融账户、行踪轨迹等信息，以及不满十四周岁未成年人的个人信息。\n"
                   "只有在具有特定的目的和充分的必要性，并采取严格保护措施的情形下，个人信息处理者方可处理敏感个人信息。"}
PIPL_29 = {**PIPL_28, "article": "29", "article_zh": "第二十九条",
           "text": "处理敏感个人信息应当取得个人的单独同意；法律、行政法规规定处理敏感个人信息应当取得书面同意的，从其规定。"}
SPC_10 = {"source": "SPC-2021-FACE", "article": "10",
          "title_zh": "最高人民法院关于审理使用人脸识别技术处理个人信息相关民事案件适用法律若干问题的规定",
          "title_en": "SPC Provisions on Civil Cases Involving Facial Recognition",
          "short_zh": "最高人民法院关于审理使用人脸识别技术处理个人信息相关民事案件适用法律若干问题的规定",
          "article_zh": "第十条", "number": "法释〔2021〕15号", "effective": "2021-08-01",
          "text": "物业服务企业或者其他建筑物管理人以人脸识别作为业主或者物业使用人出入物业服务区域的唯一验证方式，"
                  "不同意的业主或者物业使用人请求其提供其他合理验证方式的，人民法院依法予以支持。"}


def _rule(rule_id: str, slug: str, severity: Severity, confidence: Confidence, category: str,
          title: tuple[str, str], rationale: tuple[str, str], remediation: tuple[str, str],
          basis: tuple[dict[str, str], ...]) -> RuleInfo:
    return RuleInfo(
        id=rule_id, slug=slug, version=1,
        title={"zh": title[0], "en": title[1]},
        severity=severity, confidence=confidence, category=category,
        rationale={"zh": rationale[0], "en": rationale[1]},
        remediation={"zh": remediation[0], "en": remediation[1]},
        legal_basis=basis,
    )


RULES = (
    _rule("FACE-001", "face-sole-entry-method", Severity.CRITICAL, Confidence.HIGH, "face",
          ("人脸识别不得作为唯一的进出方式", "Face recognition must not be the only way in"),
          ("物业不得将人脸识别作为业主进出小区的唯一验证方式。", "Owners must be offered a way in other than their face."),
          ("做：提供刷卡、密码等替代方式。\n不要：仅提供访客二维码。", "Do: offer card or PIN entry.\nDo not: count a visitor-only QR pass."),
          (SPC_10, PIPL_28)),
    _rule("FACE-002", "face-separate-consent", Severity.HIGH, Confidence.HIGH, "consent",
          ("处理人脸信息应取得单独同意", "Separate consent for face data"),
          ("人脸信息属于敏感个人信息，处理前须取得个人的单独同意。", "Face data is sensitive; processing needs separate consent."),
          ("在首次采集人脸前弹出单独的告知同意页面。", "Show a separate notice and consent step before the first face capture."),
          (PIPL_29,)),
    _rule("FACE-003", "face-cloud-upload", Severity.CRITICAL, Confidence.LOW, "face",
          ("人脸数据上传云端", "Face data uploaded to the cloud"),
          ("人脸信息原则上应在设备本地处理。", "Face data should in principle stay on the device."),
          ("改为本地比对，或单独告知上传目的与接收方。", "Match on the device, or disclose the upload and its recipient."),
          (PIPL_28,)),
    _rule("MIN-001", "device-identifier-minimised", Severity.MEDIUM, Confidence.MEDIUM, "minimisation",
          ("读取设备标识符应最小必要", "Device identifiers read only when necessary"),
          ("读取 IMEI 等标识符超出门禁功能所需。", "Reading the IMEI exceeds what door access needs."),
          ("删除对 IMEI 的读取。", "Remove the IMEI read."),
          (PIPL_28,)),
    _rule("POL-001", "policy-face-retention", Severity.MEDIUM, Confidence.HIGH, "policy",
          ("隐私政策应说明人脸信息保存期限", "Policy states how long face data is kept"),
          ("保存期限是处理敏感个人信息时必须告知的事项。", "Retention is a required notice item for sensitive data."),
          ("在隐私政策中写明人脸信息的保存期限。", "State the retention period for face data in the policy."),
          (PIPL_29,)),
    _rule("POL-002", "policy-contact", Severity.LOW, Confidence.HIGH, "policy",
          ("隐私政策应提供联系方式", "Policy gives a contact"),
          ("个人需要行使权利的渠道。", "People need a channel to exercise their rights."),
          ("提供个人信息保护负责人的联系方式。", "Give the contact of the person responsible."),
          (PIPL_28,)),
    _rule("SDK-001", "sdk-list-disclosed", Severity.MEDIUM, Confidence.MEDIUM, "sdk",
          ("应披露第三方 SDK 清单", "Third-party SDKs are disclosed"),
          ("嵌入的 SDK 会收集个人信息。", "Embedded SDKs collect personal data."),
          ("在隐私政策中列出全部第三方 SDK。", "List every third-party SDK in the policy."),
          (PIPL_28,)),
    _rule("SEC-001", "cleartext-face-upload", Severity.HIGH, Confidence.HIGH, "security",
          ("人脸数据不得明文传输", "No cleartext transfer of face data"),
          ("明文传输会泄露敏感个人信息。", "Cleartext transfer exposes sensitive data."),
          ("仅使用 HTTPS。", "Use HTTPS only."),
          (PIPL_28,)),
)


def _ev(kind: str, key: str, attrs: dict[str, Any], uri: str, logical: str = "", snippet: str = "",
        extractor: str = "apk_code@1", confidence: Confidence = Confidence.HIGH) -> Evidence:
    return Evidence(kind, key, attrs, Location(uri, logical, snippet), extractor, confidence)


APK_EVIDENCE = {
    "info": _ev("app.info", "com.example.community",
                {"label": "智慧社区", "version_name": "2.3.1", "version_code": 231, "min_sdk": 21, "target_sdk": 29},
                APK_URI, "AndroidManifest.xml", extractor="apk_manifest@1"),
    "perm_camera": _ev("app.permission", "android.permission.CAMERA", {"sensitive": True, "category": "camera"},
                       APK_URI, "AndroidManifest.xml", extractor="apk_manifest@1"),
    "perm_internet": _ev("app.permission", "android.permission.INTERNET", {"sensitive": False, "category": "network"},
                         APK_URI, "AndroidManifest.xml", extractor="apk_manifest@1"),
    "face_sdk": _ev("face.sdk", "arcsoft", {"vendor": "ArcSoft 虹软", "capability": ["detection", "liveness"],
                                             "via": "class", "called": True},
                    APK_URI, "Lcom/arcsoft/face/FaceEngine;", extractor="apk_sdks@1"),
    "umeng": _ev("sdk.present", "umeng", {"vendor": "友盟", "category": "analytics", "via": "native_lib", "called": False},
                 APK_URI, "lib/arm64-v8a/libumeng.so", extractor="apk_sdks@1"),
    "endpoint": _ev("network.endpoint", "face.example-cloud.cn", {"vendor": "ExampleCloud", "cleartext": True, "scheme": "http"},
                    APK_URI, "res/values/strings.xml#face_api", extractor="apk_strings@1"),
    "face_call": _ev("face.api_call", "FaceEngine.detectFaces",
                     {"api": "Lcom/arcsoft/face/FaceEngine;->detectFaces", "caller": "Lcom/example/door/FaceDoorActivity;->scan()V"},
                     APK_URI, "Lcom/example/door/FaceDoorActivity;->scan()V"),
    "camera": _ev("camera.use", "Camera.open", {"api": "Landroid/hardware/Camera;->open", "caller": "Lcom/example/door/FaceDoorActivity;->onCreate()V"},
                  APK_URI, "Lcom/example/door/FaceDoorActivity;->onCreate()V"),
    "imei": _ev("identifier.collect", "imei", {"api": "TelephonyManager.getDeviceId", "caller": "Lcom/example/util/Device;->id()Ljava/lang/String;"},
                APK_URI, "Lcom/example/util/Device;->id()Ljava/lang/String;"),
    "ui_hostile": _ev("ui.text", "同意", {"category": "consent", "text": HOSTILE + " 同意并继续"},
                      APK_URI, "res/values/strings.xml#agree", HOSTILE + " 同意并继续", extractor="apk_strings@1"),
    "door": _ev("context.access_control", "刷脸开门", {"phrase": "刷脸开门", "face_only": False},
                APK_URI, "res/layout/door.xml", "点击「刷脸开门」| 刷卡\n扫码", extractor="apk_strings@1"),
    "alt_card": _ev("access.alternative_method", "card", {"method": "card", "for": "residents"},
                    APK_URI, "res/layout/door.xml#card", "门禁卡开门", extractor="apk_strings@1"),
    "alt_qr": _ev("access.alternative_method", "qr", {"method": "qr", "for": "all"},
                  APK_URI, "res/layout/door.xml#qr", "扫码开门", extractor="apk_strings@1"),
    "capture": _ev("face.capture", "access_control", {"purpose": "access_control", "basis": "face_call+door"},
                   APK_URI, "Lcom/example/door/FaceDoorActivity;->scan()V"),
    "upload": _ev("face.upload", "face.example-cloud.cn", {"host": "face.example-cloud.cn", "vendor": "ExampleCloud",
                                                           "scheme": "http", "path": "/v1/match"},
                  APK_URI, "Lcom/example/net/FaceApi;->match([B)V", confidence=Confidence.LOW),
}

POLICY_EVIDENCE = {
    "doc": _ev("policy.document", POLICY_URI, {"source": "url", "language": "zh", "analysed": True, "chars": 5120},
               POLICY_URI, extractor="policy_nlp@1"),
    "face_collection": _ev("policy.discloses", "face_collection",
                           {"polarity": "affirm", "sentence": "我们会在您使用刷脸开门时采集您的人脸图像。",
                            "section": "一、我们如何收集您的信息", "span": [120, 141]},
                           POLICY_URI, "chars 120-141", "我们会在您使用刷脸开门时采集您的人脸图像。", extractor="policy_nlp@1"),
    "sharing": _ev("policy.discloses", "third_party_sharing",
                   {"polarity": "conditional", "sentence": "除法律法规规定外，我们不会向第三方提供您的信息。",
                    "section": "三、共享", "span": [860, 884]},
                   POLICY_URI, "chars 860-884", "除法律法规规定外，我们不会向第三方提供您的信息。", extractor="policy_nlp@1"),
    "check_contact": _ev("policy.checklist", "contact", {"present": True, "basis": "PIPL 17"},
                         POLICY_URI, extractor="policy_nlp@1"),
    "check_retention": _ev("policy.checklist", "retention", {"present": False, "basis": "PIPL 17, 30"},
                           POLICY_URI, extractor="policy_nlp@1"),
}


def _words(evidence: Iterable[Evidence]) -> dict[str, dict[str, Any]]:
    return {ev.id: evidence_words(ev) for ev in evidence}


def _result(rule: RuleInfo, outcome: Outcome, message: str, evidence: tuple[Evidence, ...] = (),
            confidence: Confidence | None = None, waiver_reason: str = "") -> RuleResult:
    return RuleResult(rule.id, rule.version, outcome, rule.severity, confidence or rule.confidence,
                      message, tuple(e.id for e in evidence), waiver_reason)


def _rule_by_id(rule_id: str) -> RuleInfo:
    return next(r for r in RULES if r.id == rule_id)


def _apk_target() -> Target:
    ev = APK_EVIDENCE
    results = (
        _result(_rule_by_id("FACE-001"), Outcome.PASS, "除刷脸外，住户还可刷卡或扫码开门。",
                (ev["door"], ev["alt_card"], ev["alt_qr"])),
        _result(_rule_by_id("FACE-002"), Outcome.FAIL, "应用在刷脸开门前未取得单独同意；同意按钮文字为 " + HOSTILE,
                (ev["capture"], ev["face_call"], ev["ui_hostile"])),
        _result(_rule_by_id("FACE-003"), Outcome.FAIL, "人脸图像可能以明文上传至 face.example-cloud.cn。",
                (ev["upload"], ev["endpoint"])),
        _result(_rule_by_id("MIN-001"), Outcome.WAIVED, "代码读取 IMEI。", (ev["imei"],),
                waiver_reason="仅在旧版设备兼容模式下读取，2025-12-31 前移除"),
        _result(_rule_by_id("SDK-001"), Outcome.UNKNOWN, "隐私政策分析未完成，无法判断 SDK 是否披露。"),
        _result(_rule_by_id("POL-001"), Outcome.NOT_APPLICABLE, "不适用于安装包。"),
    )
    return Target(
        id="apk:com.example.community", kind=TargetKind.APK, uri=APK_URI, sha256=APK_SHA,
        label="智慧社区 | Smart Community", attributes={"package": "com.example.community"},
        evidence=tuple(ev.values()), results=results, score=Score(41.2, "D"), shown=_words(ev.values()),
        errors=(ErrorRecord("extract:policy_nlp", "assets/privacy.html: not valid UTF-8", APK_URI),),
        extractors=("apk_manifest@1", "apk_sdks@1", "apk_code@1", "apk_strings@1"),
    )


def _policy_target() -> Target:
    ev = POLICY_EVIDENCE
    results = (
        _result(_rule_by_id("FACE-001"), Outcome.NOT_APPLICABLE, "政策文本不涉及门禁功能。"),
        _result(_rule_by_id("POL-001"), Outcome.FAIL, "隐私政策未说明人脸信息的保存期限。",
                (ev["check_retention"], ev["face_collection"])),
        _result(_rule_by_id("POL-002"), Outcome.PASS, "隐私政策提供了联系方式。", (ev["check_contact"],)),
    )
    return Target(
        id="policy:wuye.example.cn/privacy.html", kind=TargetKind.POLICY, uri=POLICY_URI, sha256=POLICY_SHA,
        label="某物业隐私政策", evidence=tuple(ev.values()), results=results, score=Score(75.0, "B"),
        shown=_words(ev.values()),
        extractors=("policy_nlp@1",),
    )


def sample_report(lang: str = "zh") -> dict[str, Any]:
    return Report(
        tool_version="0.1.0", rules=RULES, ruleset_sha256="c" * 64,
        targets=(_apk_target(), _policy_target()), generated_at="2025-06-01T08:00:00+08:00", lang=lang,
        errors=(ErrorRecord("open", "not an APK (no AndroidManifest.xml)", "samples/broken.apk"),),
    ).to_dict()


def _site(name: str, company: str, region: str, score: Score, fails: int) -> Target:
    rule = _rule_by_id("FACE-001")
    outcome = Outcome.FAIL if fails else Outcome.PASS
    return Target(
        id=f"site:{name}", kind=TargetKind.SITE, uri=f"https://{name}.example.cn/", sha256="",
        label=company, attributes={"company": company, "region": region},
        results=(_result(rule, outcome, "…"),), score=score,
    )


def batch_report() -> dict[str, Any]:
    """Three companies in document order A, B, C with scores 82.5, 35.0 and none."""
    return Report(
        tool_version="0.1.0", rules=RULES, ruleset_sha256="c" * 64,
        targets=(
            _site("alpha", "甲物业", "杭州", Score(82.5, "B"), 0),
            _site("beta", "乙物业", "宁波", Score(35.0, "E"), 1),
            _site("gamma", "丙物业", "温州", Score(None, "N/A"), 0),
        ),
        generated_at="2025-06-01T08:00:00+08:00",
    ).to_dict()
