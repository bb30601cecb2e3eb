"""The clause analyser (scanner/nlp/clauses.py) and the policy reader built on it: negation scope over
coordinated verbs, conditions, subjects, non-statements, and the sentence families they decide."""

from __future__ import annotations

from importlib import resources

import pytest
import yaml

from scanner.extractors.policy_nlp import analyse_policy_text, practice_answers
from scanner.nlp.clauses import (
    CONSENT,
    DECLINED,
    DEFERRED,
    DEFINITION,
    DEVICE,
    EXAMPLE,
    EXCEPTION,
    FEATURE_MENU,
    HEADING,
    PROCESSOR,
    QUESTION,
    REFUSAL,
    STATEMENT,
    UPDATE,
    analyse_sentence,
)
from scanner.nlp.lexicon import _compile
from scanner.nlp.pipelines import find_practices


def practices(text: str) -> dict[str, str]:
    evidence = analyse_policy_text(text, uri="policy.txt")
    return {e.key: e.attrs["polarity"] for e in evidence if e.kind == "policy.discloses"}


def face(text: str) -> dict[str, str]:
    return {k: v for k, v in practices(text).items() if k.startswith("face_")}


# --- the clause analysis itself ---------------------------------------------------------------

def test_a_coordinated_verb_group_is_one_clause_under_one_negation() -> None:
    text = "我们不会收集、存储或上传您的人脸信息。"
    clauses = analyse_sentence(text, "zh")
    assert len(clauses.clauses) == 1
    assert all(clauses.negated(text.index(verb)) for verb in ("收集", "存储", "上传"))
    assert not analyse_sentence("我们会收集、存储或上传您的人脸信息。", "zh").negated(text.index("上传"))


def test_a_negation_stops_at_its_clause_and_at_a_scope_reset() -> None:
    text = "我们收集您的人脸照片，但不会上传至服务器。"
    clauses = analyse_sentence(text, "zh")
    assert not clauses.negated(text.index("收集")) and clauses.negated(text.index("上传"))
    reset = "我们不存储原始图像而仅保存特征值。"
    assert not analyse_sentence(reset, "zh").negated(reset.index("保存"))


@pytest.mark.parametrize(("text", "denied", "stated"), [
    ("我们不会永久保存您的人脸图像。", "永久", "保存"),
    ("我们不会将您的人脸信息长期保存。", "长期", "保存"),
    ("我们不会超出身份核验的目的使用您的人脸信息。", "超出", "使用"),
    ("我们不会收集、永久保存您的人脸信息。", "收集", "保存"),
    ("We will not permanently store your face data.", "permanently", "store"),
])
def test_a_negated_extent_denies_the_extent_not_the_verb_after_it(text: str, denied: str, stated: str) -> None:
    clauses = analyse_sentence(text, "en" if text.isascii() else "zh")
    assert clauses.negated(text.index(denied)) and not clauses.negated(text.index(stated))


def test_storing_not_forever_is_neither_a_denial_of_retention_nor_a_period() -> None:
    read = face("我们不会永久保存您的人脸图像。")
    assert read == {}  # keeping states no collection (GUIDE.md) and no period: FACE-004 still finds none
    assert face("我们不会将您的人脸信息长期保存，核验完成后即删除。")["face_retention"] == "affirm"
    assert face("我们不会收集、存储您的人脸信息。")["face_retention"] == "negate"


@pytest.mark.parametrize("text", [
    "为防范欺诈，我们会参考合作方依照法规共享的信息。",
    "二、从新闻报道等合法公开披露的信息中获取的资料。",
    "我们会核验您在第三方平台分享的内容是否合规。",
    "物流合作方会向我们分享您的收货记录，以便处理售后问题。",  # passed to the processor
])
def test_a_verb_that_describes_information_others_handled_is_no_sharing(text: str) -> None:
    assert "third_party_sharing" not in practices(text)


@pytest.mark.parametrize("text", [
    "我们向第三方共享的信息仅限于完成配送所必需的订单信息。",  # the processor shares: 向第三方 is the recipient
    "我们会与合作伙伴共享您的订单信息。",
    "对我们与之共享个人信息的公司，我们会与其签署保密协议。",
    "我们会将您的订单信息同步给合作的物流公司。",
    "当您开通刷脸入住时，认证服务商将读取您的面部特征信息。",  # the cue opens with its own subject, not the person
    "公司名称：上海云帆信息技术有限公司 使用目的：消息推送 收集数据类型：设备信息；",  # a third party's entry on one line
])
def test_the_processor_s_own_sharing_stays_sharing(text: str) -> None:
    assert practices(text)["third_party_sharing"] == "affirm"


@pytest.mark.parametrize("text", [
    "请您谨慎考虑是否在使用本服务时公开分享您的照片。",  # the person's own act
    "您通过本平台向其他用户提供的共享信息，可能被他人保存。",  # 本平台 after 通过 is no subject; 共享信息 a noun
    "我们可能从第三方获取您授权的账户信息。",  # received from a third party
    "我们可能自合作伙伴处获得您的会员等级。",
    "如您提出请求，我们可以把您的数据副本发送至您选择的其他服务提供者。",  # portability: the person directs it
    "请您慎重考虑，是否在使用我们的产品时公开您的行程记录或披露您的敏感个人信息。",  # 我们的: a possessive, no actor
    "我们采用加密技术，防止您的信息遭到未经授权的访问、公开披露或篡改。",  # a security harm
    "您同意我们可以将本协议转让给我们的关联公司。",  # the agreement, not personal information
    "您不得将账号转让给他人使用。",  # the account itself
    "4. 我们如何共享、转让、公开披露您的个人信息；",  # a contents line
    "请阅读本政策，了解我们收集、使用和共享您的信息时的具体做法。",  # an overview
    "我们的公司名称：云帆科技，我们收集的信息：手机号。",  # the processor's own fields
])
def test_the_person_s_own_sharing_and_data_received_are_no_sharing(text: str) -> None:
    assert "third_party_sharing" not in practices(text)


