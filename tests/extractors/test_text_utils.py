from scanner.extractors.apk_strings import ui_lexicon
from scanner.extractors.text_utils import (
    affirmed_matches,
    decode_text,
    phrase_regex,
    snippet,
)
from scanner.sources.urls import find_urls


def test_snippets_are_redacted():
    text = "联系电话+86 138-1234-5678，身份证110101199003071234，旧证110101900307123，座机010-62345678"
    out = snippet(text, limit=200)
    assert out == "联系电话+86 138****5678，身份证110101********1234，旧证110101*****7123，座机010-****5678"


def test_redaction_keeps_ordinary_numbers():
    assert snippet("版本 2.3.1，共 12345 条，订单号 2024010112345678901234") == "版本 2.3.1，共 12345 条，订单号 2024010112345678901234"


def test_snippet_is_short_and_single_line():
    s = snippet("第一行\n第二行 " + "字" * 300)
    assert "\n" not in s and len(s) <= 120


def test_latin_phrases_match_whole_words_only():
    pattern = phrase_regex(["face"])
    assert pattern.search("Surface view") is None
    assert pattern.search("face login") is not None


def _affirmed(text: str, phrases: list[str]) -> list[str]:
    return [m.group(0) for m in affirmed_matches(phrase_regex(phrases), text, ui_lexicon().negation)]


def test_negation_before_term_in_same_clause_cancels_it():
    assert _affirmed("本应用不使用人脸识别", ["人脸识别"]) == []
    assert _affirmed("我们不会收集人脸信息", ["人脸"]) == []
    assert _affirmed("无需刷脸，直接开门", ["刷脸"]) == []
    assert _affirmed("This app does not use face login", ["face login"]) == []


def test_negation_does_not_reach_across_clauses_or_follow_the_term():
    assert _affirmed("不支持蓝牙，请使用刷脸开门", ["刷脸开门"]) == ["刷脸开门"]
    assert _affirmed("刷脸开门不需要钥匙", ["刷脸开门"]) == ["刷脸开门"]
    assert _affirmed("请使用刷脸开门", ["刷脸开门"]) == ["刷脸开门"]


def test_find_urls_extracts_host_scheme_path_and_skips_templates():
    urls = list(find_urls('url="https://aip.baidubce.com/rest/2.0/face/v3/search"; http://%s/x'))
    assert [(u.scheme, u.host, u.path) for u in urls] == [("https", "aip.baidubce.com", "/rest/2.0/face/v3/search")]


def test_decode_text_falls_back_to_gb18030():
    assert decode_text("隐私政策".encode("gb18030")) == "隐私政策"
    assert decode_text("隐私政策".encode()) == "隐私政策"


def test_dex_string_prefilter_keeps_lexicon_strings_and_drops_code_names():
    lex = ui_lexicon()
    for kept in ("I agree", "Open the door", "Read and agree to the Privacy Policy", "刷脸开门", "同意《隐私政策》"):
        assert lex.may_matter(kept), kept
    for dropped in ("Landroid/view/Surface;", "onSurfaceCreated", "agreement_id_key", "disagreeable", "配置加载完成"):
        assert not lex.may_matter(dropped), dropped
