"""Access and face-capture notices read clause by clause, through the real readers: a page's text through
page_text, an app's screen texts through apk_strings. Every sentence here is written for these tests."""

from __future__ import annotations

import hashlib
import html
import re
import time

import pytest

from scanner.extractors.apk_strings import SPEC as APK_STRINGS
from scanner.extractors.apk_strings import UiText, facts_of_text, ui_lexicon
from scanner.extractors.page_text import page_facts
from scanner.model import Evidence
from scanner.nlp.clauses import (
    notice_audiences,
    notice_clauses,
    notice_phrases_outside,
    notice_purpose_clauses,
    notice_withdrawn,
)
from scanner.sources.apk import apk_from_texts
from scanner.sources.web import CapturedPage


def page(*paragraphs: str, title: str = "") -> list[Evidence]:
    head = f"<head><title>{html.escape(title)}</title></head>" if title else ""
    body = "".join(f"<p>{html.escape(p)}</p>" for p in paragraphs)
    content = f"<html>{head}<body>{body}</body></html>".encode()
    url = "https://wuye.example/notice.html"
    return page_facts(CapturedPage(url, url, 200, "2026-01-01T00:00:00Z", hashlib.sha256(content).hexdigest(),
                                   "text/html; charset=utf-8", "测试物业", None, 0, content))


def app(*texts: str) -> list[Evidence]:
    return list(APK_STRINGS.run(apk_from_texts(list(texts), uri="test:app"), ()))


def purposes(facts: list[Evidence]) -> set[str]:
    return {e.attrs["purpose"] for e in facts if e.kind == "web.face_capture_notice"}


def ways(facts: list[Evidence]) -> set[tuple[str, str]]:
    return {(e.attrs["method"], e.attrs["for"]) for e in facts if e.kind == "access.alternative_method"}


def face_only(facts: list[Evidence]) -> bool:
    return any(e.attrs["face_only"] for e in facts if e.kind == "context.access_control")


def app_purposes(facts: list[Evidence]) -> set[str]:
    return {e.attrs["purpose"] for e in facts if e.kind == "ui.text"}


# ———————————————————————— the purpose belongs to the clause that states it ————————————————————————

@pytest.mark.parametrize("paragraphs, expected", [
    (["售楼处已安装人脸识别摄像头，用于识别到访客户及渠道来源。"], {"customer_identification", "channel_attribution"}),
    (["售楼处已安装人脸识别摄像头，用于识别到访客户及渠道来源。", "小区门禁系统同步升级，业主请刷卡进出。"],
     {"customer_identification", "channel_attribution"}),
    (["小区门禁卡办理请到物业服务中心。", "展示中心门口装有人脸抓拍机，抓拍结果用于确定渠道归属。"], {"channel_attribution"}),
    (["为核对代理费，案场前台设有刷脸签到机。"], {"commission"}),
    (["营销中心大厅设有人脸识别摄像机。", "这些摄像机仅用于区分新老客户。"], {"customer_identification"}),
    (["本售楼处设有人脸识别摄像头，仅用于安全防范。"], {"security"}),
])
def test_a_capture_purpose_is_its_own_sentence_or_a_sentence_tied_to_it(paragraphs: list[str], expected: set[str]) -> None:
    assert purposes(page(*paragraphs)) == expected


@pytest.mark.parametrize("paragraphs", [
    ["小区出入口监控具备人脸抓拍功能，门禁照常使用。"],  # a camera: the door beside it is not why it films
    ["营销中心已启用人脸识别系统。", "小区门禁请刷卡进出。"],
    ["样板间设有人脸抓拍设备。", "停车场出入口实行车辆登记。"],
    ["本售楼处已启用人脸识别系统。", "欢迎各位业主和渠道伙伴莅临。"],
])
def test_a_neighbouring_sentence_lends_no_purpose(paragraphs: list[str]) -> None:
    # the sales office says nowhere why it takes faces; a door or a greeting beside it is not the reason
    assert purposes(page(*paragraphs)) == {"unknown"}


@pytest.mark.parametrize("sentence, expected", [
    ("本小区门禁已启用人脸识别。", {"access_control"}),
    ("小区出入口已安装人脸识别闸机。", {"access_control"}),
    ("刷脸即可开门。", {"access_control"}),
    ("单元门支持刷脸、刷卡两种方式。", {"access_control"}),
    ("营销中心设有人脸识别设备。", {"unknown"}),  # 营销 of 营销中心 is the place, not a purpose
    ("营销中心人脸识别数据会用于广告投放。", {"marketing"}),
])
def test_community_doors_and_place_words(sentence: str, expected: set[str]) -> None:
    assert purposes(page(sentence)) == expected