@pytest.mark.parametrize("text, polarity", [
    ("您授权我们向合作银行提供您的身份证号码。", "affirm"),  # the person hands the act to the processor
    ("您的个人信息可能会被共享给我们的关联公司。", "affirm"),  # 您的: the owner of the data, not the actor
    ("应监管部门要求，我们会向有关行政机关提供相关证据资料。", "affirm"),
    ("我们将委托外部供应商对您的手机号进行验证。", "affirm"),
    ("技术合作方会向我们的用户收集设备信息，用于统计分析。", "affirm"),  # collected directly by a third party
    ("我们会把您的订单信息发送至合作的物流服务商。", "affirm"),
    ("我们的网页上可能有广告主或合作伙伴设置的Cookie，用于统计广告效果。", "affirm"),  # partners' own cookies
    ("我们的合作伙伴会收集您的设备信息。", "affirm"),  # 我们的 is no subject: the partner acts
    ("实名信息由认证机构核验后，我们只保存核验结果。", "affirm"),
    ("为保护用户或公众的人身安全，我们可能依据法律法规披露您的账户信息。", "conditional"),
    ("在法律法规允许的范围内，为维护公众利益而有必要披露您的个人信息。", "conditional"),
    ("我们只会在法律允许、监护人明确同意或保护儿童所必要的情况下使用、共享或披露儿童的个人信息。", "conditional"),
    ("在您选择不开通本服务时，我们不会将您的账号信息与合作伙伴共享。", "conditional"),  # shared once enabled
    ("我们不会将您的账号信息转让给第三方。", "negate"),  # the account's information, not the account
    ("我们仅会向您授权的第三方共享您的订单信息。", "affirm"),  # consented recipients: no portability
    ("●经您同意，向第三方披露；", "conditional"),
    ("依照法律法规或监管机构的强制性要求，我们可能会公开披露您的个人信息。", "conditional"),  # public disclosure by law
    ("我们可能会根据法律法规规定，或按主管部门的强制性要求，对外提供您的个人信息。", "affirm"),  # to authorities
    ("我们的业务发展中有可能进行合并、收购或资产转让，您的个人信息可能随之转移。", "conditional"),
    ("我们仅会在以下情况下，且采取严格的安全措施后，才会公开披露您的个人信息：", "conditional"),
])
def test_sharing_families_by_actor_and_condition(text: str, polarity: str) -> None:
    assert practices(text)["third_party_sharing"] == polarity


def test_a_device_biometric_pair_still_gives_the_face_to_the_processor() -> None:
    given = face("当您在本应用中使用指纹、刷脸功能进行登录或支付时，需向我们提供您的指纹、人脸图像信息。")
    assert given["face_collection"] == "affirm"
    # the phone maker's own check, and the processor's denial of keeping anything of it
    device = face("人脸识别功能由手机终端提供商处理，我们不留存您使用该功能产生的信息。")
    assert device["face_collection"] == "negate" and device["face_retention"] == "negate"
    assert "face_collection" not in face("您可以使用指纹或面容解锁登录本应用。")


def test_items_of_a_list_of_exceptions_are_conditional() -> None:
    text = ("根据法律法规，以下情形中，我们可能会向境外提供您的个人信息而无需征得您的同意：\n"
            "1、与国家安全有关的；\n"
            "3、您通过本应用预订海外酒店，我们需要把入住人姓名发送给境外酒店的。\n"
            "我们会将您的账户信息传输至境外。")
    _, hits = find_practices(text, "zh")
    item = text.index("3、")
    by_start = {hit.start: {m.practice: m.polarity for m in hit.matches} for hit in hits}
    assert by_start[item]["cross_border"] == "conditional"
    assert by_start[text.index("我们会将")]["cross_border"] == "affirm"  # the list has ended


def test_a_numbered_list_without_an_exception_lead_in_stays_affirm() -> None:
    text = "我们会在以下场景处理您的信息：\n1、您使用跨境购物服务时，我们会将订单信息传输至境外的商家。"
    _, hits = find_practices(text, "zh")
    assert {m.practice: m.polarity for hit in hits for m in hit.matches}["cross_border"] == "affirm"


@pytest.mark.parametrize(("polite", "plain"), [
    ("您可以在设置中删除您的个人信息。", "你可以在设置中删除你的个人信息。"),
    ("第三方认证机构需要您提供面部特征值信息。", "第三方认证机构需要你提供面部特征值信息。"),
    ("我们不会收集、存储您的人脸信息。", "我们不会收集、存储你的人脸信息。"),
])
def test_the_second_person_reads_alike_in_either_spelling(polite: str, plain: str) -> None:
    assert practices(plain) == practices(polite) != {}


def test_items_a_definition_splits_off_with_semicolons_are_part_of_it() -> None:
    text = "本政策所称的敏感个人信息包括：银行账户；人脸照片；精确位置。\n我们会收集您的人脸照片；用于身份核验。"
    _, hits = find_practices(text, "zh")
    first_line = text.index("\n")
    assert not [hit for hit in hits if hit.start < first_line]  # items of the category list state nothing
    assert any(m.practice == "face_collection" for hit in hits for m in hit.matches if hit.start > first_line)


@pytest.mark.parametrize("text", [
    "刷脸数据只在手机本地参与比对，我们不会收集这些数据。",
    "开启护眼提醒后，应用不会收集您的面部信息。",
])
def test_a_denied_obtaining_outweighs_use_on_the_device(text: str) -> None:
    assert face(text)["face_collection"] == "negate"


def test_use_on_the_device_alone_is_still_collection() -> None:
    assert face("人脸识别在您的设备本地完成，我们不会上传您的人脸图像。")["face_collection"] == "affirm"
    assert face("我们会采集您的人脸照片，但不会上传至服务器。")["face_collection"] == "affirm"


@pytest.mark.parametrize("text", [
    "当您开启该附加功能时，我们会采集您的面部特征。",
    "在您参与线上面签的过程中，我们会录制并保存您的人脸影像。",
    "我们处理您的面部图像，是基于反洗钱监管规定以及防范账户盗用之需要。",  # 基于…之需要
])
def test_the_scene_of_a_sentence_is_the_purpose_of_its_face_data(text: str) -> None:
    assert face(text)["face_purpose"] == "affirm"


