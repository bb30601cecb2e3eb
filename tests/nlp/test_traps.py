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


def test_a_title_naming_face_rules_is_not_separate_consent() -> None:
    assert practices("人脸信息处理规则") == {}
    assert practices("开通刷脸前，请您阅读并同意《人脸信息处理规则》。")["face_separate_consent"] == "affirm"


def test_kept_only_on_the_device_is_local_storage_not_retention() -> None:
    found = practices("人脸特征值仅保存在本地。")
    assert found["face_local_storage"] == "affirm" and "face_retention" not in found
    assert practices("人脸特征值保存至您注销账号时。")["face_retention"] == "affirm"


def test_deleting_after_moving_out_is_retention_not_a_right() -> None:
    found = practices("业主迁出后，我们将删除其人脸信息。")
    assert found["face_retention"] == "affirm" and "rights_delete" not in found
    assert practices("您可以申请删除您的人脸信息。")["rights_delete"] == "affirm"


def test_a_service_centre_named_in_passing_is_no_processor_identity() -> None:
    assert "processor_identity" not in practices("门禁卡可到小区服务中心领取。")
    assert "processor_identity" in practices("我们是安居物业服务有限公司。")


def test_refusing_face_capture_without_loss_is_an_alternative_not_a_collection() -> None:
    found = practices("不同意采集人脸的，不影响您使用门禁卡开门。")
    assert "face_collection" not in found and found["face_alternative"] == "affirm"


def sdk_items(text: str) -> list[str] | None:
    found = [e for e in analyse_policy_text(text, uri="policy.txt")
             if e.kind == "policy.discloses" and e.key == "sdk_list"]
    return found[0].attrs["items"] if found else None


def test_an_sdk_list_needs_a_named_sdk_or_a_pointer() -> None:
    assert sdk_items("这些SDK可能会在您同意后收集您的部分设备信息。") is None  # no SDK named
    assert sdk_items("本应用采用成熟的开发框架和SDK进行开发。") is None
    assert sdk_items("我们接入的第三方SDK详见附件《第三方SDK清单》。") == []  # a pointer to the list
    assert sdk_items("我们会接入腾讯的SDK，以实现微信登录。") == ["腾讯SDK"]
    assert sdk_items("崩溃统计使用腾讯bugly SDK。") == ["腾讯bugly SDK"]


def test_deletion_rights_are_the_person_s_way_to_delete() -> None:
    assert practices("当您注销账户后，我们将删除您的全部个人信息。")["rights_delete"] == "affirm"  # GUIDE.md
    assert "rights_delete" not in practices("在以下情形中，我们将不会响应您提出的删除请求。")  # a denied cue
    assert "rights_delete" not in practices("对违规用户，平台有权注销其账号。")  # the processor cancels
    assert "rights_delete" not in practices("业主搬离小区后，我们将删除其通行记录。")  # a deletion point


@pytest.mark.parametrize("text", [
    "超出上述保存期限后，我们将删除您的个人信息。",  # the end of a retention period
    "通行记录保存三年，期满后自动删除。",
    "您关闭刷脸开门后，我们将删除您的人脸特征值。",  # what switching off does
    "您撤回同意后，我们将清除相关数据。",
    "因技术限制，我们可能无法立即从备份系统中删除相应信息。",  # what follows a deletion
    "我们将通知从我们这里获得您个人信息的主体，要求其及时删除。",
    "您的人脸信息将保存至您注销账号之日为止。",  # kept until cancelling: a retention period
    "如果您卸载或删除客户端，您的信息不会被删除。",  # an uninstall deletes nothing held
])
def test_a_deletion_point_is_not_the_right_to_delete(text: str) -> None:
    assert "rights_delete" not in practices(text)


@pytest.mark.parametrize("text", [
    "您可以申请删除您的个人信息。",
    "您可以在“设置”中关闭刷脸开门，并申请删除已录入的人脸。",  # a request beside the switch
    "如我们超出保存期限处理您的个人信息，您有权要求我们删除。",  # a right worded with a period
    "您可以通过“我的-账号注销”注销账号，注销后我们将删除您的个人信息。",
])
def test_the_way_to_ask_for_deletion_stays_a_right(text: str) -> None:
    assert practices(text).get("rights_delete") == "affirm"


