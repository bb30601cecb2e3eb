"""Paragraph topics on hand-written policy paragraphs, and the topic attrs of policy.discloses."""

from __future__ import annotations

from importlib import resources

import pytest
import yaml

from scanner.extractors.policy_nlp import analyse_policy_text
from scanner.nlp.topics import (
    OTHER,
    _compile,
    classify_span,
    is_contact_line,
    load_topic_lexicon,
    paragraph_at,
    paragraph_topics,
    practice_topic,
    table_ranges,
    topic_context,
    topic_names,
)

ZH_POLICY = """示例社区App隐私政策
更新日期：2024年3月1日

本政策将帮助您了解以下内容：
一、我们如何收集和使用您的个人信息
二、我们如何共享、转让、公开披露您的个人信息
三、我们如何存储您的个人信息
四、您的权利
五、如何联系我们

欢迎使用示例社区App。请您在使用前仔细阅读并充分理解本政策，本政策适用于我们提供的全部产品和服务。

定义
个人敏感信息是指一旦泄露或滥用可能危害人身和财产安全的个人信息。

一、我们如何收集和使用您的个人信息
在您注册账号时，我们会收集您的手机号码，用于验证您的身份。
当您使用刷脸开门功能时，我们会采集您的人脸图像，用于门禁通行核验。
（五）征得授权同意的例外
在以下情形中，我们收集您的个人信息无需征得您的同意：与国家安全有关的；与刑事侦查有关的。

二、我们如何使用Cookie和同类技术
为让网站记住您的偏好，我们会在您的电脑上写入名为Cookie的小文件，您可以在浏览器设置中清除Cookie。

三、我们如何共享、转让、公开披露您的个人信息
（一）共享
我们会与提供支付服务的合作伙伴共享您的订单信息，合作伙伴在完成支付后保存不超过30天。
（二）委托处理
我们可能委托受托方处理您的个人信息，并要求其按照我们的要求处理。
（三）第三方SDK目录
我们接入了极光推送SDK，用于向您推送消息，该SDK会收集您的设备标识。
我们仅在实现目的所必需的最短时间内保存您的个人信息，保存期限届满后我们将删除或匿名化处理。

四、我们如何存储您的个人信息
我们在中华人民共和国境内收集的个人信息存储在境内，保存期限为实现目的所必需的最短时间。如需跨境传输，我们会另行征得您的同意。

五、您的个人信息如何在全球范围转移
如您使用的服务需要向境外的服务器传输信息，我们会告知接收方并征得您的单独同意。

六、我们如何保护您的个人信息
我们采用加密传输、访问控制等安全措施保护您的个人信息，并制定了安全事件应急预案。

七、您的权利
（一）访问和更正您的个人信息
您可以在“我的-个人资料”中查阅和更正您的个人信息。
（二）删除您的个人信息
在下列情形中，您可以向我们提出删除个人信息的请求。
（三）改变您授权同意的范围
您可以在系统设置中关闭相机权限，撤回您的授权。撤回同意不影响此前基于同意的处理。
3.撤回授权：您也可以联系客服撤回对个性化功能的授权。
（四）注销账户
您可以在“设置-账号与安全”中申请注销账号，注销后我们将删除您的个人信息。
（五）获取个人信息副本
您有权获取您的个人信息副本，可通过客服提交申请。
（六）个性化推荐设置
如您不希望接收个性化推荐，可在“设置-隐私设置”中关闭个性化推荐。

八、我们如何处理未成年人的个人信息
如您是不满十四周岁的未成年人，请在父母或其他监护人的陪同下阅读本政策，并在取得监护人同意后使用我们的服务。

九、我们可能向您发送的信息
在您使用本服务期间，我们可能会给您发送邮件、短信或推送消息。

十、本政策如何更新
我们可能适时修订本政策。重大变更时，我们会以弹窗形式通知您。

十一、如何联系我们
如您对本政策有任何疑问，可通过以下方式与我们联系：
示例社区科技有限公司
注册地址：某市某区某路1号
联系邮箱：privacy@example.com

第十二条 知识产权
本软件的著作权归示例公司所有，未经书面许可不得复制，由此产生的争议由被告所在地法院管辖。
"""

