"""Work several APK extractors share is done once per APK, and the fast paths agree with the slow ones."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from scanner.extractors import apk_endpoints, apk_policy, apk_sdks, apk_strings
from scanner.extractors.apk_strings import MAX_TEXT, ui_lexicon

from .fakes import FakeDex, FakeSource

POLICY_HTML = "<html><head><title>隐私政策</title></head><body><p>我们收集您的手机号和人脸信息。</p></body></html>"
CORPUS = Path(os.environ.get("FANGCUN_CORPUS", Path(__file__).resolve().parents[2].parent / "shared" / "corpus"))


def _policy_source() -> FakeSource:
    return FakeSource(entries={
        "assets/privacy.html": POLICY_HTML.encode(),
        "assets/help.html": "<html><body>刷脸开门 或 刷卡开门</body></html>".encode(),
    })


def test_embedded_policy_is_read_once_for_both_extractors() -> None:
    source = _policy_source()
    policy_facts = list(apk_policy.run(source, ()))
    ui_facts = list(apk_strings.run(source, ()))
    assert source.reads.count("assets/privacy.html") == 1
    assert any(e.kind == "policy.document" and e.key == "assets/privacy.html" for e in policy_facts)
    # the policy stays out of the UI texts; the help page is still read as UI
    assert all(e.location.logical != "assets/privacy.html" for e in ui_facts)
    assert any(e.location.logical == "assets/help.html" for e in ui_facts)


def test_each_source_reads_its_own_policies() -> None:
    first, second = _policy_source(), _policy_source()
    assert first.embedded_policies is first.embedded_policies
    assert second.embedded_policies == first.embedded_policies
    assert first.reads.count("assets/privacy.html") == 1 and second.reads.count("assets/privacy.html") == 1


class CountingDex(FakeDex):
    string_scans: int = 0

    def users_of_strings(self, wanted):  # type: ignore[override]
        self.string_scans += 1
        return super().users_of_strings(wanted)


def test_app_urls_scan_the_bytecode_once_for_three_extractors() -> None:
    dex = CountingDex(string_users={"https://api.megvii.com/faceid/v3/detect": ("Lcom/example/app/A;->f()V",)})
    source = FakeSource(dex=dex)
    for module in (apk_sdks, apk_policy, apk_endpoints):
        list(module.run(source, ()))
    assert dex.string_scans == 1
    assert [f.url.host for f in source.urls] == ["api.megvii.com"]
    assert FakeSource(dex=dex).urls == source.urls  # another APK: its own scan
    assert dex.string_scans == 2


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Accept", True),
        ("I AGREE", True),
        ("nfc.", True),
        ("scan the QR code", True),
        ("I have read and agreed to the Privacy Policy", True),
        ("请阅读并同意《隐私政策》", True),
        ("acceptance", False),
        ("xNFC", False),
        ("Lcom/example/AcceptHandler;", False),
        ("agreement", False),
        ("", False),
        ("accept " + "x" * MAX_TEXT, False),
    ],
)
def test_batch_prefilter_agrees_with_may_matter(text: str, expected: bool) -> None:
    lex = ui_lexicon()
    assert lex.may_matter(text) is expected
    assert (text in lex.texts_that_may_matter([text, "unrelated"])) is expected


def test_batch_prefilter_agrees_on_a_real_apps_strings() -> None:
    apk = CORPUS / "apks" / "androguard" / "com.example.android.wearable.wear.weardrawers.apk"
    if not apk.is_file():
        pytest.skip("corpus not available")
    from scanner.sources.apk import open_apk

    strings = set(open_apk(apk).dex.strings)
    lex = ui_lexicon()
    chosen = lex.texts_that_may_matter(strings)
    assert chosen and chosen == {s for s in strings if lex.may_matter(s)}
