"""Pipelines, registered components, evidence shape, and the code-versus-policy check."""

from __future__ import annotations

import jieba
import pytest
from spacy.language import Language

from scanner import limits
from scanner.extractors.policy_consistency import CONSISTENCY
from scanner.extractors.policy_nlp import POLICY_EXTRACTORS, analyse_policy_text
from scanner.model import Evidence, Location
from scanner.nlp.components import overlong_sentences, sentence_bounds
from scanner.nlp.lexicon import load_lexicon
from scanner.nlp.pipelines import build_pipeline, find_practices
from scanner.nlp.text import detect_language, redact
from scanner.sources.policy import policy_from_bytes


def test_jieba_global_dictionary_is_untouched() -> None:
    before = (jieba.dt.initialized, len(jieba.dt.FREQ), dict(jieba.dt.user_word_tag_tab))
    nlp = build_pipeline("zh_jieba")
    words = [t.text for t in nlp.make_doc("我们使用人脸核身和刷脸开门功能")]
    assert "人脸核身" in words and "刷脸开门" in words  # lexicon terms stay whole in our tokenizer
    assert (jieba.dt.initialized, len(jieba.dt.FREQ), dict(jieba.dt.user_word_tag_tab)) == before
    assert "人脸核身" not in jieba.dt.FREQ
    assert nlp.tokenizer.segmenter is not jieba.dt


def test_pipelines_are_built_once_and_use_versioned_components() -> None:
    assert build_pipeline("zh") is build_pipeline("zh")
    assert build_pipeline("en", "rules").pipe_names == ["fangcun_sentences_v1", "fangcun_clauses_v1",
                                                        "fangcun_practices_v2"]
    assert build_pipeline("en").pipe_names[-1] == "fangcun_practice_model_v1"  # the shipped reading
    assert all(Language.has_factory(name) for name in build_pipeline("zh").pipe_names)
    with pytest.raises(ValueError):
        build_pipeline("fr")


def test_sentences_split_on_chinese_semicolon_and_newlines_not_on_dots() -> None:
    text = "第一句。第二句；第三句\n1.5 版本说明 privacy@example.com！"
    assert [text[s:e] for s, e in sentence_bounds(text, "zh")] == [
        "第一句。", "第二句；", "第三句", "1.5 版本说明 privacy@example.com！"]
    doc, _ = find_practices(text, "zh")
    assert [s.text.strip() for s in doc.sents][:2] == ["第一句。", "第二句；"]


def test_english_sentences_split_on_periods() -> None:
    text = "We collect data. We share it, e.g. with vendors."
    assert [text[s:e] for s, e in sentence_bounds(text, "en")] == ["We collect data.", "We share it, e.g. with vendors."]


def test_a_run_without_sentence_ends_is_read_in_pieces_cut_at_clause_marks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(limits, "SENTENCE_MAX_CHARS", 20)
    clause = "我们收集您的人脸信息用于核验，"  # 15 characters: a piece holds one clause, never cuts one
    text = "短句。" + clause * 4 + "不会共享" * 8
    bounds = sentence_bounds(text, "zh")
    assert [text[s:e] for s, e in bounds] == ["短句。"] + [clause] * 4 + ["不会共享" * 5, "不会共享" * 3]
    assert all(e - s <= 20 for s, e in bounds)
    assert overlong_sentences(text, "zh") == 1
    document = next(e for e in analyse_policy_text(text, uri="p.txt", language="zh") if e.kind == "policy.document")
    assert document.attrs["sentences_cut"] == 1
    monkeypatch.setattr(limits, "SENTENCE_MAX_CHARS", 2_000)
    assert overlong_sentences(text, "zh") == 0
    assert "sentences_cut" not in analyse_policy_text(text, uri="p.txt", language="zh")[0].attrs


def test_language_detection() -> None:
    assert detect_language("我们会收集您的设备信息（IMEI、Android ID）。") == "zh"
    assert detect_language("We collect device identifiers (IMEI).") == "en"


def test_redaction_of_phone_and_id_numbers() -> None:
    assert redact("电话13812345678，身份证110101199001011234") == "电话138****5678，身份证110101********1234"