def test_a_face_sentence_with_no_scene_or_purpose_states_none() -> None:
    assert "face_purpose" not in face("我们会收集您的人脸信息。")


def test_the_field_lines_of_an_sdk_list_entry_continue_the_entry() -> None:
    text = ("腾讯云人脸核身SDK\n使用目的：实名认证\n官网链接：https://cloud.tencent.com/\n"
            "如您对本政策有疑问，可以与我们联系。\n官方网站：https://www.example.cn/")  # the list has ended
    _, hits = find_practices(text, "zh", reader="rules")
    listed = [text[hit.start:hit.end] for hit in hits if any(m.practice == "sdk_list" for m in hit.matches)]
    # the purpose field stays in the entry but names no SDK (the CA4P labels and the written documents agree)
    assert listed == ["腾讯云人脸核身SDK", "官网链接：https://cloud.tencent.com/"]


@pytest.mark.parametrize("text", [
    "我们仅在如下几种情况下对外提供您的个人信息：",
    "除法律法规另有规定外，我们不会公开披露您的位置信息。",
    "当本公司发生合并或被收购时，您的账户信息可能随之转让给新的运营方。",
])
def test_only_in_these_cases_and_save_as_provided_are_conditions(text: str) -> None:
    _, hits = find_practices(text, "zh", reader="rules")  # the clause structure itself
    assert {m.practice: m.polarity for hit in hits for m in hit.matches}["third_party_sharing"] == "conditional"


def test_besides_is_no_exception() -> None:
    assert practices("除上述信息外，我们还会与合作伙伴共享您的订单信息。")["third_party_sharing"] == "affirm"


def test_an_upload_of_other_media_in_its_own_clause_is_no_face_upload() -> None:
    text = "您可以开启相机拍摄照片或视频上传至动态，另外，经您同意后可使用人脸识别进行登录。"
    assert "face_cloud_upload" not in face(text)
    assert face("我们会采集您的人脸照片，并上传至服务器进行比对。")["face_cloud_upload"] == "affirm"


def test_the_data_field_of_an_sdk_entry_is_what_its_provider_collects() -> None:
    text = "一、活体检测SDK\n提供方：示例智能科技公司\n收集的个人信息：人脸照片、设备型号\n\n二、消息推送SDK\n收集数据类型：设备信息"
    _, hits = find_practices(text, "zh", reader="rules")
    by_line = {text[hit.start:hit.end]: {m.practice for m in hit.matches} for hit in hits}
    assert {"third_party_sharing", "face_collection", "face_cloud_upload"} <= by_line["收集的个人信息：人脸照片、设备型号"]
    assert "third_party_sharing" in by_line["收集数据类型：设备信息"]
    assert not by_line["收集数据类型：设备信息"] & {"face_collection", "face_cloud_upload"}
    # outside an SDK entry the same field states nothing of a third party
    _, alone = find_practices("收集的个人信息：人脸照片、设备型号", "zh", reader="rules")
    assert "third_party_sharing" not in {m.practice for hit in alone for m in hit.matches}


def test_a_table_row_naming_the_receiving_company_is_sharing_and_for_face_data_upload() -> None:
    row = "| 刷脸核验身份 | 面部图像 | 示例数据服务有限公司 |"
    assert {"third_party_sharing", "face_cloud_upload"} <= set(practices(row))
    assert "third_party_sharing" not in practices("| 设备型号 | 手机品牌 | 操作系统版本 |")  # no company named


@pytest.mark.parametrize("text", ["我们收集的信息包括但不限于人脸图像。", "您不同意时可以拒绝。", "未满十四周岁的用户需要监护人陪同。"])
def test_look_alikes_of_negation_negate_nothing(text: str) -> None:
    clauses = analyse_sentence(text, "zh")
    assert not any(c.negations for c in clauses.clauses)


def test_conditions_and_their_reach() -> None:
    text = "除非取得您的单独同意，我们不会收集您的人脸信息。"
    assert analyse_sentence(text, "zh").condition_at(text.index("收集")) == EXCEPTION
    closing = "我们不会向第三方提供您的人脸信息，除非取得您的单独同意。"
    assert analyse_sentence(closing, "zh").condition_at(closing.index("提供")) == EXCEPTION
    first = "在征得您的同意后，我们会共享您的信息。"
    assert analyse_sentence(first, "zh").condition_at(first.index("共享")) == CONSENT
    later = "如需收集您的人脸信息，我们将另行征得您的同意。"
    assert analyse_sentence(later, "zh").condition_at(later.index("收集")) == DEFERRED
    # a condition in a later clause does not reach back over the processor's own statement
    own = "我们会采集您的人脸照片，未经您同意不会提供给第三方。"
    assert analyse_sentence(own, "zh").condition_at(own.index("采集")) == ""


@pytest.mark.parametrize("text, supposed, done", [
    ("如您不愿意进行刷脸核验，也可以携带身份证到前台办理。", "刷脸核验", "携带"),
    ("若人脸比对连续失败，闸机会提示您改用门禁卡。", "比对", "提示"),
    ("您拒绝刷脸的，可由管家查验您的证件。", "刷脸", "查验"),
    ("人脸录入未成功时，请联系物业人工登记。", "录入", "联系"),
])
def test_a_declined_or_failed_case_covers_its_own_clause_only(text: str, supposed: str, done: str) -> None:
    clauses = analyse_sentence(text, "zh")
    assert clauses.condition_at(text.index(supposed)) == DECLINED
    assert clauses.condition_at(text.index(done)) != DECLINED


def test_an_agreed_case_is_no_declined_one() -> None:
    text = "若您同意开通刷脸门禁，我们会采集您的人脸照片。"
    clauses = analyse_sentence(text, "zh")
    assert DECLINED not in {c.condition for c in clauses.clauses}


def test_subjects_are_named_or_carried() -> None:
    text = "您使用系统自带的面容解锁时，验证在设备上完成，我们只获得验证结果。"
    clauses = analyse_sentence(text, "zh")
    assert clauses.subject_at(0) == DEVICE
    assert clauses.subject_at(text.index("验证在")) == DEVICE  # carried: the clause names none
    assert clauses.subject_at(text.index("获得")) == PROCESSOR
    assert clauses.result_only


