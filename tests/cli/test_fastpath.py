"""`log cramp` through the fast path (crampwise.cli.fastpath): what it takes, what it leaves."""

from __future__ import annotations

import json
from typing import Any

import pytest

from crampwise.cli.fastpath import parse_fast_call

from .conftest import Cli


@pytest.mark.parametrize(
    ("argv", "user", "options"),
    [
        (["log", "cramp"], "me", {"helped": []}),
        (
            ["--user", "ann", "log", "cramp", "--pain", "5", "--helped", "a", "--helped=b"],
            "ann",
            {"pain": 5, "helped": ["a", "b"]},
        ),
        (
            ["--user=bo", "log", "cramp", "--no-woke", "-f", "JSON", "--at=3am"],
            "bo",
            {"woke": False, "fmt": "json", "at": "3am", "helped": []},
        ),
    ],
)
def test_fast_path_parses_plain_log_cramp(
    argv: list[str], user: str, options: dict[str, Any]
) -> None:
    call = parse_fast_call(argv)
    assert call is not None and call.command.words == ("log", "cramp")
    assert (call.user, call.options) == (user, options)


@pytest.mark.parametrize(
    "argv",
    [
        ["log", "cramp", "--help"],
        ["log", "cramp", "--pain", "x"],
        ["log", "cramp", "--pain", "--5"],
        ["log", "cramp", "--pain", "²"],
        ["log", "cramp", "--note"],
        ["log", "cramp", "extra"],
        ["log", "cramp", "--format", "xml"],
        ["log", "day"],
        ["--user", "log", "cramp"],
        ["--verbose", "log", "cramp"],
    ],
)
def test_fast_path_leaves_everything_else_to_typer(argv: list[str]) -> None:
    assert parse_fast_call(argv) is None


def test_a_value_typer_must_explain_exits_2_and_writes_nothing(cli: Cli) -> None:
    for bad in ("--5", "²", "x"):
        result = cli("log", "cramp", "--pain", bad)
        assert result.code == 2, result.err
        assert "Invalid value for '--pain'" in result.err and "Traceback" not in result.err
    assert json.loads(cli("diary").out)["nights"] == []