def test_evidence_shape_and_offsets() -> None:
    text = "一、联系我们\n如有问题请拨打13812345678联系我们。\n我们接入了腾讯云慧眼人脸核身SDK和极光推送。"
    evidence = analyse_policy_text(text, uri="policy.txt")
    document = evidence[0]
    assert (document.kind, document.key) == ("policy.document", "policy.txt")
    assert document.attrs == {"source": "file", "language": "zh", "chars": len(text), "analysed": True,
                              "policy_like": True}
    contact = next(e for e in evidence if e.key == "contact" and "拨打" in e.attrs["sentence"])
    start, end = contact.attrs["span"]
    assert contact.location.logical == f"chars {start}-{end}"
    assert "13812345678" in text[start:end] and "138****5678" in contact.attrs["sentence"]
    assert contact.attrs["section"] == "一、联系我们"
    assert contact.extractor == "policy_nlp@1"
    sdk = next(e for e in evidence if e.key == "sdk_list")
    assert sdk.attrs["items"] == ["腾讯云慧眼人脸核身SDK", "极光推送"]
    keys = [(e.key, e.attrs["sentence"]) for e in evidence if e.kind == "policy.discloses"]
    assert len(keys) == len(set(keys))  # one evidence per (practice, sentence)


def test_asset_location_carries_the_asset_path() -> None:
    evidence = analyse_policy_text("我们会收集您的位置信息。", uri="app.apk", logical="assets/privacy.html")
    assert evidence[0].attrs["source"] == "asset"
    collected = next(e for e in evidence if e.key == "data_collected")
    assert collected.location.logical.startswith("assets/privacy.html chars 0-")
    assert collected.attrs["items"] == ["location"]


def test_checklist_items_present_and_missing() -> None:
    evidence = analyse_policy_text("我们会收集您的手机号码，用于注册。您可以删除您的个人信息。", uri="p.txt")
    checklist = {e.key: e.attrs for e in evidence if e.kind == "policy.checklist"}
    assert set(checklist) == {item.name for item in load_lexicon("zh").checklist}
    assert checklist["purposes"]["present"] is True
    assert checklist["rights"]["present"] is True
    assert checklist["retention"] == {"present": False, "basis": "PIPL 17; FRM-2025 5"}
    assert checklist["minors"]["present"] is False


def test_extractor_runs_on_an_opened_source() -> None:
    source = policy_from_bytes(b"We collect facial geometry to verify residents.", uri="p.txt")
    (spec,) = POLICY_EXTRACTORS
    evidence = list(spec.run(source, []))
    assert spec.label == "policy_nlp@1"
    assert any(e.key == "face_collection" and e.attrs["polarity"] == "affirm" for e in evidence)


def code_evidence(kind: str, key: str, **attrs) -> Evidence:
    return Evidence(kind, key, attrs, Location("app.apk", "Lcom/example/A;->m()V"), "apk_code@1")


def test_consistency_flags_undisclosed_collection_and_unlisted_sdks() -> None:
    policy = analyse_policy_text("我们会收集您的位置信息。我们使用极光推送SDK。", uri="app.apk", logical="assets/p.txt")
    code = [
        code_evidence("location.collect", "getLastKnownLocation", api="getLastKnownLocation", own_code=True),
        code_evidence("contacts.collect", "query", api="ContactsContract", own_code=True),
        code_evidence("identifier.collect", "imei", api="getDeviceId", own_code=False),  # SDK code, not ours
        code_evidence("face.capture", "access_control", purpose="access_control"),
        code_evidence("sdk.present", "jpush", vendor="极光 Aurora", product="JPush 极光推送"),
        code_evidence("face.sdk", "arcsoft_arcface", vendor="ArcSoft 虹软", product="ArcFace"),
        # a development library is no SDK a policy must list
        code_evidence("sdk.present", "lc_okhttp3", vendor="Square", product="OKHttp3", category="library"),
    ]
    found = list(CONSISTENCY.run(None, policy + code))
    assert sorted(e.key for e in found if e.kind == "data.undisclosed") == ["contacts", "face"]
    assert [e.key for e in found if e.kind == "sdk.unlisted"] == ["arcsoft_arcface"]
    assert all(e.attrs["policy"] == "assets/p.txt" for e in found)


def test_consistency_is_silent_without_an_analysed_policy() -> None:
    code = [code_evidence("contacts.collect", "query", own_code=True)]
    assert list(CONSISTENCY.run(None, code)) == []


def test_table_of_contents_states_no_practice() -> None:
    contents = "本政策将帮助您了解以下内容：\n一、我们如何收集信息\n二、我们如何共享信息\n三、我们如何保存信息\n四、未成年人保护\n五、如何联系我们\n"
    body = "一、我们如何共享信息\n我们不会向第三方共享您的个人信息。"
    found = {e.key for e in analyse_policy_text(contents, uri="p.txt") if e.kind == "policy.discloses"}
    assert not found & {"third_party_sharing", "minors_guardian", "contact", "retention"}
    assert "third_party_sharing" in {e.key for e in analyse_policy_text(contents + body, uri="p.txt")}