ZH_CASES = [  # (a phrase inside the paragraph, its expected topic)
    ("更新日期：2024年3月1日", OTHER),
    ("三、我们如何存储您的个人信息\n四、", OTHER),  # a table of contents names topics, states none
    ("请您在使用前仔细阅读并充分理解本政策", OTHER),
    ("个人敏感信息是指", "definitions"),
    ("我们会收集您的手机号码", "collection_use"),
    ("我们会采集您的人脸图像", "collection_use"),
    # consent exceptions qualify the section they are in (here: collection), as CA4P labels them
    ("与国家安全有关的", "collection_use"),
    ("写入名为Cookie的小文件", "cookies"),  # mentions storage, is about cookies
    ("合作伙伴共享您的订单信息", "sharing"),  # mentions a retention period in passing
    ("委托受托方处理", "sharing"),
    ("我们接入了极光推送SDK", "sharing"),
    ("所必需的最短时间内保存您的个人信息，保存期限届满后", "retention"),  # own topic beats the section
    ("存储在境内，保存期限为", "retention"),  # mentions cross-border transfer in passing
    ("向境外的服务器传输信息", "cross_border"),
    ("加密传输、访问控制", "security"),
    ("查阅和更正您的个人信息", "rights"),
    ("提出删除个人信息的请求", "rights"),
    ("关闭相机权限，撤回您的授权", "consent"),
    ("您也可以联系客服撤回", "consent"),  # inline "撤回授权：" lead-in
    ("申请注销账号", "rights"),
    ("获取您的个人信息副本", "portability"),
    ("关闭个性化推荐", "settings"),
    ("不满十四周岁的未成年人", "minors"),  # mentions guardian consent
    ("给您发送邮件、短信或推送消息", "notification"),
    ("我们可能适时修订本政策", "policy_update"),
    ("可通过以下方式与我们联系", "contact"),
    ("示例社区科技有限公司", "contact"),  # company name and address at the end
    ("注册地址：某市某区某路1号", "contact"),
    ("联系邮箱：privacy@example.com", "contact"),
    ("著作权归示例公司所有", OTHER),  # a terms-of-service clause
]

EN_POLICY = """Example Community Privacy Policy

Information We Collect
We collect your phone number and device identifiers when you register, in order to verify your identity.

How We Share Information
We share order details with payment service providers and partners. They keep it for 30 days after payment.

Children's Privacy
Our service is not directed to children under 14. If a parent or guardian believes a child gave us data, we will obtain parental consent or delete it.

Cookies and Similar Technologies
We use cookies and web beacons to remember your preferences; you can clear cookies in your browser.

Data Retention
We retain personal information for as long as your account is active and delete it within 30 days after closure.

Your Rights
You have the right to access, correct or delete your personal information.

Contact Us
Email privacy@example.com or write to Example Ltd, 1 Main Street, Springfield.
"""

EN_CASES = [
    ("We collect your phone number", "collection_use"),
    ("We share order details", "sharing"),
    ("not directed to children", "minors"),
    ("We use cookies and web beacons", "cookies"),
    ("We retain personal information", "retention"),
    ("You have the right to access", "rights"),
    ("Email privacy@example.com", "contact"),
]


def topic_of(text: str, phrase: str, language: str) -> str:
    offset = text.index(phrase)
    paragraph = paragraph_at(paragraph_topics(text, language), offset)
    return paragraph.topic if paragraph else OTHER


@pytest.mark.parametrize(("phrase", "expected"), ZH_CASES)
def test_chinese_paragraph_topics(phrase: str, expected: str) -> None:
    assert topic_of(ZH_POLICY, phrase, "zh") == expected


@pytest.mark.parametrize(("phrase", "expected"), EN_CASES)
def test_english_paragraph_topics(phrase: str, expected: str) -> None:
    assert topic_of(EN_POLICY, phrase, "en") == expected


