"""--help speaks in placeholders a reader understands (DIR, FILE, N, zh|en), never in Python types,
and the commands a new user starts with show examples."""

from __future__ import annotations

import re

import pytest
from typer.testing import CliRunner

from scanner.cli import app

COMMANDS = [["scan"], ["crawl"], ["report"], ["diff"], ["leads"], ["campaign"], ["rules", "list"], ["rules", "show"],
            ["rules", "validate"], ["rules", "test"], ["rules", "new"]]
WITH_EXAMPLES = [["scan"], ["crawl"], ["report"], ["diff"], ["leads"], ["campaign"]]
PYTHON_TYPES = re.compile(r"<(?:path|str|int|float|bool|list|Path)[^>]*>|\blist\[|\bNoneType\b")


def help_text(command: list[str]) -> str:
    result = CliRunner().invoke(app, [*command, "--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    return result.output


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_help_shows_no_python_types(command: list[str]) -> None:
    text = help_text(command)
    assert not PYTHON_TYPES.search(text), PYTHON_TYPES.search(text)


@pytest.mark.parametrize("command", WITH_EXAMPLES, ids=" ".join)
def test_help_has_examples(command: list[str]) -> None:
    text = help_text(command)
    assert "Examples:" in text and f"fangcun {command[0]} " in text.split("Examples:", 1)[1]


def test_options_show_what_they_take() -> None:
    text = help_text(["scan"])
    for option, placeholder in (("--output", "DIR"), ("--db", "FILE"), ("--jobs", "N"), ("--policy", "FILE|URL"),
                                ("--lang", "zh|en")):
        assert re.search(rf"{option}\b[^\n]*\b{re.escape(placeholder)}", text), option