def test_the_right_to_decline_states_no_collection() -> None:
    face = "我们会采集您的人脸照片用于实名认证。\n"
    declined = practices(face + "您有权拒绝向我们提供上述信息，也可以随时撤回您的授权同意。")
    assert declined.get("rights_withdraw") == "affirm"  # the withdrawal in the same sentence stays
    sentences = [e for e in analyse_policy_text(face + "您有权拒绝向我们提供上述信息。", uri="policy.txt")
                 if e.kind == "policy.discloses" and e.key == "face_collection"]
    assert [e.attrs["sentence"] for e in sentences] == ["我们会采集您的人脸照片用于实名认证。"]
    # an alternative offered to someone who does not want face login is no refusal notice
    assert practices("如您不想使用刷脸登录，仍可通过短信验证码登录。")["face_alternative"] == "affirm"


def test_switching_a_feature_off_is_a_way_to_withdraw() -> None:
    assert practices("若您不再需要刷脸登录，可在“设置-账号安全”中随时关闭。")["rights_withdraw"] == "affirm"
    assert practices("您可以要求我们停止推送营销短信。")["rights_withdraw"] == "affirm"
    assert "rights_withdraw" not in practices("如您严重违约，我们可以注销您的账号并终止服务。")  # the processor ends it
    assert "rights_withdraw" not in practices("功能关闭后，我们将停止处理相关信息。")  # what follows, not how


def test_a_row_of_an_sdk_table_is_an_sdk_not_the_processor() -> None:
    row = "支付服务 | 示例支付网络技术有限公司 | 设备信息\n"
    under_sdk = practices("附件一：第三方SDK清单\n" + row)
    assert under_sdk.get("sdk_list") == "affirm" and "processor_identity" not in under_sdk
    assert "sdk_list" not in practices("三、联系我们\n" + row)  # no SDK heading over it
    assert "processor_identity" in practices("本政策适用于示例物业服务有限公司提供的服务。")


@pytest.mark.parametrize("text", [
    "How we respond to Do Not Track disclosures.",
    "If you do not wish your information to be shared for these purposes, write to our privacy office.",
    "We have no control over how a third party site uses or discloses the information you give it.",
    "This privacy policy only addresses the use and disclosure of information we collect from you.",
    "You may share your reviews publicly on your profile page.",  # the person's own act
])
def test_english_sentences_about_disclosure_that_pass_nothing_on(text: str) -> None:
    assert "third_party_sharing" not in practices(text)


def test_english_sharing_by_the_processor_stays() -> None:
    assert practices("We share your order details with the courier that delivers your purchase.")[
        "third_party_sharing"] == "affirm"
    assert practices("We do not sell or rent your personal information to third parties.")[
        "third_party_sharing"] == "negate"


@pytest.mark.parametrize("text", [
    "我们可能将您的订单编号、用户名及联系方式与配送商家共享。",  # 用户 in 用户名 is a noun, not the actor
    "我们会把您的用户信息及设备信息提供给第三方推送服务商。",
    "我司仅会在下列情况下公开披露您的个人信息：",  # a lead-in that states the practice
])
def test_a_subject_word_inside_a_noun_does_not_take_the_act_from_the_processor(text: str) -> None:
    assert "third_party_sharing" in practices(text)


@pytest.mark.parametrize("text", [
    "用户可以选择与好友分享自己的照片。",  # the person's own act
    "三、我们如何共享、转让、公开披露您的个人信息",  # a heading
])
def test_the_persons_own_sharing_and_a_heading_stay_no_practice(text: str) -> None:
    assert "third_party_sharing" not in practices(text)


@pytest.mark.parametrize(("text", "practice"), [
    ("将来本应用如开展境外业务，确需向境外机构传输您的个人信息的，我们会遵守相关法规的规定。", "cross_border"),
    ("如果日后我们需要向合作方提供您的人脸信息，我们会提前告知您。", "third_party_sharing"),
    ("我们会请求您对向境外传输个人信息的同意，再进行传输。", "cross_border"),  # asked for consent first
    ("如果我们向境外传输，我们将征求您的自主选择同意。", "cross_border"),
])
def test_a_case_the_future_may_bring_or_consent_asked_first_is_conditional(text: str, practice: str) -> None:
    assert practices(text)[practice] == "conditional"


def test_a_present_or_denied_transfer_keeps_its_polarity() -> None:
    assert practices("以后我们会向境外传输您的个人信息。")["cross_border"] == "affirm"
    assert practices("我们将来也不会向境外传输您的个人信息。")["cross_border"] == "negate"
