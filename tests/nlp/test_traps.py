"""The meaning flippers that must come out right (definitions, negation, conditions), through the public extractor API."""

from __future__ import annotations

import pytest

from scanner.extractors.policy_nlp import analyse_policy_text


def practices(text: str) -> dict[str, str]:
    evidence = analyse_policy_text(text, uri="policy.txt")
    return {e.key: e.attrs["polarity"] for e in evidence if e.kind == "policy.discloses"}


def test_definition_list_is_not_face_collection() -> None:
    assert "face_collection" not in practices("敏感个人信息包括生物识别信息、人脸信息、金融账户信息等。")
    # positive counterpart: a first-person practice naming the same category
    assert practices("我们收集的敏感个人信息包括您的人脸信息。")["face_collection"] == "affirm"


def test_we_do_not_collect_face_is_negated() -> None:
    assert practices("我们不会收集您的人脸信息。")["face_collection"] == "negate"
    assert practices("我们会收集您的人脸信息。")["face_collection"] == "affirm"


def test_unless_separate_consent_is_conditional() -> None:
    found = practices("除非取得您的单独同意，我们不会收集您的人脸信息。")
    assert found["face_collection"] == "conditional"
    assert found["face_separate_consent"] == "affirm"


def test_not_the_sole_method_is_an_alternative_not_a_negation() -> None:
    found = practices("我们不将人脸识别作为唯一验证方式。")
    assert found["face_alternative"] == "affirm"
    assert found["face_collection"] == "affirm"
    assert practices("刷脸是进入小区的唯一方式。")["face_alternative"] == "negate"


def test_owners_assembly_consent_is_not_individual_consent() -> None:
    found = practices("经业主大会同意，小区启用人脸识别门禁。")
    assert "face_separate_consent" not in found
    assert found["face_collection"] == "affirm"  # not conditional: no individual consent involved
    assert practices("经您本人单独同意后，我们才会录入您的人脸信息。")["face_separate_consent"] == "affirm"


@pytest.mark.parametrize("text", [
    "We use Face ID to verify payments on our servers.",
    "We use FACE ID to verify payments on our servers.",
    "We collect facial geometry from your selfie.",
    "We store a faceprint of every resident.",
])
def test_english_face_cues_in_any_casing(text: str) -> None:
    assert practices(text)["face_collection"] == "affirm"


def test_surface_is_not_face() -> None:
    assert not any(p.startswith("face_") for p in practices("We collect usage data from Surface devices."))
