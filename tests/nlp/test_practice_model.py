"""The learned practice reader: the shipped artefact, its manifest, its combination with the rule
reader, and the build script (on a tiny dataset of our own sentences; the corpus build is a bench)."""

from __future__ import annotations

import importlib.util
import io
import json
import sys
import zipfile
from pathlib import Path

import numpy
import pytest

from scanner.nlp.components import sentence_bounds
from scanner.nlp.pipelines import build_pipeline, find_practices
from scanner.nlp.practice_model import (
    ARTEFACT,
    MANIFEST,
    MODELS,
    STRUCTURE,
    PracticeModel,
    SentenceContext,
    combine,
    featurise,
    load_model,
    read_artefact,
    sentence_context,
)
from scanner.nlp.practices import PracticeMatch

REPO = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location("build_practice_model", REPO / "bench" / "build_practice_model.py")
assert _spec and _spec.loader
build_script = importlib.util.module_from_spec(_spec)
sys.modules["build_practice_model"] = build_script  # dataclasses look their module up by name
_spec.loader.exec_module(build_script)


def practices(text: str, reader: str = "combined", language: str = "zh") -> dict[str, str]:
    _, hits = find_practices(text, language, reader=reader)
    return {m.practice: m.polarity for hit in hits for m in hit.matches}


# --- the shipped artefact ---------------------------------------------------------------------------

def test_the_manifest_matches_the_artefact() -> None:
    manifest, arrays = read_artefact()  # checks the sha256 itself
    assert manifest["version"] == "practice_model_v1"
    assert manifest["artefact_bytes"] == (MODELS / ARTEFACT).stat().st_size <= 20 * 1024 * 1024
    assert set(manifest["label_files_sha256"]) and all(len(h) == 64 for h in manifest["label_files_sha256"].values())
    for language, entry in manifest["languages"].items():
        a = arrays[language]
        assert a["weights"].shape == (len(a["rows"]), len(entry["outputs"])) and a["bias"].shape == (len(entry["outputs"]),)
        assert entry["outputs"][-len(STRUCTURE):] == list(STRUCTURE)
        assert set(entry["combination"]) == set(entry["outputs"]) - set(STRUCTURE)
        assert set(entry["training_counts"]) == set(entry["outputs"])


def test_the_artefact_holds_numbers_only() -> None:
    """No text of the corpus is shipped: only hashed rows and weights, no strings table."""
    with zipfile.ZipFile(MODELS / ARTEFACT) as archive:
        for name in archive.namelist():
            array = numpy.lib.format.read_array(io.BytesIO(archive.read(name)), allow_pickle=False)
            assert array.dtype.kind in "if", name
    manifest = json.loads((MODELS / MANIFEST).read_text(encoding="utf-8"))
    words = json.dumps(manifest, ensure_ascii=False)
    assert not any("\u4e00" <= ch <= "\u9fff" for ch in words)  # no Chinese text in the manifest either


def test_a_changed_artefact_is_refused(tmp_path: Path) -> None:
    for name in (ARTEFACT, MANIFEST):
        (tmp_path / name).write_bytes((MODELS / name).read_bytes())
    data = bytearray((tmp_path / ARTEFACT).read_bytes())
    data[-30] ^= 0xFF
    (tmp_path / ARTEFACT).write_bytes(bytes(data))
    with pytest.raises(ValueError, match="sha256"):
        read_artefact(tmp_path)


@pytest.mark.parametrize("text, practice", [
    ("如需注销账号，请在“我的-设置-账号管理”中提交申请。", "rights_delete"),
    ("您可以拨打客服热线400-000-0000或发送邮件至privacy@example.cn与我们联系。", "contact"),
    ("您可以在系统设置中随时关闭相机权限，收回对我们的授权。", "rights_withdraw"),
    ("我们的服务器位于新加坡，您的信息会被传输至境外。", "cross_border"),
    ("我们会将您的订单信息提供给合作的物流公司，以便完成配送。", "third_party_sharing"),
    ("开通刷脸开门后，我们会采集您的人脸图像用于门禁通行。", "face_collection"),
])
def test_the_model_reads_own_sentences(text: str, practice: str) -> None:
    model = load_model("zh")
    [row] = model.probabilities(text, [(0, len(text))])
    assert row[model.outputs.index(practice)] >= model.combination[practice].alone
    assert practice in practices(text)


@pytest.mark.parametrize("text", [
    "今天天气很好，我们一起去公园散步吧。",
    "本小区的停车位按月收费，每月三百元。",
    "物业服务中心的营业时间为每日八点至十八点。",
])
def test_the_model_finds_nothing_in_sentences_about_other_things(text: str) -> None:
    model = load_model("zh")
    [row] = model.probabilities(text, [(0, len(text))])
    assert all(row[model.outputs.index(p)] < 0.3 for p in model.practices)
    assert not set(practices(text)) & set(model.practices)  # the rules may read other things (an operator)