def test_lines_without_blank_lines_take_their_section_from_the_heading() -> None:
    # HTML-derived text has one block per line and no blank lines.
    text = "五、您的权利\n在下列情形中，您可以向我们提出请求。\n六、如何联系我们\n邮箱：a@b.cn\n"
    assert topic_of(text, "在下列情形中", "zh") == "rights"
    assert topic_of(text, "邮箱", "zh") == "contact"


def test_numbered_contact_lines_are_not_a_table_of_contents() -> None:
    text = "八、如何联系我们\n1、电话：010-12345678\n2、邮箱：a@b.cn\n3、地址：某市某路1号\n4、微信：example\n"
    assert topic_of(text, "2、邮箱", "zh") == "contact"
    contents = "目录\n一、如何收集\n二、如何共享\n三、如何存储\n四、如何联系我们\n"
    assert topic_of(contents, "二、如何共享", "zh") == OTHER


def test_hard_wrapped_lines_stay_one_paragraph() -> None:
    text = "三、我们如何存储您的个人信息\n我们将您的个人信息保存在境内，保存期限为\n实现目的所必需的最短时间。\n"
    paragraphs = paragraph_topics(text, "zh")
    body = paragraph_at(paragraphs, text.index("我们将"))
    assert body is not None and body.end >= text.index("最短时间")
    assert body.topic == "retention"


def test_empty_and_unstructured_text() -> None:
    assert paragraph_topics("", "zh") == []
    assert topic_of("今天天气很好。", "今天", "zh") == OTHER
    assert paragraph_at(paragraph_topics("甲。\n\n乙。", "zh"), 2) is None  # the blank line


def test_topic_names_and_practice_topics() -> None:
    names = topic_names("zh")
    assert names[-1] == OTHER and {"sharing", "rights", "retention", "consent", "minors",
                                   "cross_border", "contact", "cookies"} <= set(names)
    assert topic_names("en") == names  # one scheme for both languages
    assert practice_topic("sdk_list", "zh") == "sharing"
    assert practice_topic("face_separate_consent", "zh") == "consent"
    assert practice_topic("no_such_practice", "zh") is None


def test_lexicon_shape_is_checked() -> None:
    data = {"language": "zh", "version": 1, "inline_heading": [],
            "weights": {"own_heading": 2, "section_heading": 1, "section_decay": 0.5, "first_sentence": 2,
                        "phrase_cap": 3, "min_score": 2, "heading_max_chars": 40},
            "topics": {"sharing": {"heading": {"共享": 3}}},
            "practice_topics": {"third_party_sharing": "sharing"}}
    assert _compile(data).practice_topics == {"third_party_sharing": "sharing"}
    with pytest.raises(ValueError):
        _compile(data | {"practice_topics": {"third_party_sharing": "no_such_topic"}})
    with pytest.raises(ValueError):
        load_topic_lexicon("fr")


def test_discloses_carry_topic_and_topical() -> None:
    evidence = [e for e in analyse_policy_text(ZH_POLICY, uri="policy.txt") if e.kind == "policy.discloses"]

    def attrs(practice: str, sentence_start: str) -> dict:
        return next(e.attrs for e in evidence if e.key == practice and e.attrs["sentence"].startswith(sentence_start))

    # a retention clause said in passing inside the sharing paragraph: kept, but not topical
    passing = attrs("retention", "我们会与提供支付服务的合作")
    assert passing["topic"] == "sharing" and passing["topical"] is False
    own = attrs("retention", "我们在中华人民共和国境内收")
    assert own["topic"] == "retention" and own["topical"] is True
    # a face statement in the collection section is topical for face collection
    face = attrs("face_collection", "当您使用刷脸开门功能时")
    assert face["topic"] == "collection_use" and face["topical"] is True
    minors = attrs("minors_guardian", "如您是不满十四周岁的未成年")
    assert minors["topic"] == "minors" and minors["topical"] is True
    assert all({"topic", "topical"} <= set(e.attrs) for e in evidence)