@pytest.mark.parametrize(("text", "kind"), [
    ("敏感个人信息是指一旦泄露可能危害人身安全的个人信息。", DEFINITION),
    ("本规则所称的敏感个人信息包括护照号码、指纹、病历资料等。", DEFINITION),
    ("五、我们如何保护未成年人的信息", HEADING),
    ("人脸信息处理规则", HEADING),
    ("我们会收集哪些信息？", QUESTION),
    ("本政策向您说明我们如何收集、使用和共享您的个人信息。", QUESTION),
    ("例如：门禁设备会识别到访人员。", EXAMPLE),
    ("如您拒绝提供人脸信息，将无法使用刷脸开门功能。", REFUSAL),
    ("本政策更新后您继续使用我们的服务，即视为您同意更新后的政策。", UPDATE),
    ("我们收集的敏感个人信息包括您的人脸照片。", STATEMENT),  # a first-person verb: not a definition
    ("例如我们会委托服务商完成人脸识别。", STATEMENT),
    ("我们会采集您的人脸图像，如您拒绝，将无法使用刷脸开门。", STATEMENT),  # stated before the refusal
])
def test_sentence_kinds(text: str, kind: str) -> None:
    assert analyse_sentence(text, "zh").kind == kind


def test_english_gets_the_same_structure() -> None:
    text = "We do not collect, store or share your face data."
    clauses = analyse_sentence(text, "en")
    assert all(clauses.negated(text.index(verb)) for verb in ("collect", "store", "share"))
    unless = "We do not share your face data unless you consent."
    assert analyse_sentence(unless, "en").condition_at(unless.index("share")) == EXCEPTION
    assert analyse_sentence("Biometric data means data about your face.", "en").kind == DEFINITION
    assert analyse_sentence("What do we collect?", "en").kind == QUESTION


def test_the_component_aligns_one_analysis_with_each_sentence() -> None:
    text = "我们会收集您的人脸信息。\n我们不会上传您的人脸信息。"
    doc, _ = find_practices(text, "zh")
    assert len(doc._.fangcun_clauses) == len(doc._.fangcun_sentences) == 2
    assert [c.text for c in doc._.fangcun_clauses] == [text[s:e] for s, e in doc._.fangcun_sentences]


def test_word_tokens_and_character_tokens_read_alike() -> None:
    text = "我们不会收集、存储或上传您的人脸信息。除非取得您的单独同意，我们不会向第三方提供您的人脸信息。"
    by_characters = [h.matches for h in find_practices(text, "zh")[1]]
    by_words = [h.matches for h in find_practices(text, "zh", pipeline="zh_jieba")[1]]
    assert by_characters == by_words


# --- the sentences the reader must get right ------------------------------------------------------

def test_we_do_not_collect_or_store_negates_every_verb() -> None:
    found = practices("我们不会收集、存储您的人脸信息。")
    assert found["face_collection"] == "negate" and found["face_retention"] == "negate"
    found = practices("我们亦不会回传、储存或共享您的面部特征值。")
    assert {found[p] for p in ("face_retention", "face_cloud_upload", "third_party_sharing")} == {"negate"}
    assert "face_collection" not in found  # sending, keeping and sharing deny no collection (GUIDE.md)
    # positive counterpart: the same group affirmed
    found = practices("我们会收集、存储您的人脸信息。")
    assert found["face_collection"] == "affirm" and "face_retention" not in found  # no period stated


def test_a_negation_in_one_conjunct_does_not_spread() -> None:
    found = practices("我们收集您的人脸照片，但不会上传至服务器。")
    assert found["face_collection"] == "affirm" and found["face_cloud_upload"] == "negate"


def test_a_sensitive_information_definition_states_nothing() -> None:
    assert practices("本政策所称敏感个人信息，是指生物识别（如面部特征）、金融账户、行踪轨迹以及不满十四周岁未成年人的个人信息。") == {}
    assert practices("我们会收集您的面部特征用于实名认证。")["face_collection"] == "affirm"


@pytest.mark.parametrize("text", [
    "为完成实名核验，我们会将您的人脸照片提供给第三方认证服务机构进行比对。",
    "我们会委托公安部身份核验服务核验您的人脸照片。",
    "我们会将您的人脸图像与公安权威数据源比对。",
    "我们将联网核查您的人脸信息。",
])
def test_transfer_to_a_checking_provider_is_upload_and_sharing(text: str) -> None:
    found = practices(text)
    assert found["face_cloud_upload"] == "affirm" and found["third_party_sharing"] == "affirm"


def test_an_sdk_may_run_on_the_device_so_naming_it_is_no_upload() -> None:
    found = practices("您的人脸图像将提供给人脸核身SDK进行比对。")
    assert "face_cloud_upload" not in found and found["face_collection"] == "affirm"


@pytest.mark.parametrize("text", [
    "您使用系统自带的面容解锁时，验证在设备上完成，我们只获得验证结果。",
    "面容ID由您的手机系统完成验证，我们不会获取您的面部信息。",
    "开启指纹/面容登录后，我行仅接收验证结果，并不收集您的面容信息，其信息仅在您的设备上保存和处理。",
])
def test_system_biometrics_the_app_only_gets_a_result_of(text: str) -> None:
    found = face(text)
    assert found["face_collection"] == "negate" and found["face_local_storage"] == "affirm"
    assert "face_cloud_upload" not in found and "face_retention" not in found


def test_the_app_s_own_face_processing_on_the_device_is_collection() -> None:
    found = face("我们会在本地识别您的面部特征以实现美颜效果。")
    assert found["face_collection"] == "affirm" and found["face_local_storage"] == "affirm"


@pytest.mark.parametrize("text", [
    "您的面部图像仅用于本次核验，核验完成后立即删除，不会留存。",
    "核验后即删除您的人脸照片。",
    "您的人脸图像在不再使用后删除。",
    "您迁出小区或注销账号后，我们将删除您的人脸信息。",
])
def test_retention_worded_as_a_deletion_point(text: str) -> None:
    found = practices(text)
    assert found["face_retention"] == "affirm"
    assert "rights_delete" not in found  # what the processor does after moving out, not a right used


