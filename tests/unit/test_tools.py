"""The built-in local tools: safe by construction, clear errors for the model, exact results."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from desktop_assistant.domain.tools import TextFile, ToolContext, ToolError, built_in_tools, calculate, parse_arguments

TOOLS = built_in_tools()


def call(name: str, args: dict, context: ToolContext | None = None) -> dict:
    return json.loads(TOOLS.get(name).handler(args, context or ToolContext()))


@pytest.mark.parametrize(("expression", "result"), [
    ("2 + 3 * 4", 14), ("(3.5 + 2) * 4^2", 88.0), ("2**10", 1024), ("sqrt(2)**2", pytest.approx(2.0)),
    ("10 // 3 + 10 % 3", 4), ("-(-5)", 5), ("1,234 × 2", 2468), ("pi * 2", pytest.approx(6.283185307)),
    ("max(3, 7, 5)", 7), ("factorial(10)", 3628800), ("log10(1000)", pytest.approx(3.0)),
])
def test_calculator_computes(expression: str, result: object) -> None:
    assert calculate(expression) == result


@pytest.mark.parametrize("expression", [
    "__import__('os').system('echo hi')", "open('/etc/passwd')", "(1).__class__", "[x for x in ()]",
    "lambda: 1", "a + 1", "'text' * 3", "9**9**9", "1/0", "factorial(100000)", "sqrt(-1)", "x" * 600, "2 +",
])
def test_calculator_refuses_anything_but_arithmetic(expression: str) -> None:
    with pytest.raises(ToolError):
        calculate(expression)


def test_calculator_tool_result_is_json_for_the_model() -> None:
    assert call("calculator", {"expression": "6 * 7"}) == {"expression": "6 * 7", "result": 42}
    with pytest.raises(ToolError):
        call("calculator", {"expr": "6 * 7"})


def test_current_datetime_in_the_users_and_another_zone() -> None:
    fixed = dt.datetime(2026, 11, 21, 15, 30, tzinfo=dt.UTC)
    context = ToolContext(now=lambda: fixed)
    assert call("current_datetime", {}, context)["iso"] == "2026-11-21T15:30:00+00:00"
    shanghai = call("current_datetime", {"timezone": "Asia/Shanghai"}, context)
    assert shanghai["iso"] == "2026-11-21T23:30:00+08:00" and shanghai["weekday"] == "Saturday"
    with pytest.raises(ToolError, match="IANA"):
        call("current_datetime", {"timezone": "Mars/Olympus"}, context)


def test_unit_conversion() -> None:
    assert call("convert_units", {"value": 1, "from_unit": "mile", "to_unit": "km"})["result"] == 1.609344
    assert call("convert_units", {"value": 212, "from_unit": "degF", "to_unit": "degC"})["result"] == 100.0
    assert call("convert_units", {"value": 2, "from_unit": "kg", "to_unit": "lb"})["result"] == pytest.approx(4.409245)
    with pytest.raises(ToolError, match="different things"):
        call("convert_units", {"value": 1, "from_unit": "kg", "to_unit": "km"})
    with pytest.raises(ToolError, match="Unknown unit"):
        call("convert_units", {"value": 1, "from_unit": "blorp", "to_unit": "km"})


def test_read_text_file_reads_only_attached_files_in_pieces() -> None:
    context = ToolContext(files=[TextFile("notes.md", "第一行\n" + "x" * 30_000)])
    first = call("read_text_file", {"name": "notes.md"}, context)
    assert first["text"].startswith("第一行") and first["truncated"] and first["length"] == 30_004
    rest = call("read_text_file", {"name": "notes.md", "offset": 20_000}, context)
    assert len(rest["text"]) == 10_004 and not rest["truncated"]
    with pytest.raises(ToolError, match=r"notes\.md"):
        call("read_text_file", {"name": "/etc/passwd"}, context)
    with pytest.raises(ToolError, match="No text file"):
        call("read_text_file", {"name": "a.txt"}, ToolContext())


def test_specs_and_malformed_arguments() -> None:
    specs = TOOLS.specs(TOOLS.default_enabled())
    assert [s["function"]["name"] for s in specs] == ["calculator", "current_datetime", "convert_units",
                                                      "read_text_file"]
    assert all(s["type"] == "function" and s["function"]["parameters"]["type"] == "object" for s in specs)
    assert parse_arguments('{"a": 1}') == {"a": 1}
    for raw in ('{"a": ', "[1]", "null"):
        with pytest.raises(ToolError):
            parse_arguments(raw)