def test_english_evidence_gets_topics_too() -> None:
    evidence = [e for e in analyse_policy_text(EN_POLICY, uri="p.txt", language="en") if e.kind == "policy.discloses"]
    minors = [e for e in evidence if e.key == "minors_guardian"]
    assert minors and all(e.attrs["topic"] == "minors" and e.attrs["topical"] for e in minors)


# --- layout rules -------------------------------------------------------------------------------

def test_company_address_and_email_lines_are_contact_under_any_heading() -> None:
    text = ("一、概述\n本政策适用于示例App。\n示例网络科技有限公司\n\n"
            "十、争议解决\n因本政策产生的争议，由被告所在地法院管辖。\n"
            "注册地址：某省某市某区示例路1号3楼301室\n联系邮箱：privacy@example.com\n")
    assert topic_of(text, "示例网络科技有限公司", "zh") == "contact"
    assert topic_of(text, "注册地址", "zh") == "contact"
    assert topic_of(text, "联系邮箱", "zh") == "contact"
    assert topic_of(text, "由被告所在地法院管辖", "zh") == OTHER


def test_a_sentence_that_mentions_an_address_is_not_a_contact_line() -> None:
    text = "一、我们如何收集和使用您的个人信息\n下单时，我们会收集您的收货地址、手机号码和电子邮箱，用于配送商品。\n"
    assert topic_of(text, "下单时", "zh") == "collection_use"
    cue = load_topic_lexicon("zh").contact_line
    assert cue is not None
    assert is_contact_line("示例网络科技有限公司（注册地址：某市某区示例路1号）", cue)
    assert not is_contact_line("微信", cue)  # a label with no name, address, number or e-mail
    assert not is_contact_line("我们会收集您的收货地址、手机号码和电子邮箱，用于配送商品。", cue)


SDK_TABLE = """一、我们如何收集和使用您的个人信息
（一）第三方SDK目录
SDK名称 | 提供方 | 收集信息 | 隐私政策链接
---|---|---|---
极光推送 | 深圳市和讯华谷信息技术有限公司 | 设备标识 | https://www.jiguang.cn/license/privacy
高德定位 | 高德软件有限公司 | 位置 | https://lbs.amap.com/pages/privacy/
（二）设备权限
权限 | 业务功能 | 调用目的
---|---|---
相机 | 扫码开门 | 拍摄二维码
在您使用扫码开门功能时，我们会调用相机权限并收集您拍摄的二维码内容，用于核验通行。
"""


def test_rows_of_an_sdk_table_are_sharing() -> None:
    assert topic_of(SDK_TABLE, "极光推送 |", "zh") == "sharing"
    assert topic_of(SDK_TABLE, "高德定位 |", "zh") == "sharing"


def test_rows_of_other_tables_and_prose_after_a_table_keep_their_section() -> None:
    assert topic_of(SDK_TABLE, "相机 | 扫码开门", "zh") == "collection_use"  # a header naming no third party
    assert topic_of(SDK_TABLE, "在您使用扫码开门功能时", "zh") == "collection_use"
    [(table_start, table_end, table)] = table_ranges(SDK_TABLE, load_topic_lexicon("zh"))
    assert table.topic == "sharing"  # the permissions table names no topic of its own
    assert table_start == SDK_TABLE.index("（一）第三方SDK目录") and table_end == SDK_TABLE.index("（二）设备权限")


INTRODUCTION = """示例App隐私政策
本政策说明我们如何收集、使用和共享您的个人信息，请您仔细阅读。
示例网络科技有限公司

一、我们如何收集和使用您的个人信息
我们会收集您的手机号码，用于注册账号。
"""


def test_the_introduction_is_other_unless_a_layout_rule_says_more() -> None:
    assert topic_of(INTRODUCTION, "本政策说明", "zh") == OTHER
    assert topic_of(INTRODUCTION, "示例网络科技有限公司", "zh") == "contact"
    assert topic_of(INTRODUCTION, "我们会收集您的手机号码", "zh") == "collection_use"


def test_a_text_without_topic_headings_has_no_introduction() -> None:
    # The same opening paragraph, with no heading naming a topic after it, is scored on its words.
    text = INTRODUCTION[:INTRODUCTION.index("一、")]
    assert topic_of(text, "本政策说明", "zh") == "sharing"