def test_the_person_deleting_is_a_right_not_a_retention_point() -> None:
    found = practices("您可以在设置中申请删除您的人脸信息。")
    assert found["rights_delete"] == "affirm" and "face_retention" not in found


@pytest.mark.parametrize(("text", "practice"), [
    ("您的人脸特征值仅保存在本地设备中。", "face_local_storage"),
    ("人脸信息仅在服务端存储。", "face_cloud_upload"),
])
def test_a_storage_place_is_not_retention(text: str, practice: str) -> None:
    found = practices(text)
    assert found[practice] == "affirm" and "face_retention" not in found


def test_a_denial_of_storing_answers_retention_but_not_collection() -> None:
    found = practices("我们不会留存您的人脸图像。")
    assert found["face_retention"] == "negate" and "face_collection" not in found
    assert "face_retention" not in practices("我们不会永久保存您的人脸图像。")  # only "forever" is denied


def test_consent_first_is_collection_and_a_later_case_is_conditional() -> None:
    found = face("在征得您的单独同意后，我们会采集您的人脸图像。")
    assert found == {"face_collection": "affirm", "face_separate_consent": "affirm"}
    assert face("如需收集您的人脸信息，我们将另行征得您的单独同意。")["face_collection"] == "conditional"
    assert practices("未经您同意，我们不会与第三方共享您的个人信息。")["third_party_sharing"] == "conditional"
    assert practices("我们不会与任何第三方共享您的个人信息。")["third_party_sharing"] == "negate"


def test_separate_consent_whose_pronoun_points_to_the_sentence_before() -> None:
    found = practices("我们会采集您的人脸照片用于门禁通行。对此，我们会单独征得您的同意。")
    assert found["face_separate_consent"] == "affirm"
    # without a face sentence before it, separate consent for "this" is not face consent
    assert "face_separate_consent" not in practices("我们会收集您的位置信息。对此，我们会单独征得您的同意。")


def test_a_refusal_that_offers_another_way_is_an_alternative_not_a_collection() -> None:
    found = face("如您不同意采集人脸信息，不影响您通过门禁卡等其他方式通行。")
    assert found == {"face_alternative": "affirm"}
    assert face("如您拒绝提供人脸信息，将无法使用刷脸开门功能。") == {}


def test_titles_and_headings_state_no_practice() -> None:
    assert practices("人脸信息处理规则") == {}
    assert "face_separate_consent" in practices("开通前，请您阅读并同意《人脸信息处理规则》。")
    assert "minors_guardian" not in practices("六、我们如何处理儿童的个人信息\n我们非常重视未成年人个人信息的保护。")
    assert practices("不满十四周岁的儿童使用本服务前，应取得其监护人的同意。")["minors_guardian"] == "affirm"


def test_a_service_centre_is_not_the_processor_s_identity() -> None:
    assert "processor_identity" not in practices("如有疑问，请联系物业服务中心。")
    assert "processor_identity" in practices("本应用由安居物业服务中心运营。")


@pytest.mark.parametrize("text", [
    "我们会收集您的姓名、电子邮箱地址和电话号码。",
    "如何联系我们",
    "请通过本政策列明的联系方式联系我们。",
    "<https://www.example.com/sdk/privacy>",  # a link to another party's page is no channel to the processor
    "详细内容请访问 https://developer.example.com/agreement 了解该公司的隐私政策。",
])
def test_contact_needs_a_usable_channel(text: str) -> None:
    assert "contact" not in practices(text)


def test_contact_with_a_channel() -> None:
    assert practices("如有疑问，请发送邮件至 privacy@example.com 与我们联系。")["contact"] == "affirm"
    assert practices("客服电话：400-123-4567。")["contact"] == "affirm"
    assert practices("您可以通过 https://help.example.cn/feedback 向我们反馈意见。")["contact"] == "affirm"


@pytest.mark.parametrize("text", [
    "您撤回授权之后，我们会停止处理与该功能有关的数据。",
    "撤销同意后，刷脸登录将无法继续使用。",
])
def test_what_withdrawing_does_is_not_how_to_withdraw(text: str) -> None:
    assert "rights_withdraw" not in practices(text)


def test_how_to_withdraw_is_the_right() -> None:
    assert practices("您可以在“设置-隐私”中撤回您对我们的授权同意。")["rights_withdraw"] == "affirm"
    assert practices("除非您撤回同意，我们将持续推送营销信息，您可以随时退订。")["rights_withdraw"] == "affirm"


def test_a_denied_opt_out_states_no_way_to_withdraw() -> None:
    text = "Order confirmations are service messages: you cannot opt out of them."
    evidence = analyse_policy_text(text, uri="policy.txt", language="en")
    assert "rights_withdraw" not in {e.key for e in evidence if e.kind == "policy.discloses"}


def test_a_table_field_answered_no_denies_its_practice() -> None:
    assert practices("是否向第三方共享：否")["third_party_sharing"] == "negate"


# --- how sentence facts combine over a document ----------------------------------------------------

def test_the_strongest_sentence_answers_for_the_document() -> None:
    text = "我们不会收集您的人脸信息。\n开通刷脸开门时，我们会采集您的人脸图像。"
    _, hits = find_practices(text, "zh")
    polarity, span = practice_answers(hits)["face_collection"]
    assert polarity == "affirm" and text[span[0]:span[1]].startswith("开通")
    _, denials = find_practices("我们不会收集您的人脸信息。", "zh")
    assert practice_answers(denials)["face_collection"][0] == "negate"


def test_a_clear_negative_answers_the_retention_checklist_item() -> None:
    def retention_present(text: str) -> bool:
        evidence = analyse_policy_text(text, uri="policy.txt")
        return next(e for e in evidence if e.kind == "policy.checklist" and e.key == "retention").attrs["present"]

    assert retention_present("我们会采集您的人脸图像用于比对。我们不会留存您的人脸图像。")
    assert not retention_present("我们会采集您的人脸图像用于比对。")


@pytest.mark.parametrize("text", [
    "除刷脸外，您也可以使用门禁卡开门。",
    "刷脸登录之外，您还可以选择短信验证码登录。",
    "人脸识别无法通过时，可通过银行卡信息完成实名验证。",
    "如您不想使用指纹/刷脸登录，仍可通过其他方式进行登录。",
])
def test_an_alternative_offered_as_one(text: str) -> None:
    assert face(text)["face_alternative"] == "affirm"


