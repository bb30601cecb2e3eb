"""Plain-text helpers shared by sources and the pipeline (no spaCy import: sources stay light)."""

from __future__ import annotations

import re

CJK = re.compile(r"[\u4e00-\u9fff]")
LATIN_LETTER = re.compile(r"[A-Za-z]")
# "Heading" lines: numbered or marked short lines without sentence punctuation
# (### 三、…, 第二条 …, （一）…, 1. …, **…**).
HEADING_LINE = re.compile(
    r"^[ \t]*(#{1,6}[ \t]*|\*\*|附[件录][一二三四五六七八九十0-9]*[：:、 ]|第[一二三四五六七八九十百零〇0-9]+[章条节部分]|[一二三四五六七八九十]+[、.．]|"
    r"[（(][一二三四五六七八九十0-9]+[)）]|\d+(\\?\.\d+)*\\?[.．、]?[ \t]+|\d+\\?[.．、])[^\n。；;!?！？]{1,60}$",
    re.MULTILINE,
)
# A line of a table of contents: short, unterminated, numbered or phrased as "how we …".
TOC_LINE = re.compile(
    r"[ \t]*([-*#]+[ \t]*)?(\*\*)?[ \t]*(第?[一二三四五六七八九十0-9]+[、.．章条部分]|[（(][一二三四五六七八九十0-9]+[)）]|"
    r"[^\n]{0,12}如何)[^\n。；;]{0,38}"
)
TOC_MIN_LINES = 4
# Mainland mobile numbers (with or without +86), resident ID numbers (18 digits, last may be X, or the
# old 15-digit form) and landlines with an area code. Digits on either side: part of a longer number.
PHONE = re.compile(r"(?<!\d)((?:\+?86[- ]?)?1[3-9]\d)[- ]?(\d{4})[- ]?(\d{4})(?!\d)")
ID_NUMBER = re.compile(r"(?<![\dA-Za-z])(\d{6})(\d{8}(?=\d{3}[\dXx](?![\dA-Za-z]))|\d{5}(?=\d{4}(?![\dA-Za-z])))(\d{3}[\dXx]|\d{4})(?![\dA-Za-z])")
LANDLINE = re.compile(r"(?<!\d)(0\d{2,3}-)(\d{3,4})(\d{4})(?!\d)")


def detect_language(text: str, sample: int = 20_000) -> str:
    """zh when Chinese characters are at least a fifth of the letters of the first part."""
    head = text[:sample]
    cjk = len(CJK.findall(head))
    latin = len(LATIN_LETTER.findall(head))
    return "zh" if cjk and cjk >= 0.2 * (cjk + latin) else "en"


def heading_sections(text: str) -> tuple[tuple[int, str], ...]:
    """(start offset, heading) for lines that look like headings, in order."""
    return tuple((m.start(), m.group().strip(" \t#*")) for m in HEADING_LINE.finditer(text))


def redact(text: str) -> str:
    """Mask phone and ID numbers in evidence (138****5678, 110101********123X, 010-****5678).

    The kept digits let an auditor match a number they already hold; the rest never leaves the input.
    """
    text = ID_NUMBER.sub(lambda m: m.group(1) + "*" * len(m.group(2)) + m.group(3), text)
    text = PHONE.sub(lambda m: m.group(1) + "****" + m.group(3), text)
    return LANDLINE.sub(lambda m: m.group(1) + "*" * len(m.group(2)) + m.group(3), text)


def toc_ranges(text: str) -> list[tuple[int, int]]:
    """(start, end) of tables of contents: TOC_MIN_LINES or more consecutive TOC-like lines.

    A contents list names every topic once; it states no practice."""
    ranges: list[tuple[int, int]] = []
    run_start, run_end, run_lines, position = -1, -1, 0, 0
    for line in text.split("\n"):
        end = position + len(line)
        if line.strip() and TOC_LINE.fullmatch(line.rstrip()):
            if run_lines == 0:
                run_start = position
            run_end, run_lines = end, run_lines + 1
        elif line.strip():
            if run_lines >= TOC_MIN_LINES:
                ranges.append((run_start, run_end))
            run_lines = 0
        position = end + 1
    if run_lines >= TOC_MIN_LINES:
        ranges.append((run_start, run_end))
    return ranges
