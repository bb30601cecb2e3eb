"""One escaper per output language. Every string in a report may come from an untrusted app or page.

- HTML: Jinja2 autoescaping (reports.templating), nothing by hand.
- Markdown: md_escape, for every value a Markdown document shows (reports, campaign pages, diffs, leads).
- Spreadsheets (CSV, XLSX): spreadsheet_cell, so a cell is never read as a formula.
- Terminal: terminal_text, so a value never reads as rich console markup.
"""

from __future__ import annotations

import re

_MD_SPECIALS = re.compile(r"([\\`*\[\]|~])")
# "_" opens emphasis only at a word boundary; inside identifiers (access_control) it is plain.
_MD_BOUNDARY_UNDERSCORE = re.compile(r"(?<![0-9A-Za-z])_|_(?![0-9A-Za-z])")
_MD_ENTITY_START = re.compile(r"&(?=#?[0-9A-Za-z]+;)")
# Markers that only mean something at the start of a line: heading, quote, list item.
_MD_LINE_START = re.compile(r"^(#|>|[-+](?=\s))|^(\d+)([.)](?=\s))")
_NEWLINES = re.compile(r"\r\n|\r|\n")


def _escape_line_start(match: re.Match[str]) -> str:
    if match.group(1):
        return "\\" + match.group(1)
    return match.group(2) + "\\" + match.group(3)  # "1. " → "1\. ": the dot is the marker


def md_escape(value: object) -> str:
    """Text from an app or page, made inert in Markdown: specials backslash-escaped, "<" as an
    entity (a viewer that renders inline HTML must not run it), newlines as <br> so a value never
    ends a table row or a paragraph."""
    text = _MD_ENTITY_START.sub("&amp;", str(value)).replace("<", "&lt;")
    text = _MD_SPECIALS.sub(r"\\\1", text)
    text = _MD_BOUNDARY_UNDERSCORE.sub(r"\\_", text)
    text = _MD_LINE_START.sub(_escape_line_start, text)
    return _NEWLINES.sub("<br>", text)



_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_XLSX_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def spreadsheet_cell(value: object) -> str:
    """A cell a spreadsheet shows as text: a leading formula character is quoted with an apostrophe,
    and control characters XLSX cannot hold are removed."""
    text = "" if value is None else _XLSX_ILLEGAL.sub("", str(value))
    return "'" + text if text.startswith(_FORMULA_START) else text


def terminal_text(value: object) -> str:
    """Text for a rich console: square brackets escaped, so "[red]" from an app stays text."""
    from rich.markup import escape

    return escape(str(value))