@pytest.mark.parametrize("text", [
    "摄像头权限用于识别二维码、人脸识别和设置头像。",
    "您可使用二维码识别、身份证识别、人脸识别等服务。",
])
def test_a_means_listed_beside_face_use_is_no_alternative(text: str) -> None:
    assert "face_alternative" not in face(text)


def test_a_role_that_must_give_its_face_has_no_alternative() -> None:
    assert face("如果您是骑手用户，必须向我们提供姓名和面部识别特征。")["face_alternative"] == "negate"


@pytest.mark.parametrize("text", [
    "护眼模式会借助摄像头测算您的面部特征与屏幕的距离。该功能的运算在本地进行，我们不会上传到服务器。",
    "上述人脸数据只在您的手机本地使用。",
    "人脸特征值存储于设备本地。",
])
def test_the_device_as_the_place_of_face_processing(text: str) -> None:
    assert face(text)["face_local_storage"] == "affirm"


def test_a_device_in_a_permission_list_is_no_place_of_face_processing() -> None:
    assert "face_local_storage" not in face("上述功能需要您在您的设备中向我们开启相机、麦克风和Face ID权限。")


def test_a_denial_of_storing_with_an_exception_is_conditional_retention() -> None:
    found = face("我们会在本地获得您的面部特征值，除非征得您的同意，我们不会回传、储存或共享该信息。")
    assert found["face_retention"] == "conditional" and found["face_cloud_upload"] == "conditional"
    assert found["face_collection"] == "affirm" and found["face_local_storage"] == "affirm"
    assert face("我们不会以任何形式存储您的面部信息。")["face_retention"] == "negate"
    # a place denied is upload denied, not retention
    located = face("我们不会将您的人脸信息保存在服务器上。")
    assert located["face_cloud_upload"] == "negate" and "face_retention" not in located


@pytest.mark.parametrize(("text", "polarity"), [
    ("实名认证服务商将读取您的面部识别信息。", "affirm"),
    ("合作方需要对您的面部特征进行技术分析。", "affirm"),
    ("您提供的刷脸认证信息会进行加密传输。", "affirm"),
    ("我们仅获取人脸的位置，既不会存储也不会与第三方共享该信息。", "negate"),
])
def test_face_data_leaving_for_a_provider_or_kept_back(text: str, polarity: str) -> None:
    assert face(text)["face_cloud_upload"] == polarity


def test_uploading_an_avatar_beside_a_face_feature_is_no_face_upload() -> None:
    assert "face_cloud_upload" not in face("您可使用扫码支付、上传头像、刷脸认证等服务。")


def test_an_annex_title_is_a_heading() -> None:
    assert analyse_sentence("附件二：第三方SDK收集个人信息的情况", "zh").kind == HEADING
    assert analyse_sentence("附件中的第三方SDK会收集您的设备信息。", "zh").kind == STATEMENT


def english(text: str) -> dict[str, str]:
    evidence = analyse_policy_text(text, uri="policy.txt", language="en")
    return {e.key: e.attrs["polarity"] for e in evidence if e.kind == "policy.discloses"}


@pytest.mark.parametrize("text", [
    "We measure visits with Google Analytics cookies.",
    "Ads on this site are served through DoubleClick.",
    "Pages include the Facebook Like button and the AddThis sharing widget.",
])
def test_a_named_vendor_tool_in_running_text_is_an_sdk(text: str) -> None:
    assert english(text).get("sdk_list") == "affirm"


@pytest.mark.parametrize("text", [
    "You can sign in with your Facebook account.",
    "Our service providers host the site and send our newsletters.",
    "Read Google's privacy policy to learn how it handles data.",
])
def test_a_vendor_or_a_service_provider_alone_is_no_sdk(text: str) -> None:
    assert "sdk_list" not in english(text)


def test_other_companies_using_the_data_is_sharing() -> None:
    assert english("These companies may use information about your visits to show you ads.")[
        "third_party_sharing"] == "affirm"
    assert "third_party_sharing" not in english("We use information about your visits to improve our pages.")


def test_the_coppa_formula_states_no_guardian_practice() -> None:
    assert "minors_guardian" not in english("We do not knowingly collect personal information from children under 13.")
    assert english("We obtain verifiable parental consent before a child under 13 can register.")[
        "minors_guardian"] == "affirm"


@pytest.mark.parametrize(("text", "kind"), [
    ("《光影相机人脸信息处理规则》", HEADING),
    ("刷脸开门开通前特别提示", HEADING),
    ("本规则将帮助您了解以下内容：人脸信息的处理场景、比对方式与保存期限。", QUESTION),  # an overview
    ("目录：一、我们处理哪些人脸信息　二、我们如何保存人脸信息", QUESTION),
    ("本规则更新时，我们将通过弹窗提示您。", UPDATE),
    ("本App提供在线约课、刷脸入场、体态评估等功能。", FEATURE_MENU),
])
def test_titles_overviews_updates_and_feature_menus_state_no_practice(text: str, kind: str) -> None:
    assert analyse_sentence(text, "zh").kind == kind
    assert not {p for p in practices(text) if p.startswith("face_")}


@pytest.mark.parametrize("text", [
    "本应用提供人脸识别登录服务。",
    "我们会收集您的人脸、指纹、声纹等信息。",
    "我们提供刷卡、二维码、刷脸等多种开门方式，您可任选其一。",
])
def test_a_statement_beside_those_frames_stays_a_statement(text: str) -> None:
    assert analyse_sentence(text, "zh").kind == STATEMENT


def test_a_name_or_purpose_field_of_an_sdk_table_states_no_face_collection() -> None:
    assert "face_collection" not in face("1. SDK名称：某某活体检测SDK；")
    assert face("使用目的：刷脸开门；") == {"face_purpose": "affirm"}
    assert face("收集个人信息类型：面部图像；")["face_collection"] == "affirm"  # the field of what is collected
    assert face("用途：通过活体检测采集人脸图片，核验用户身份；")["face_collection"] == "affirm"