def test_predictions_are_stable_and_independent_of_the_batch() -> None:
    model = load_model("zh")
    sentences = ["您可以在设置中关闭个性化推荐。", "我们不会将您的信息传输至境外。", "请联系我们：service@example.cn。"]
    text = "\n".join(sentences)
    bounds, start = [], 0
    for s in sentences:
        bounds.append((start, start + len(s)))
        start += len(s) + 1
    together = model.probabilities(text, bounds)
    for (a, b), row in zip(bounds, together):
        alone = model.probabilities(text[a:b], [(0, b - a)])[0]
        numpy.testing.assert_allclose(row, alone, rtol=1e-5, atol=1e-6)  # no n-gram spans two sentences
    numpy.testing.assert_array_equal(together, model.probabilities(text, bounds))


def test_the_pipelines_run_the_model_after_the_rule_reader() -> None:
    assert build_pipeline("zh", "combined").pipe_names[-2:] == ["fangcun_practices_v2", "fangcun_practice_model_v1"]
    assert "fangcun_practice_model_v1" not in build_pipeline("zh", "rules").pipe_names
    assert "fangcun_practice_model_v1" in build_pipeline("zh").pipe_names  # the shipped reading (READER)
    with pytest.raises(ValueError, match="reader"):
        build_pipeline("zh", "oracle")


# --- the combination --------------------------------------------------------------------------------

def tiny_model(add: float = 0.6) -> PracticeModel:
    outputs = ["face_collection", "third_party_sharing", "contact", *STRUCTURE]
    entry = {"orders": [1], "outputs": outputs, "structure_threshold": 0.5,
             "combination": {p: {"add": add, "alone": 0.5} for p in outputs[:3]}}
    manifest = {"version": "test", "buckets": 16, "affirm_only": ["contact"], "languages": {"zh": entry}}
    return PracticeModel("zh", manifest, numpy.zeros(0, dtype=numpy.int32), numpy.zeros((0, 5), dtype=numpy.float32),
                         numpy.zeros(5, dtype=numpy.float32))


def row(**p: float) -> numpy.ndarray:
    names = ["face_collection", "third_party_sharing", "contact", *STRUCTURE]
    return numpy.array([p.get(n, 0.0) for n in names], dtype=numpy.float32)


def test_combined_every_rule_match_stays_with_its_polarity() -> None:
    model = tiny_model()
    rule = [PracticeMatch("third_party_sharing", "conditional"), PracticeMatch("data_collected", "affirm")]
    kept = combine(rule, row(third_party_sharing=0.01, negate=0.9), model)  # the model doubts it: it stays
    assert {m.practice: m.polarity for m in kept} == {"third_party_sharing": "conditional", "data_collected": "affirm"}
    assert combine(rule, row(), model, "rules") == rule
    alone = combine(rule, row(third_party_sharing=0.1), model, "model")  # alone, the model decides presence
    assert [m.practice for m in alone] == ["data_collected"]  # practices the model does not know pass


def context(statement: bool = True, face: bool = True, plain: bool = True, recipient: bool = True) -> SentenceContext:
    return SentenceContext(statement, face, plain, recipient)


def test_combined_the_model_adds_only_affirm_and_only_to_plain_sentences() -> None:
    model = tiny_model()
    sharing = row(third_party_sharing=0.7, negate=0.8)
    assert combine([], sharing, model) == [PracticeMatch("third_party_sharing", "affirm")]
    # a negated or conditional sentence: its denial is the clause structure's to read, or nobody's
    assert combine([], sharing, model, context=context(plain=False)) == []
    assert combine([], row(contact=0.9), model, context=context(plain=False)) == [PracticeMatch("contact", "affirm")]
    assert combine([], row(third_party_sharing=0.5), model) == []  # below `add`
    assert combine([], row(third_party_sharing=0.9), model, context=context(recipient=False)) == []


def test_the_model_alone_takes_the_polarity_of_its_structure_outputs() -> None:
    model = tiny_model()
    assert combine([], row(third_party_sharing=0.7, negate=0.8), model, "model",
                   context(plain=False)) == [PracticeMatch("third_party_sharing", "negate")]
    assert combine([], row(third_party_sharing=0.7, conditional=0.6, negate=0.55), model, "model") == [
        PracticeMatch("third_party_sharing", "conditional")]
    assert combine([], row(contact=0.9, negate=0.9), model, "model") == [PracticeMatch("contact", "affirm")]


def test_a_kept_rule_match_keeps_the_rules_polarity() -> None:
    rule = [PracticeMatch("third_party_sharing", "affirm")]
    assert combine(rule, row(third_party_sharing=0.9, conditional=0.9), tiny_model())[0].polarity == "affirm"


def test_face_practices_are_added_only_to_sentences_about_face_data() -> None:
    model = tiny_model()
    probabilities = row(face_collection=0.9)
    assert combine([], probabilities, model, context=context(face=True)) == [PracticeMatch("face_collection", "affirm")]
    assert combine([], probabilities, model, context=context(face=False)) == []
    assert combine([], probabilities, model, context=context(statement=False)) == []
    rule_face = [PracticeMatch("face_purpose", "affirm")]  # the rules read this sentence's face statements
    assert combine(rule_face, probabilities, model) == rule_face
    assert combine(rule_face, probabilities, model, "model") == [*rule_face, PracticeMatch("face_collection", "affirm")]


