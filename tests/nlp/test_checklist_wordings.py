"""Notice items (PIPL Art. 17/30) read from the wordings real policies use, and not from near-misses."""

import pytest

from scanner.extractors.policy_nlp import analyse_policy_text


def present_items(text: str) -> set[str]:
    return {e.key for e in analyse_policy_text(text, uri="policy.txt") if e.kind == "policy.checklist" and e.attrs["present"]}


def practices(text: str) -> set[str]:
    return {e.key for e in analyse_policy_text(text, uri="policy.txt") if e.kind == "policy.discloses"}


@pytest.mark.parametrize("text", [
    "个人信息处理者：安居物业服务有限公司。",
    "本应用由安居物业服务中心运营。",
    "我们是杭州安居物业，地址为杭州市西湖区文三路1号。",
])
def test_processor_identity_wordings(text):
    assert "processor_identity" in present_items(text)


def test_a_processor_is_not_read_from_a_plain_sentence():
    assert "processor_identity" not in present_items("我们会收集您的手机号用于登录。")


@pytest.mark.parametrize("text, present", [
    ("如有疑问，请发送邮件至 privacy@example-wuye.cn。", True),
    ("客服电话：400-123-4567。", True),
    ("联系地址：杭州市西湖区文三路1号。", True),
    ("如有疑问，请联系我们。", False),
    ("If you have questions, contact us.", False),
    ("We collect your phone number to log you in.", False),
    ("Write to us at privacy@example.com.", True),
])
def test_contact_needs_a_usable_channel(text, present):
    assert ("contact" in present_items(text)) is present


def test_separate_consent_by_request_wording():
    assert "face_separate_consent" in practices("在收集您的人脸信息前，我们将单独征求您的同意。")
    assert "face_separate_consent" not in practices("在收集您的人脸信息前，我们将征求业主大会的同意。")


@pytest.mark.parametrize("text, present", [
    ("人脸识别是核验业主身份的必要手段。", True),
    ("处理人脸信息对您的影响：人脸信息一旦泄露，可能危害您的人身和财产安全。", True),
    ("我们会收集您的人脸信息用于门禁通行。", False),
])
def test_necessity_and_impact_of_face_processing(text, present):
    assert ("sensitive_necessity" in present_items(text)) is present


@pytest.mark.parametrize("text, policy_like", [
    ("某物业隐私政策\n我们会收集您的手机号。", True),
    ("Privacy Notice. We collect your e-mail address.", True),
    ("我们会与第三方共享您的设备信息。您可以通过设置删除您的个人信息。如需撤回同意，请在设置中关闭授权。", True),  # three practices
    ("我们不会向第三方共享您的信息；您可以删除您的个人信息。", False),  # two are not enough
    ("随手拍 1.0\n一款简单的拍照应用。", False),
    ("About this app: version 1.0. Made with care.", False),
])
def test_a_document_reads_as_a_policy(text, policy_like):
    [document] = [e for e in analyse_policy_text(text, uri="doc.txt") if e.kind == "policy.document"]
    assert document.attrs["policy_like"] is policy_like


@pytest.mark.parametrize("text, stated", [
    ("We retain your account information indefinitely.", True),
    ("Session cookies are deleted when the browser window is closed.", True),
    ("Deleted content may remain in back-up storage for some period of time.", True),
    ("We keep your order history for 3 years.", True),
    ("We store cookies on your device to remember your language.", False),
    ("You may delete your account from the settings page.", False),
])
def test_english_retention_wordings(text, stated):
    assert ("retention" in practices(text)) is stated
