"""The one Jinja2 environment the HTML and Markdown reporters share."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import jinja2

from reports.escape import md_escape

TEMPLATES = Path(__file__).parent / "templates"


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