def test_sentence_context() -> None:
    text = "我们会采集您的人脸图像。上述信息仅用于门禁通行。我们会共享您的订单信息。该信息用于配送。\n面容ID由手机系统完成验证。敏感个人信息是指生物识别等信息。"
    bounds = sentence_bounds(text, "zh")
    assert len(bounds) == 6
    contexts = sentence_context(text, bounds, "zh")
    assert [c.face for c in contexts] == [True, True, False, True, False, True]  # "该信息" three sentences on
    assert [c.statement for c in contexts] == [True, True, True, True, True, False]
    assert [c.recipient for c in contexts] == [False, False, True, False, False, False]  # 共享


def test_sentence_context_plain() -> None:
    text = "我们会采集您的人脸图像。我们不会共享您的人脸图像。经您同意后，我们会向合作方提供您的信息。"
    assert [c.plain for c in sentence_context(text, sentence_bounds(text, "zh"), "zh")] == [True, False, False]


def test_the_hand_written_definition_and_device_sentences_gain_nothing() -> None:
    assert practices("人脸信息是指通过面部特征识别自然人身份的生物识别信息。") == {}
    # The phone's own face unlock: the app never gets the face, so the model adds no face collection to it.
    assert practices("面容ID由您的手机系统完成验证，我们不会获取您的面部信息。")["face_collection"] == "negate"


# --- features and the build script ------------------------------------------------------------------

def test_features_never_span_two_sentences_and_read_every_digit_as_zero() -> None:
    a = featurise("甲乙。丙", [(0, 3), (3, 4)], (2,), 1 << 10)
    assert list(a.sentence) == [0, 0]  # 甲乙, 乙。 — not 。丙
    b = featurise("电话123", [(0, 5)], (1, 2, 3), 1 << 16)
    c = featurise("电话907", [(0, 5)], (1, 2, 3), 1 << 16)
    assert sorted(b.bucket) == sorted(c.bucket)


OWN_TRAIN = [
    ("您可以拨打客服电话与我们联系。", {"contact": "affirm"}),
    ("如有疑问，请发送邮件至help@example.cn联系我们。", {"contact": "affirm"}),
    ("您可以通过热线电话400-000-0000联系我们。", {"contact": "affirm"}),
    ("联系我们：privacy@example.cn。", {"contact": "affirm"}),
    ("您也可以写信至本公司联系我们。", {"contact": "affirm"}),
    ("我们会将您的信息提供给合作伙伴。", {"third_party_sharing": "affirm"}),
    ("我们不会与第三方共享您的信息。", {"third_party_sharing": "negate"}),
    ("经您同意后，我们会向第三方提供您的信息。", {"third_party_sharing": "conditional"}),
    ("您的信息会提供给物流公司。", {"third_party_sharing": "affirm"}),
    ("我们可能与关联公司共享您的信息。", {"third_party_sharing": "affirm"}),
    ("本小区停车位按月收费。", {}),
    ("物业服务中心每日八点开门。", {}),
    ("今天天气很好。", {}),
    ("本政策自发布之日起生效。", {}),
]
OWN_DEV = [("请拨打客服电话联系我们。", {"contact": "affirm"}), ("小区每日八点开门。", {})]


def tiny_build(folder: Path) -> dict:
    rows = [{"lang": "zh", "split": "train", "text": t, "labels": l} for t, l in OWN_TRAIN]
    rows += [{"lang": "zh", "split": "dev", "text": t, "labels": l} for t, l in OWN_DEV]
    folder.mkdir(parents=True)
    data = folder / "own.jsonl"
    data.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    return build_script.build(*build_script.file_data(data), folder / "model")


def test_the_build_script_is_deterministic_and_its_model_learns(tmp_path: Path) -> None:
    first = tiny_build(tmp_path / "a")
    second = tiny_build(tmp_path / "b")
    assert (tmp_path / "a" / "model" / ARTEFACT).read_bytes() == (tmp_path / "b" / "model" / ARTEFACT).read_bytes()
    assert first["artefact_sha256"] == second["artefact_sha256"]
    entry = first["languages"]["zh"]
    assert entry["outputs"] == ["third_party_sharing", "contact", *STRUCTURE]  # a practice needs five sentences
    assert entry["training_counts"]["contact"] == 5 and entry["training_counts"]["negate"] == 1
    model = load_model("zh", tmp_path / "a" / "model")
    text = "欢迎拨打客服电话联系我们。"
    [p] = model.probabilities(text, [(0, len(text))])
    assert p[model.outputs.index("contact")] > 0.5 > p[model.outputs.index("third_party_sharing")]


def test_the_build_script_says_when_the_corpus_is_absent(monkeypatch, capsys) -> None:
    monkeypatch.setattr(build_script, "corpus_present", lambda: False)
    monkeypatch.setattr(sys, "argv", ["build_practice_model.py"])
    build_script.main()
    assert "corpus not found" in capsys.readouterr().out