@pytest.mark.parametrize("text", [
    "如您不便刷脸，也可以携带身份证前往社区服务中心办理。",
    "若您不同意人脸抓拍，我们将改为人工核对您的预约信息。",
    "开通刷脸入园出于自愿，纸质门票和扫码入园等方式将继续保留。",
    "刷脸连续失败时，闸机将自动切换至扫码验证页面。",
    "如您不同意进行人脸识别，可以前往营业厅由工作人员人工核实身份。",
])
def test_another_way_named_by_what_the_person_does_instead(text: str) -> None:
    assert face(text)["face_alternative"] == "affirm"


@pytest.mark.parametrize("text", [
    "您可以前往社区服务中心领取门禁卡。",  # no face in it
    "我们会在服务中心前台为您录入人脸信息。",  # a place of face enrolment, no other way
])
def test_a_counter_or_a_card_without_a_face_way_to_replace_is_no_alternative(text: str) -> None:
    assert "face_alternative" not in face(text)


def test_a_provider_named_before_its_denied_verb_is_denied() -> None:
    found = face("该核身SDK不会收集、保存或上传您的人脸图像。")
    assert found["face_cloud_upload"] == "negate" and found["face_collection"] == "negate"
    assert face("该核身SDK会收集您的人脸图像用于比对。")["face_cloud_upload"] == "affirm"


def test_face_data_sent_abroad_is_cross_border_not_upload() -> None:
    found = practices("您的人脸信息不会传输至境外。")
    assert found.get("cross_border") == "negate" and "face_cloud_upload" not in found
    assert face("人脸图像会加密传输至我们位于境内的服务器。")["face_cloud_upload"] == "affirm"


def test_keeping_only_the_result_of_a_face_check_denies_keeping_face_data() -> None:
    assert face("我们仅保存核验是否通过的结果及核验时间，不保存您的面部图像。")["face_retention"] == "negate"
    assert face("我们会保存您的人脸图像及核验结果6个月。")["face_retention"] == "affirm"


def test_the_phone_side_and_a_lock_or_gate_as_the_place_of_face_matching() -> None:
    assert face("面部照片在手机端完成质量检测。")["face_local_storage"] == "affirm"
    assert face("人脸比对在门锁端完成，不经过网络。")["face_local_storage"] == "affirm"
    assert "face_local_storage" not in face("根据门锁使用需求，我们需要采集您的面部特征。")


def test_a_company_entrusted_with_the_system_and_named_recipients_are_sharing() -> None:
    assert practices("我们委托某某科技有限公司负责门禁系统的运维。")["third_party_sharing"] == "affirm"
    assert practices("我们会将您的预约信息提供给您所预约房源的经纪人。")["third_party_sharing"] == "affirm"
    assert "third_party_sharing" not in practices("您可以委托家人代为办理入住登记。")


@pytest.mark.parametrize("text", [
    "您的人脸特征值自首次录入之日起保存一年。",
    "您可以在设置中删除已录入的人脸信息。",
    "核验结束后，我们不会留存您的人脸图像。",
])
def test_a_verb_that_dates_something_or_modifies_a_noun_states_no_collection(text: str) -> None:
    assert "face_collection" not in face(text)


def test_the_processor_s_own_modifying_verb_and_a_later_verb_still_state_collection() -> None:
    assert face("我们在征得您的同意后采集的人脸信息，将加密存储于服务器。")["face_collection"] == "affirm"
    assert face("采集的人脸照片将上传至云端服务器进行比对。")["face_collection"] == "affirm"


@pytest.mark.parametrize("text", [
    "We use safeguards designed to prevent unauthorized access, disclosure or modification of your data.",
    "We follow the principles of notice, choice, onward transfer and security.",
    "Disclosure of other members' phone numbers on the forum is prohibited.",
])
def test_disclosure_as_a_harm_a_principle_or_a_forbidden_act_is_no_sharing(text: str) -> None:
    assert "third_party_sharing" not in english(text)


def test_a_change_of_the_privacy_policies_is_an_update_notice() -> None:
    clauses = analyse_sentence("If we decide to change our privacy policies, we will post the changes here.", "en")
    assert clauses.kind == UPDATE


@pytest.mark.parametrize("text", [
    "We delete stale records on an ongoing basis.",
    "Information about past orders cannot be deleted.",
])
def test_the_processor_s_own_deletion_or_a_refused_one_is_no_deletion_right(text: str) -> None:
    assert "rights_delete" not in english(text)


def test_deletion_on_the_person_s_request_is_the_right() -> None:
    assert english("We will delete your account data if you request it.")["rights_delete"] == "affirm"
    assert english("You can delete your account at any time in Settings.")["rights_delete"] == "affirm"


def test_the_items_of_a_list_of_face_purposes_are_purposes() -> None:
    text = ("二、您的人脸信息将用于以下目的：\n（1）核验您是否为房屋登记的业主；\n（2）在单元门处识别您的身份并放行；\n"
            "三、其他事项说明。")
    found = {text[e.attrs["span"][0]:e.attrs["span"][1]]: e.key for e in analyse_policy_text(text, uri="p.txt")
             if e.kind == "policy.discloses" and e.key == "face_purpose"}
    assert set(found) == {"（1）核验您是否为房屋登记的业主；", "（2）在单元门处识别您的身份并放行；"}


def test_an_sdk_entry_names_the_sdk_on_its_name_and_provider_fields_only() -> None:
    text = ("附录：第三方SDK清单\n1. SDK名称：某某活体检测SDK；\n使用目的：判断是否为真人操作；\n"
            "收集个人信息类型：人脸图像、设备型号；\n第三方主体：某某视觉科技有限公司；\n")
    by_line: dict[str, set[str]] = {}
    for e in analyse_policy_text(text, uri="p.txt"):
        if e.kind == "policy.discloses":
            by_line.setdefault(text[e.attrs["span"][0]:e.attrs["span"][1]].strip(), set()).add(e.key)
    assert "sdk_list" in by_line["1. SDK名称：某某活体检测SDK；"]
    assert "sdk_list" not in by_line.get("使用目的：判断是否为真人操作；", set())
    assert {"third_party_sharing", "face_collection"} <= by_line["收集个人信息类型：人脸图像、设备型号；"]
    assert "sdk_list" in by_line["第三方主体：某某视觉科技有限公司；"]