@pytest.mark.parametrize("texts, expected", [
    (["刷脸即可开门"], {"access_control"}),
    (["录入人脸后，刷脸即可进出单元门"], {"access_control"}),
    (["刷脸登录"], {"login"}),
    (["无需刷脸，点击即可开门"], set()),  # the face is negated in its clause
    (["人脸认证", "一键开门"], {"identity"}),  # the door is another text's
])
def test_app_text_face_at_a_door_names_access_control(texts: list[str], expected: set[str]) -> None:
    assert app_purposes(app(*texts)) == expected


@pytest.mark.parametrize("paragraphs, expected", [
    (["小区出入口装有人脸识别摄像机，特此公告。"], {"unknown"}),  # 出入口 names where, not what for
    (["近期物业将开展人脸采集。", "采集目的：开通单元门刷脸通行。"], {"access_control"}),
    (["样板间装有人脸抓拍机。", "本月到访可享优惠。"], {"unknown"}),
])
def test_an_unknown_purpose_stands_only_where_the_page_gives_none(paragraphs: list[str], expected: set[str]) -> None:
    assert purposes(page(*paragraphs)) == expected


@pytest.mark.parametrize("texts, expected", [
    (["人脸识别成功，请通行"], {"access_control"}),
    (["刷脸失败，请重试", "一键开门"], set()),
    (["您已拒绝人脸授权，可继续使用蓝牙开门"], set()),  # that door is the Bluetooth one's
])
def test_app_text_door_in_the_clause_after_the_face(texts: list[str], expected: set[str]) -> None:
    assert app_purposes(app(*texts)) == expected


# ———————————————————————— negations that deny nothing ————————————————————————

@pytest.mark.parametrize("sentence, expected", [
    ("小区门禁已启用人脸识别，未录入的住户继续刷卡即可。", {("card", "residents")}),
    ("小区门禁人脸录入自愿，不录入人脸不影响您使用门禁卡。", {("card", "all")}),
    ("小区门禁已启用人脸识别，不再使用门禁卡。", set()),
    ("小区门禁已启用人脸识别，无需刷卡。", set()),
])
def test_relative_clauses_and_undone_negations(sentence: str, expected: set[tuple[str, str]]) -> None:
    assert ways(page(sentence)) == expected


@pytest.mark.parametrize("sentence, captured", [
    ("请尚未录入人脸的业主尽快到物业服务中心办理。", True),
    ("本售楼处未采集到访客户的人脸信息。", False),
    ("我们不会采集访问网站的用户的人脸信息。", False),
])
def test_a_relative_clause_is_no_denial_of_the_capture(sentence: str, captured: bool) -> None:
    assert bool(purposes(page(sentence))) is captured


# ———————————————————————— what states no capture ————————————————————————

@pytest.mark.parametrize("sentence", [
    "人脸信息保存30天后删除。",
    "门禁系统中的人脸照片将在业主搬离后删除。",
    "小区门禁是否会改为刷脸？",
    "物业拟在单元门引入人脸识别门禁，现征求业主意见。",
])
def test_retention_questions_and_proposals_are_no_capture_notice(sentence: str) -> None:
    assert not purposes(page(sentence))


@pytest.mark.parametrize("sentence", [
    "售楼处入口采集人脸信息，保存30天后删除。",
    "单元门禁会抓拍开门人员的面部照片，照片保存30天。",
    "小区门禁已改为刷脸。",
])
def test_a_capture_beside_its_retention_is_a_notice(sentence: str) -> None:
    assert purposes(page(sentence))


# ———————————————————————— withdrawn ways through ————————————————————————

@pytest.mark.parametrize("paragraphs", [
    ["本小区单元门已启用人脸识别，门禁卡停用。"],
    ["即日起不再支持刷卡，请业主录入人脸后刷脸进出。"],
    ["各单元门已开通刷脸开门。", "业主原有的门禁卡已停用。"],
    ["小区门禁升级为人脸识别，原密码开门方式同步取消。"],
    ["因门卡遗失较多，小区门禁卡自下月起停止使用，届时业主请刷脸进出。"],
])
def test_a_withdrawn_way_through_is_no_way_and_leaves_face_only(paragraphs: list[str]) -> None:
    facts = page(*paragraphs)
    assert ways(facts) == set()
    assert face_only(facts) or purposes(facts) == {"access_control"}


@pytest.mark.parametrize("sentence, expected", [
    ("小区门禁升级为人脸识别后，门禁卡依然保留。", {("card", "all")}),
    ("根据业主意见，小区门禁恢复刷卡功能。", {("card", "residents")}),
    ("单元门禁密码将于下周失效，业主此后可刷脸或刷卡进出。", {("card", "residents")}),
    ("小区门禁升级期间旧门禁卡停用，业主可到物业领取新门禁卡。", {("card", "residents")}),
])
def test_a_way_kept_or_restored_still_counts(sentence: str, expected: set[tuple[str, str]]) -> None:
    facts = page(sentence)
    assert ways(facts) == expected
    assert not face_only(facts)