def test_staying_in_china_under_a_cross_border_heading_is_retention() -> None:
    text = ("七、您的个人信息如何在全球范围转移\n"
            "一般而言，我们在中国境内收集与产生的个人信息，都会保存在中国境内的服务器上。\n"
            "如需跨境传输，我们会向您告知出境的目的和接收方，并另行征得您的单独同意。\n")
    assert topic_of(text, "一般而言", "zh") == "retention"
    assert topic_of(text, "如需跨境传输", "zh") == "cross_border"


LEAD_IN = """一、我们如何收集和使用您的个人信息
我们不会向任何第三方提供、公开或共享您的个人信息，但以下情形除外：
（1）事先获得您的明确授权；
（2）根据法律法规的规定或有权机关的要求；
我们会收集您的设备型号和操作系统版本，用于适配页面显示与排查故障，这些信息不会单独识别您的身份，也不会与您的账号信息关联，我们会在实现目的后及时删除。
（3）为排查故障，我们会收集崩溃日志；
"""


def test_list_items_take_the_topic_of_their_lead_in() -> None:
    assert topic_of(LEAD_IN, "（1）事先获得", "zh") == "sharing"
    assert topic_of(LEAD_IN, "（2）根据法律法规", "zh") == "sharing"


def test_a_long_paragraph_ends_the_list_of_a_lead_in() -> None:
    assert topic_of(LEAD_IN, "我们会收集您的设备型号", "zh") == "collection_use"
    assert topic_of(LEAD_IN, "（3）为排查故障", "zh") == "collection_use"


def test_automated_decisions_are_not_user_rights_but_listed_rights_are() -> None:
    text = ("五、您的权利\n（六）约束信息系统自动决策\n"
            "部分业务功能可能只由算法作出决定，若该决定明显影响您的合法权益，您有权要求我们给出说明。\n"
            "（七）其他\n我们保障您对个人信息的访问、更正、删除以及撤回授权同意的权利。\n")
    assert topic_of(text, "（六）约束信息系统自动决策", "zh") == OTHER
    assert topic_of(text, "我们保障您对个人信息的访问", "zh") == "rights"


def test_layout_rules_must_name_known_topics() -> None:
    data = yaml.safe_load((resources.files("rules") / "lexicon" / "policy_topics_zh.yaml").read_text("utf-8"))
    assert _compile(data).tables[0].topic == "sharing"
    with pytest.raises(ValueError):
        _compile(data | {"tables": [{"topic": "no_such_topic", "header": "SDK", "weight": 1}]})
    with pytest.raises(ValueError):
        _compile(data | {"contact_line": data["contact_line"] | {"topic": "no_such_topic"}})


# --- spans with bounds of their own -------------------------------------------------------------

def span_of(text: str, first: str, last: str) -> tuple[int, int]:
    """From the start of `first` to the end of the next `last`."""
    start = text.index(first)
    return start, text.index(last, start) + len(last)


def test_a_span_is_scored_like_the_paragraphs_of_the_text() -> None:
    context = topic_context(ZH_POLICY, "zh")
    for paragraph in paragraph_topics(ZH_POLICY, "zh"):
        assert classify_span(ZH_POLICY, paragraph.start, paragraph.end, "zh", context=context) == paragraph


def test_a_span_joining_a_heading_and_its_body_takes_the_heading_as_its_own() -> None:
    start, end = span_of(ZH_POLICY, "（一）访问和更正", "查阅和更正您的个人信息。")
    span = classify_span(ZH_POLICY, start, end, "zh")
    assert (span.start, span.end, span.topic) == (start, end, "rights")
    assert span.heading == "（一）访问和更正您的个人信息" and span.section == "七、您的权利"
    # its own heading closes the section before it: 十、 is not inside 九、 (notification)
    update = classify_span(ZH_POLICY, *span_of(ZH_POLICY, "十、本政策如何更新", "通知您。"), "zh")
    assert update.topic == "policy_update" and update.section == ""
    # a whole section: storage in China with a passing mention of transfers abroad is retention
    assert classify_span(ZH_POLICY, *span_of(ZH_POLICY, "四、我们如何存储", "另行征得您的同意。"), "zh").topic \
        == "retention"
    assert classify_span(ZH_POLICY, *span_of(ZH_POLICY, "五、您的个人信息如何在全球", "单独同意。"), "zh").topic \
        == "cross_border"