@pytest.mark.parametrize("text", [
    "如果您拒绝接受我们发送的商业广告，可通过短信回复TD取消。",
    "如您不希望收到此类营销邮件，随时告知我们即可。",
    "您可以在账户设置中更新营销信息的订阅选项。",
])
def test_marketing_the_person_can_stop_is_the_right_to_withdraw(text: str) -> None:
    assert practices(text)["rights_withdraw"] == "affirm"


def test_marketing_sent_is_no_way_to_withdraw() -> None:
    assert "rights_withdraw" not in practices("我们会通过短信向您发送营销信息。")


def test_an_sdk_data_field_kept_on_the_device_is_no_sharing() -> None:
    text = "附录：第三方SDK清单\n1. SDK名称：某某离线活体SDK；\n收集个人信息类型：面部图像（仅在设备本地处理）；\n"
    keys = {e.key for e in analyse_policy_text(text, uri="p.txt") if e.kind == "policy.discloses"
            and "收集个人信息类型" in text[e.attrs["span"][0]:e.attrs["span"][1]]}
    assert "face_collection" in keys and not keys & {"third_party_sharing", "face_cloud_upload"}


def test_telling_the_purpose_of_processing_states_no_purpose() -> None:
    assert "face_purpose" not in face("收集您的面部信息前，我们会以弹窗告知处理目的和方式，并取得您的单独同意。")
    assert face("您的人脸信息仅用于门禁通行的目的。")["face_purpose"] == "affirm"


def sentence_practices(text: str, sentence: str) -> dict[str, str]:
    """What the analysis of `text` states in the sentence that starts with `sentence`."""
    start = text.index(sentence)
    evidence = analyse_policy_text(text, uri="policy.txt")
    return {e.key: e.attrs["polarity"] for e in evidence
            if e.kind == "policy.discloses" and e.attrs["span"][0] <= start < e.attrs["span"][1]}


@pytest.mark.parametrize("second", [
    "您也可以刷门卡或出示通行码进入大堂。",
    "未开通的住户仍可使用门禁卡进出。",
    "您亦可选择到物业前台由工作人员人工核验后通行。",
])
def test_another_way_right_after_a_face_sentence_is_its_alternative(second: str) -> None:
    text = f"我们为业主提供刷脸开门服务。{second}"
    assert sentence_practices(text, second).get("face_alternative") == "affirm"


@pytest.mark.parametrize("text, second", [
    ("我们提供刷脸支付服务。单笔超过限额时需额外输入支付密码进行二次确认。", "单笔"),  # an extra factor
    ("我们提供刷脸支付服务。您也可以通过客服电话联系我们。", "您也可以"),  # a way to reach us, not through
    ("我们会收集您的手机号码。您也可以使用门禁卡进出。", "您也可以"),  # no face sentence before it
])
def test_no_alternative_without_a_face_sentence_before_or_a_way_through(text: str, second: str) -> None:
    assert "face_alternative" not in sentence_practices(text, second)


def test_a_section_names_the_topic_only_of_sentences_that_state_no_face_practice() -> None:
    kept = "四、人脸信息的保存与删除\n原始人脸照片在特征值提取完成后即删除。"
    assert sentence_practices(kept, "原始") == {"data_collected": "affirm", "face_retention": "affirm"}  # a deletion point
    right = "五、删除您的个人信息\n符合条件的，我们会在十五日内完成删除。"
    assert sentence_practices(right, "符合").get("rights_delete") == "affirm"  # the section's topic


@pytest.mark.parametrize("text, polarity", [
    ("在您申办政务事项时，我们会将办事所需的信息提供给负责审批的部门。", "affirm"),  # the recipient named, whoever it is
    ("物业不会向门禁设备厂家以外的任何单位提供住户的人脸信息。", "conditional"),  # all but the named party
    ("我们不会向代理销售公司、渠道公司或置业顾问个人提供您的面部图像。", "negate"),  # recipients named as organisations
    ("我们不会将您的人脸照片上传至物业云平台，也不会向任何第三方提供。", "negate"),
    ("除法律法规另有规定外，我们不会把您的自拍照提供给任何第三方。", "conditional"),  # 自拍照 is no "from"
])
def test_data_passed_to_a_named_party_is_sharing(text: str, polarity: str) -> None:
    found = practices(text)
    assert found["third_party_sharing"] == polarity
    if "人脸" in text:
        assert found["face_cloud_upload"] == polarity


def test_a_result_sent_to_the_person_is_no_sharing() -> None:
    assert "third_party_sharing" not in practices("我们会将验证结果发送至您的手机。")
    assert "third_party_sharing" not in practices("我们会向您提供客服服务。")


def test_the_other_ways_of_a_list_beside_a_face_way_are_its_alternatives() -> None:
    with_face = "房间门锁支持以下开锁方式：\n· 刷脸开锁：录入面部信息后即可开门。\n· 密码开锁：在App中获取动态密码。"
    assert sentence_practices(with_face, "· 密码").get("face_alternative") == "affirm"
    without = "房间门锁支持以下开锁方式：\n· 指纹开锁：录入指纹后即可开门。\n· 密码开锁：在App中获取动态密码。"
    assert "face_alternative" not in sentence_practices(without, "· 密码")  # no face way in the list


def test_a_long_exception_opening_still_names_its_check() -> None:
    # the opening reaches further back than a toggle word would: the clause start bounds it, not a fixed window
    text = "除本规则第三条所述的实名身份比对服务外，我们不会将您的人脸信息提供给其他单位。"
    assert "face_collection" not in practices(text)


def test_a_practice_may_follow_only_a_practice_of_the_lexicon() -> None:
    data = yaml.safe_load((resources.files("rules") / "lexicon" / "policy_zh.yaml").read_text("utf-8"))
    assert _compile(data).practices  # the shipped lexicon compiles
    data["practices"]["face_cloud_upload"]["follows"] = "no_such_practice"
    with pytest.raises(ValueError, match="no_such_practice"):
        _compile(data)