@pytest.mark.parametrize("texts, expected_ways, expected_face_only", [
    (["刷脸开门", "您的门禁卡已停用，请使用刷脸开门"], set(), True),
    (["刷脸开门", "门禁卡已被物业注销，请使用刷脸或蓝牙开门"], {("bluetooth", "all")}, False),
    (["刷脸开门", "门禁卡仍可正常使用"], {("card", "all")}, False),
])
def test_app_text_withdrawal(texts: list[str], expected_ways: set[tuple[str, str]], expected_face_only: bool) -> None:
    facts = app(*texts)
    assert ways(facts) == expected_ways
    assert face_only(facts) is expected_face_only


# ———————————————————————— who a way through is for: per clause ————————————————————————

@pytest.mark.parametrize("sentence, expected", [
    ("小区门禁启用人脸识别，业主可刷卡，访客需扫码。", {("card", "residents"), ("qr", "visitors")}),
    ("小区门禁已升级为人脸识别，访客二维码仅限来访人员使用，住户请刷脸。", {("qr", "visitors")}),
    ("小区单元门开通人脸识别，访客可使用二维码通行，业主请刷脸进入。", {("qr", "visitors")}),
    ("小区门禁已启用人脸识别，业主如不愿录入人脸，可选择蓝牙开门。", {("bluetooth", "residents")}),
    ("小区门禁已启用人脸识别，住户可为来访亲友生成访客二维码。", {("qr", "visitors")}),
    ("小区门禁已启用人脸识别，也可使用门禁卡。", {("card", "all")}),
])
def test_page_audience_is_the_clause_s_own(sentence: str, expected: set[tuple[str, str]]) -> None:
    assert ways(page(sentence)) == expected


@pytest.mark.parametrize("texts, expected", [
    (["我的门禁", "业主可使用门禁卡，访客请使用二维码"], {("card", "residents"), ("qr", "visitors")}),
    (["我的门禁", "访客二维码仅限来访人员使用，住户请刷脸"], {("qr", "visitors")}),
    (["我的门禁", "住户如不便刷脸，可使用蓝牙开门"], {("bluetooth", "residents")}),
    (["我的门禁", "访客二维码", "业主二维码开门"], {("qr", "visitors"), ("qr", "residents")}),
])
def test_app_audience_is_the_clause_s_own(texts: list[str], expected: set[tuple[str, str]]) -> None:
    assert ways(app(*texts)) == expected


# ———————————————————————— car parks are no doors ————————————————————————

def test_a_car_park_barrier_is_no_door() -> None:
    facts = page("停车场出入口已启用车牌识别，车辆进出自动抬杆。", "车主可在前台办理月卡。")
    assert not [e for e in facts if e.kind == "context.access_control"]


def test_a_pedestrian_gate_beside_the_car_park_is_a_door() -> None:
    facts = page("小区人行通道已启用人脸识别，停车场出入口仍按车牌识别。")
    assert [e for e in facts if e.kind == "context.access_control"]


# ———————————————————————— clause work stays linear ————————————————————————

FLOOD_CHARS = 200_000
BOUND_SECONDS = 20.0  # linear reading takes about a second; one clause search per way through took minutes


