"""Opening policy files: formats, encodings, visible HTML text, sections, and bad input."""

from __future__ import annotations

from pathlib import Path

import pytest
from support.pdf import one_page_pdf

from scanner.errors import InputError
from scanner.limits import TEXT_MAX_CHARS
from scanner.model import TargetKind
from scanner.sources.policy import open_policy, policy_from_bytes

POLICY_ZH = "一、我们如何收集信息\n我们会收集您的人脸信息，用于门禁通行。\n二、联系我们\n邮箱：privacy@example.com"


def test_text_file_utf8(tmp_path: Path) -> None:
    path = tmp_path / "policy.txt"
    path.write_text(POLICY_ZH, encoding="utf-8")
    source = open_policy(path)
    assert source.kind is TargetKind.POLICY
    assert source.text == POLICY_ZH
    assert source.label == "policy.txt"
    assert source.attributes == {"format": "txt", "encoding": "utf-8", "chars": len(POLICY_ZH), "language": "zh"}
    assert len(source.sha256) == 64
    assert [h for _, h in source.sections] == ["一、我们如何收集信息", "二、联系我们"]


def test_utf8_bom_is_honoured() -> None:
    source = policy_from_bytes(b"\xef\xbb\xbf" + POLICY_ZH.encode(), uri="p.txt")
    assert source.text == POLICY_ZH and source.attributes["encoding"] == "utf-8-sig"


def test_declared_gbk_html() -> None:
    page = f'<html><head><meta charset="gbk"><title>隐私政策</title></head><body><p>{POLICY_ZH}</p></body></html>'
    source = policy_from_bytes(page.encode("gbk"), uri="https://example.com/privacy.html")
    assert "我们会收集您的人脸信息" in source.text
    assert source.attributes["encoding"] == "gb18030"
    assert source.label == "隐私政策"


def test_undeclared_gbk_and_gb18030_text_are_sniffed() -> None:
    for codec in ("gbk", "gb18030"):
        source = policy_from_bytes(POLICY_ZH.encode(codec), uri="policy.txt")
        assert source.text == POLICY_ZH
        assert source.attributes["encoding"] == "gb18030"


def test_content_type_charset_wins_over_sniffing() -> None:
    source = policy_from_bytes(POLICY_ZH.encode("gbk"), uri="asset", content_type="text/plain; charset=GB2312")
    assert source.text == POLICY_ZH


def test_html_drops_script_style_and_hidden_elements() -> None:
    page = """<html><head><style>.x{}</style><script>var s = "人脸识别";</script></head><body>
      <h2>一、我们如何收集信息</h2>
      <p>我们会收集您的<b>手机号码</b>，用于登录。</p>
      <div style="display: none">隐藏的人脸段落</div>
      <div style="visibility:hidden">也隐藏的人脸</div>
      <p hidden>hidden attribute 人脸</p>
      <span aria-hidden="true">aria 人脸</span>
      <noscript>noscript 人脸</noscript><template><p>template 人脸</p></template>
      <p><strong>二、联系我们</strong></p>
      <table><tr><td>极光推送</td><td>设备信息</td></tr></table>
    </body></html>"""
    source = policy_from_bytes(page.encode(), uri="page.html")
    assert "人脸" not in source.text
    assert "我们会收集您的手机号码，用于登录。" in source.text  # inline tags do not break the sentence
    assert "极光推送 设备信息" in source.text  # a table row stays on one line
    assert [h for _, h in source.sections] == ["一、我们如何收集信息", "二、联系我们"]
    for start, heading in source.sections:
        assert source.text[start:start + len(heading)] == heading


def test_visible_html_is_kept() -> None:
    source = policy_from_bytes(b"<html><body><p style='color:red'>visible face text</p></body></html>", uri="a.html")
    assert source.text == "visible face text"


def test_pdf_with_text_layer() -> None:
    source = policy_from_bytes(one_page_pdf("We collect facial geometry."), uri="notice.pdf")
    assert "We collect facial geometry." in source.text
    assert source.attributes["format"] == "pdf"


def test_pdf_without_text_is_reported_as_scanned(tmp_path: Path) -> None:
    path = tmp_path / "scan.pdf"
    path.write_bytes(one_page_pdf(None))
    with pytest.raises(InputError, match="no extractable text — likely scanned"):
        open_policy(path)


def test_broken_pdf_is_an_input_error() -> None:
    with pytest.raises(InputError, match="not a readable PDF"):
        policy_from_bytes(b"%PDF-1.4\nthis is not a pdf body", uri="broken.pdf")


@pytest.mark.parametrize("data", [b"", b"   \n\t  "])
def test_empty_input(data: bytes) -> None:
    with pytest.raises(InputError, match="empty file"):
        policy_from_bytes(data, uri="empty.txt")


def test_binary_input() -> None:
    with pytest.raises(InputError, match="binary"):
        policy_from_bytes(b"\x7fELF\x02\x01\x01\x00\x00\x00" + bytes(range(256)) * 20, uri="tool.txt")


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="not a readable file"):
        open_policy(tmp_path / "absent.txt")


def test_huge_text_is_capped() -> None:
    source = policy_from_bytes(b"a policy line\n" * (50 * 1024 * 1024 // 14), uri="huge.txt")
    assert len(source.text) == TEXT_MAX_CHARS
    assert source.attributes["truncated"] is True


def test_deeply_nested_html_falls_back_to_tag_strip() -> None:
    page = "<div>" * 100_000 + "我们会收集您的人脸信息。<script>x</script>" + "</div>" * 100_000
    source = policy_from_bytes(page.encode(), uri="deep.html")
    assert source.text == "我们会收集您的人脸信息。"
