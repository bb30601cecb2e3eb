"""Layouts that cannot carry text/hint/contentDescription are not parsed; every other one still is."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

import scanner.sources.apk as apk_source
from scanner.sources.apk import open_apk
from tests.sources.axmlbuilder import ANDROID_URI, APP_URI, Attribute, build_layout

TEXT_ID, HINT_ID, TEXT_SIZE_ID, WIDTH_ID = 0x0101014F, 0x01010150, 0x01010095, 0x010100F4
LAYOUT = "res/layout/probe.xml"


def with_entries(source: Path, entries: dict[str, bytes], folder: Path) -> Path:
    """A copy of `source` with `entries` added or replaced."""
    out = io.BytesIO()
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(out, "w") as zout:
        for info in zin.infolist():
            if info.filename not in entries:
                zout.writestr(info.filename, zin.read(info.filename))
        for name, data in entries.items():
            zout.writestr(name, data)
    path = folder / "probe.apk"
    path.write_bytes(out.getvalue())
    return path


@pytest.fixture
def parsed_entries(monkeypatch) -> list[bytes]:
    """The bytes of every binary XML entry androguard is asked to parse."""
    from androguard.core import axml

    seen: list[bytes] = []
    original = axml.AXMLPrinter

    def recording(data: bytes) -> object:
        seen.append(data)
        return original(data)

    monkeypatch.setattr(axml, "AXMLPrinter", recording)
    return seen


def probe_texts(fixture_apk, tmp_path: Path, layout: bytes) -> tuple[list[str], tuple[str, ...]]:
    source = open_apk(with_entries(fixture_apk("facedoor"), {LAYOUT: layout}, tmp_path))
    return [text for name, text in source.layout_texts if name == LAYOUT], source.problems


@pytest.mark.parametrize(
    "attribute, utf8",
    [
        (Attribute(ANDROID_URI, "text", "开门刷脸", TEXT_ID), False),
        (Attribute(ANDROID_URI, "hint", "请输入身份证号", HINT_ID), True),
        (Attribute(ANDROID_URI, "x1", "obfuscated name, framework id", TEXT_ID), False),
        (Attribute(APP_URI, "text", "custom view text", 0x7F040001), True),
        (Attribute(None, "contentDescription", "bare name, no id"), False),
        (Attribute(None, "android:text", "prefix inside the name"), True),
    ],
)
def test_layout_with_a_text_attribute_is_read(fixture_apk, tmp_path, parsed_entries, attribute, utf8):
    layout = build_layout([Attribute(ANDROID_URI, "layout_width", -1, WIDTH_ID), attribute], utf8=utf8)
    texts, problems = probe_texts(fixture_apk, tmp_path, layout)
    assert texts == [attribute.value]
    assert layout in parsed_entries
    assert not [p for p in problems if LAYOUT in p]


@pytest.mark.parametrize("utf8", [False, True])
def test_layout_without_a_text_attribute_is_not_parsed(fixture_apk, tmp_path, parsed_entries, utf8):
    # textSize and a custom "textual" start like text but are other attributes.
    layout = build_layout(
        [
            Attribute(ANDROID_URI, "textSize", 12, TEXT_SIZE_ID),
            Attribute(APP_URI, "textual", "not a text attribute", 0x7F040002),
            Attribute(None, "context", "ends in text but is not it"),
        ],
        utf8=utf8,
    )
    texts, problems = probe_texts(fixture_apk, tmp_path, layout)
    assert texts == []
    assert layout not in parsed_entries
    assert not [p for p in problems if LAYOUT in p]


def test_damaged_layout_header_is_reported_not_skipped_and_not_parsed(fixture_apk, tmp_path, parsed_entries):
    layout = bytearray(build_layout([Attribute(ANDROID_URI, "textSize", 12, TEXT_SIZE_ID)]))
    layout[4:8] = (len(layout) + 100).to_bytes(4, "little")  # header length no longer the file's
    texts, problems = probe_texts(fixture_apk, tmp_path, bytes(layout))
    # the shortcut does not skip it; the chunk check stops it before androguard trusts the size
    assert [p for p in problems if p.startswith(LAYOUT) and "claims" in p]
    assert bytes(layout) not in parsed_entries
    assert texts == []


def test_text_layout_that_is_not_binary_xml_is_reported(fixture_apk, tmp_path):
    _texts, problems = probe_texts(fixture_apk, tmp_path, b"<TextView android:text='plain xml'/>")
    assert [p for p in problems if p.startswith(LAYOUT)]


def _all_layout_texts_without_the_shortcut(monkeypatch, path: Path) -> tuple:
    with monkeypatch.context() as patched:
        patched.setattr(apk_source, "_layout_text_detector", lambda: lambda data: True)
        unfiltered = open_apk(path)
    return unfiltered.layout_texts, unfiltered.problems


@pytest.mark.parametrize("name", ["facedoor", "idcollect", "bioprompt", "cameraonly"])
def test_fixture_layout_texts_equal_those_of_parsing_every_layout(fixture_apk, monkeypatch, name):
    path = fixture_apk(name)
    assert (open_apk(path).layout_texts, open_apk(path).problems) == (
        _all_layout_texts_without_the_shortcut(monkeypatch, path)
    )


@pytest.mark.parametrize(
    "apk", ["androguard/app-prod-debug.apk", "androguard/a2dp.Vol_137.apk", "PolicyLibDemo/app-debug.apk"]
)
def test_corpus_layout_texts_equal_those_of_parsing_every_layout(corpus_apk, monkeypatch, apk):
    path = corpus_apk(apk)
    source = open_apk(path)
    assert source.layout_texts  # the comparison is not between two empty lists
    assert (source.layout_texts, source.problems) == _all_layout_texts_without_the_shortcut(monkeypatch, path)
