"""The one Jinja2 environment the HTML and Markdown reporters share."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import jinja2

TEMPLATES = Path(__file__).parent / "templates"

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


@cache
def html_environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,  # every string in a report may come from an untrusted app or page
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )


@cache
def markdown_environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=False,  # Markdown escaping is done by the `md` filter on every document value
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )
    env.filters["md"] = md_escape
    return env