def test_a_span_takes_the_headings_that_enclose_its_start() -> None:
    text = "七、您的权利\n（一）访问您的个人信息\n您可以在“我的”页面中查看。\n"
    assert classify_span(text, text.index("您可以"), len(text), "zh").topic == "rights"
    alone = "您可以在“我的”页面中查看。\n"  # the same words with no heading above them name no topic
    assert classify_span(alone, 0, len(alone), "zh").topic == OTHER
    # an item after a lead-in takes the lead-in's topic; blank lines before the span change nothing
    listed = "一、我们如何共享您的个人信息\n我们不会向第三方提供您的个人信息，但以下情形除外：\n\n（1）事先获得您的明确授权；\n"
    before_blank = listed.index("\n\n")
    assert classify_span(listed, before_blank, len(listed), "zh").topic == "sharing"


def test_spans_without_a_topic_are_other() -> None:
    assert classify_span(ZH_POLICY, *span_of(ZH_POLICY, "本软件的著作权", "法院管辖。"), "zh").topic == OTHER
    contents = span_of(ZH_POLICY, "三、我们如何存储您的个人信息\n四、", "五、如何联系我们")
    assert classify_span(ZH_POLICY, *contents, "zh").topic == OTHER  # inside a table of contents
    blank = ZH_POLICY.index("\n\n", ZH_POLICY.index("四、我们如何存储"))  # the blank line closing 四、
    assert classify_span(ZH_POLICY, blank, blank + 2, "zh").topic == OTHER
    assert classify_span(ZH_POLICY, 0, 0, "zh").topic == OTHER


def test_bad_span_bounds_and_foreign_contexts_are_refused() -> None:
    with pytest.raises(ValueError):
        classify_span("甲乙。", 2, 1, "zh")
    with pytest.raises(ValueError):
        classify_span("甲乙。", 0, 4, "zh")
    with pytest.raises(ValueError):
        classify_span("甲乙。", 0, 3, "zh", context=topic_context("丙丁。", "zh"))


# --- cues that keep one topic's words out of another topic's paragraphs -------------------------

def test_children_in_a_list_of_sensitive_information_is_not_a_minors_paragraph() -> None:
    text = ("一、定义\n"
            "敏感个人信息：指一旦泄露可能危害人身和财产安全的个人信息，如银行账号、行踪轨迹、不满十四周岁未成年人的个人信息。\n"
            "二、未成年人保护\n"
            "如您是不满十四周岁的未成年人，请在监护人的陪同下使用本服务。\n")
    assert topic_of(text, "敏感个人信息：", "zh") == "definitions"
    assert topic_of(text, "如您是不满", "zh") == "minors"


INDIRECT = """一、我们如何收集和使用您的个人信息
（一）您注册时提供的信息
注册时，我们会收集您的手机号码。
（二）我们从合作方获得的信息
经您同意，我们可能从合作方获取您授权共享的账号昵称和头像，用于完成登录。
（三）您分享的信息
您可以在社区中与其他用户分享您的照片，请谨慎公开您的位置。
二、我们如何共享您的个人信息
经您同意，我们会与支付服务商共享您的订单号，用于完成支付。
"""


def test_what_partners_pass_on_to_us_is_collection_not_sharing() -> None:
    assert topic_of(INDIRECT, "经您同意，我们可能从合作方获取", "zh") == "collection_use"
    assert topic_of(INDIRECT, "（二）我们从合作方获得的信息", "zh") == "collection_use"
    assert topic_of(INDIRECT, "经您同意，我们会与支付服务商共享", "zh") == "sharing"