@pytest.mark.parametrize("unit", ["门禁卡停用，", "门禁卡停用", "营销中心", "业主可刷卡访客需扫码", "未录入的住户刷卡，"])
def test_a_flood_of_clauses_or_ways_is_read_in_bounded_time(unit: str) -> None:
    text = "小区人脸门禁已启用，业主可使用蓝牙开门。" + unit * (FLOOD_CHARS // len(unit))
    started = time.perf_counter()
    facts = page(text)
    app_facts = list(facts_of_text(UiText("@string/flood", text), ui_lexicon(), "test:app"))
    assert time.perf_counter() - started < BOUND_SECONDS
    assert ("bluetooth", "residents") in ways(facts) and ("bluetooth", "residents") in ways(app_facts)


# ———————————————————————— the clause analyser itself ————————————————————————

BREAKS = "，；：。"
AUDIENCES = {"residents": re.compile("业主|住户"), "visitors": re.compile("访客")}
BENEFICIARY = re.compile("为|仅限")


def test_clauses_keep_coordinations_whole() -> None:
    clauses = notice_clauses("支持刷脸、刷卡或扫码，访客请登记。", BREAKS)
    assert [c.text for c in clauses] == ["支持刷脸、刷卡或扫码", "访客请登记"]
    assert clauses[1].start == 11


@pytest.mark.parametrize("sentence, index, expected", [
    ("业主可刷卡，访客需扫码", 0, "residents"),
    ("业主可刷卡，访客需扫码", 1, "visitors"),
    ("业主如不愿刷脸，可刷卡", 1, "residents"),
    ("可刷卡，业主请刷脸", 0, "all"),
    ("业主可为访客生成二维码", 0, "visitors"),
])
def test_audience_of_a_clause(sentence: str, index: int, expected: str) -> None:
    assert notice_audiences(notice_clauses(sentence, BREAKS), AUDIENCES, BENEFICIARY)[index] == expected


@pytest.mark.parametrize("sentence, phrase, expected", [
    ("原门禁卡同时停用", "门禁卡", True),
    ("即日起取消刷卡", "刷卡", True),
    ("门禁卡照常使用，停用的是蓝牙", "门禁卡", False),
    ("门禁卡可继续使用", "门禁卡", False),
])
def test_withdrawal_in_the_clause(sentence: str, phrase: str, expected: bool) -> None:
    clauses = notice_clauses(sentence, BREAKS)
    start = sentence.index(phrase)
    assert notice_withdrawn(sentence, clauses[0], start, start + len(phrase), re.compile("取消|停用"),
                            re.compile("停用|作废")) is expected


def test_purpose_clauses_follow_frames_only() -> None:
    clauses = notice_clauses("为规范管理，大厅装有人脸抓拍机，用于判客，访客请登记", "，")
    assert notice_purpose_clauses(clauses, [1], re.compile("为|用于"), "仅") == [0, 1, 2]


def test_a_purpose_word_inside_a_longer_place_name_is_the_place() -> None:
    groups = {"marketing": re.compile("营销"), "access_control": re.compile("门禁")}
    places = [re.compile("营销中心|门禁")]
    always = lambda _text, _at: True  # noqa: E731
    assert notice_phrases_outside("营销中心门禁", groups, places, always) == ["access_control"]
    assert notice_phrases_outside("用于营销", groups, places, always) == ["marketing"]


def test_a_negation_ends_where_its_verb_phrase_hands_over() -> None:
    # 无需停留 denies the waiting, not what the system does 即可 after it
    assert purposes(page("本售楼处采用无感人脸识别，来访者无需登记即可被系统识别为新客户或老客户。")) == {
        "customer_identification"}
    assert purposes(page("本售楼处不设人脸识别，来访客户请到前台登记。")) == set()  # a denial stays a denial


def places(facts: list[Evidence]) -> set[str]:
    return {e.attrs["place"] for e in facts if e.kind == "web.face_capture_notice"}


@pytest.mark.parametrize("text", [
    "接待区的智能摄像机会比对来宾面容，为老朋友安排原来的顾问。",
    "前台会为每位来宾做面部建档。",
    "单元门口的摄像头会识别来人面孔。",
])
def test_a_face_word_and_a_capture_verb_in_other_words_are_a_capture(text: str) -> None:
    assert purposes(page(text))


def test_a_face_word_without_a_capture_verb_is_no_capture() -> None:
    assert not purposes(page("请来宾保持面部清洁，佩戴口罩进入展厅。"))
    assert not purposes(page("办理入住需提供身份证人像面复印件。"))


def test_sales_purposes_put_a_capture_at_a_sales_office_when_no_place_is_named() -> None:
    facts = page("系统会比对来宾面容，判断来宾是否为复访客户并为其安排专属顾问。")
    assert purposes(facts) == {"customer_identification"} and places(facts) == {"sales_office"}
    assert places(page("大堂闸机已启用人脸识别，用于员工考勤。")) != {"sales_office"}


def test_a_way_suspended_is_withdrawn_and_a_guard_lets_visitors_in() -> None:
    assert ("qr", "all") not in ways(page("小区已启用人脸识别门禁，二维码通行已暂停使用。"))
    assert ("staff", "visitors") in ways(page("业主刷脸进出小区，外来人员由保安核实身份后放行。"))


def test_a_clause_about_the_capture_data_lends_its_purpose() -> None:
    facts = page("本售楼处摄像头具备人脸识别功能，识别数据用于渠道业绩统计，不作其他用途。")
    assert purposes(facts) == {"channel_attribution"}
    facts = page("客户面部抓拍记录保存至项目结算完毕，供开发商与代理公司对账分佣使用。")
    assert purposes(facts) == {"commission"}
    # a clause about something else keeps its purpose to itself
    assert "marketing" not in purposes(page("售楼处设有人脸识别摄像头，停车场另有广告屏推送楼盘信息。"))