def test_what_users_share_themselves_is_not_our_sharing() -> None:
    assert topic_of(INDIRECT, "您可以在社区中与其他用户分享", "zh") != "sharing"


def test_a_heading_that_names_collection_first_opens_the_collection_part() -> None:
    text = "一、我们可能收集、使用、共享和转让的您的个人信息\n为向您提供服务，我们会处理以下信息。\n"
    assert topic_of(text, "一、我们可能收集", "zh") == "collection_use"
    shared = "一、我们如何共享、转让和公开披露您的个人信息\n为向您提供服务，我们会处理以下信息。\n"
    assert topic_of(shared, "一、我们如何共享", "zh") == "sharing"


def test_consent_exceptions_of_collection_are_collection() -> None:
    text = ("二、共享、转让、公开披露\n"
            "在以下情形中，我们收集、使用您的个人信息无需征得您的授权同意：为履行法定义务所必需；与公共安全直接相关。\n"
            "下列情形中，我们共享、转让或公开披露您的个人信息无需事先取得您的授权同意：与国家安全直接相关的。\n")
    assert topic_of(text, "在以下情形中，我们收集", "zh") == "collection_use"
    assert topic_of(text, "下列情形中，我们共享", "zh") == "sharing"


RIGHTS = """五、您的权利
（一）更正您的个人信息
您可以在“我的-资料”中修改昵称和头像。
（二）撤销您的授权
如您想更改相机或位置权限的授权，可在手机系统设置中关闭；您也可以删除您的个人信息，或注销账号永久撤回全部授权。
（三）查询、更正、删除信息及撤回授权的途径
您可以在“设置-隐私”中查询、删除您的信息，或撤回已给予的授权。
（四）其他
1、撤回您的授权。如果您希望我们更正或删除您的个人信息，也可以通过客服与我们联系。
2、注销账号。您可以在“设置”中申请注销账号。
六、知识产权
2、软件授权范围
您可以在一台设备上安装本软件，不得转售或出租。
"""


def test_a_withdrawal_heading_inside_the_rights_section_is_consent() -> None:
    assert topic_of(RIGHTS, "如您想更改相机或位置权限", "zh") == "consent"
    assert topic_of(RIGHTS, "您可以在“我的-资料”中修改", "zh") == "rights"


def test_a_heading_listing_rights_and_withdrawal_is_rights() -> None:
    assert topic_of(RIGHTS, "您可以在“设置-隐私”中查询", "zh") == "rights"


def test_a_software_licence_scope_is_not_consent() -> None:
    assert topic_of(RIGHTS, "您可以在一台设备上安装", "zh") != "consent"


def test_a_numbered_phrase_closed_by_a_full_stop_is_a_heading_run_in() -> None:
    assert topic_of(RIGHTS, "1、撤回您的授权。", "zh") == "consent"
    assert topic_of(RIGHTS, "2、注销账号。", "zh") == "rights"
    span = classify_span(RIGHTS, *span_of(RIGHTS, "1、撤回您的授权。", "与我们联系。"), "zh")
    assert span.heading == "1、撤回您的授权"


def test_saying_data_does_not_leave_the_country_is_retention() -> None:
    text = ("七、您的个人信息如何在全球范围转移\n"
            "我们在中国境内收集的个人信息均保存在境内，我们不会把您的个人信息传到境外。\n"
            "为提供国际漫游服务，我们会将您的行程信息传输至境外的合作酒店，并事先征得您的单独同意。\n")
    assert topic_of(text, "我们在中国境内收集", "zh") == "retention"
    assert topic_of(text, "为提供国际漫游服务", "zh") == "cross_border"


def test_scope_exceptions_of_the_policy_are_other() -> None:
    text = ("十、本政策的适用例外\n"
            "我们的服务可能链接至第三方提供的网站，第三方收集您的信息适用其自己的规则。\n"
            "十一、我们如何共享您的个人信息\n"
            "我们会向第三方支付机构提供您的订单号，用于完成支付。\n")
    assert topic_of(text, "我们的服务可能链接至", "zh") == OTHER
    assert topic_of(text, "我们会向第三方支付机构", "zh") == "sharing"
