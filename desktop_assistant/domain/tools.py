"""Local tools the model may call: a registry of name, description, JSON-schema parameters and handler.

Handlers take the parsed arguments and a ToolContext and return text for the model. They raise ToolError for
bad arguments or failures they can explain; the loop turns that into an error result for the model, never a
crash. `side_effects` tools ask the user before they run. The built-in tools are safe by construction:
they read nothing but what the user attached and change nothing.
"""

from __future__ import annotations

import ast
import datetime as dt
import json
import math
import operator
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any


class ToolError(Exception):
    """What went wrong, in words the model can act on."""


@dataclass(frozen=True, slots=True)
class TextFile:
    """A text file the user attached to the conversation (what read_text_file may read)."""

    name: str
    text: str


@dataclass(slots=True)
class ToolContext:
    files: Sequence[TextFile] = ()
    now: Callable[[], dt.datetime] = lambda: dt.datetime.now().astimezone()


@dataclass(frozen=True, slots=True)
class Tool:
    name: str
    description: str
    parameters: dict[str, Any]
    handler: Callable[[dict[str, Any], ToolContext], str]
    side_effects: bool = False
    default_on: bool = True

    def spec(self) -> dict[str, Any]:
        """The `tools` entry of a chat request."""
        return {"type": "function", "function": {"name": self.name, "description": self.description,
                                                 "parameters": self.parameters}}


@dataclass(slots=True)
class ToolRegistry:
    tools: dict[str, Tool] = field(default_factory=dict)

    def add(self, tool: Tool) -> None:
        self.tools[tool.name] = tool

    def get(self, name: str) -> Tool | None:
        return self.tools.get(name)

    def specs(self, enabled: Sequence[str]) -> list[dict[str, Any]]:
        return [self.tools[name].spec() for name in enabled if name in self.tools]

    def default_enabled(self) -> list[str]:
        return [name for name, tool in self.tools.items() if tool.default_on]


def parse_arguments(raw: str) -> dict[str, Any]:
    """The model's JSON arguments; ToolError when they are not a JSON object."""
    try:
        value = json.loads(raw or "{}")
    except ValueError as exc:
        raise ToolError(f"The arguments are not valid JSON ({exc}). Send a JSON object.") from None
    if not isinstance(value, dict):
        raise ToolError("The arguments must be a JSON object.")
    return value


# --- calculator: the expression is parsed into a syntax tree and only arithmetic nodes are evaluated ---------

_BINARY = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.Div: operator.truediv,
           ast.FloorDiv: operator.floordiv, ast.Mod: operator.mod, ast.Pow: operator.pow}
_UNARY = {ast.UAdd: operator.pos, ast.USub: operator.neg}
_FUNCTIONS: dict[str, Callable[..., float]] = {
    "sqrt": math.sqrt, "abs": abs, "round": round, "floor": math.floor, "ceil": math.ceil, "exp": math.exp,
    "ln": math.log, "log": math.log, "log10": math.log10, "log2": math.log2, "sin": math.sin, "cos": math.cos,
    "tan": math.tan, "asin": math.asin, "acos": math.acos, "atan": math.atan, "degrees": math.degrees,
    "radians": math.radians, "factorial": math.factorial, "min": min, "max": max, "hypot": math.hypot,
}
_CONSTANTS = {"pi": math.pi, "e": math.e, "tau": math.tau}
_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}(?!\d))")  # 1,234,567 -> 1234567; max(3, 7) keeps its commas
MAX_EXPONENT = 10_000  # 9**9**9 would take the machine down: refuse huge powers
MAX_LENGTH = 500


def calculate(expression: str) -> float | int:
    if len(expression) > MAX_LENGTH:
        raise ToolError(f"The expression is longer than {MAX_LENGTH} characters.")
    text = _THOUSANDS.sub("", expression.replace("^", "**").replace("×", "*").replace("÷", "/"))
    try:
        tree = ast.parse(text, mode="eval")
    except SyntaxError:
        raise ToolError(f"Cannot read {expression!r} as arithmetic.") from None

    def value(node: ast.AST) -> Any:
        if isinstance(node, ast.Expression):
            return value(node.body)
        if isinstance(node, ast.Constant) and isinstance(node.value, int | float) and not isinstance(node.value,
                                                                                                       bool):
            return node.value
        if isinstance(node, ast.Name) and node.id in _CONSTANTS:
            return _CONSTANTS[node.id]
        if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
            left, right = value(node.left), value(node.right)
            if isinstance(node.op, ast.Pow) and abs(right) > MAX_EXPONENT:
                raise ToolError("The exponent is too large.")
            return _BINARY[type(node.op)](left, right)
        if isinstance(node, ast.UnaryOp) and type(node.op) in _UNARY:
            return _UNARY[type(node.op)](value(node.operand))
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in _FUNCTIONS
                and not node.keywords):
            args = [value(a) for a in node.args]
            if node.func.id == "factorial" and (not args or args[0] > 1000):
                raise ToolError("factorial() takes a whole number up to 1000.")
            return _FUNCTIONS[node.func.id](*args)
        raise ToolError(f"Only numbers, + - * / // % ** and {', '.join(sorted(_FUNCTIONS))} are allowed.")

    try:
        result = value(tree)
    except ZeroDivisionError:
        raise ToolError("Division by zero.") from None
    except (ValueError, TypeError, OverflowError) as exc:
        raise ToolError(f"Cannot compute it: {exc}.") from None
    return result


def _calculator(args: dict[str, Any], _context: ToolContext) -> str:
    expression = args.get("expression")
    if not isinstance(expression, str) or not expression.strip():
        raise ToolError('Give the arithmetic as a string in "expression".')
    result = calculate(expression)
    if isinstance(result, float) and result.is_integer() and abs(result) < 1e15:
        result = int(result)
    return json.dumps({"expression": expression, "result": result})


def _now(args: dict[str, Any], context: ToolContext) -> str:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    name = args.get("timezone")
    moment = context.now()
    if name:
        try:
            moment = moment.astimezone(ZoneInfo(str(name)))
        except (ZoneInfoNotFoundError, ValueError):
            raise ToolError(f"Unknown time zone {name!r}; use an IANA name such as Asia/Shanghai.") from None
    return json.dumps({"iso": moment.isoformat(timespec="seconds"), "weekday": moment.strftime("%A"),
                       "timezone": str(moment.tzinfo), "utc_offset": moment.strftime("%z")})


def _convert(args: dict[str, Any], _context: ToolContext) -> str:
    try:
        value = float(args["value"])
        source, target = str(args["from_unit"]), str(args["to_unit"])
    except (KeyError, TypeError, ValueError):
        raise ToolError('Give "value" (a number), "from_unit" and "to_unit".') from None
    import pint  # imported on first use: it takes a moment to load its unit definitions

    registry = _unit_registry()
    try:
        quantity = registry.Quantity(value, source).to(target)
    except pint.errors.UndefinedUnitError as exc:
        raise ToolError(f"Unknown unit: {exc}.") from None
    except pint.errors.DimensionalityError:
        raise ToolError(f"Cannot convert {source} to {target}: they measure different things.") from None
    return json.dumps({"value": value, "from_unit": source, "result": float(f"{quantity.magnitude:.10g}"),
                       "to_unit": target})


_REGISTRY: Any = None


def _unit_registry() -> Any:
    global _REGISTRY
    if _REGISTRY is None:
        import pint

        _REGISTRY = pint.UnitRegistry(autoconvert_offset_to_baseunit=True)
    return _REGISTRY


MAX_READ_CHARS = 20_000


def _read_text_file(args: dict[str, Any], context: ToolContext) -> str:
    name = str(args.get("name", ""))
    files = {f.name: f for f in context.files}
    if not files:
        raise ToolError("No text file is attached to this conversation.")
    if name not in files:
        raise ToolError(f"No attached file is called {name!r}. Attached: {', '.join(sorted(files))}.")
    text = files[name].text
    start = max(0, int(args.get("offset") or 0))
    limit = min(MAX_READ_CHARS, max(1, int(args.get("max_chars") or MAX_READ_CHARS)))
    chunk = text[start:start + limit]
    return json.dumps({"name": name, "offset": start, "length": len(text), "text": chunk,
                       "truncated": start + len(chunk) < len(text)}, ensure_ascii=False)


def built_in_tools() -> ToolRegistry:
    registry = ToolRegistry()
    registry.add(Tool(
        "calculator", "Evaluate an arithmetic expression exactly (+ - * / // % **, sqrt, log, sin, pi, ...). "
        "Use it for any calculation instead of doing it in your head.",
        {"type": "object", "properties": {"expression": {"type": "string", "description": "e.g. (3.5 + 2) * 4^2"}},
         "required": ["expression"], "additionalProperties": False},
        _calculator))
    registry.add(Tool(
        "current_datetime", "The current date, time and weekday, in the user's time zone or a given IANA one.",
        {"type": "object", "properties": {"timezone": {"type": "string",
                                                       "description": "IANA name, e.g. Europe/Paris (optional)"}},
         "additionalProperties": False},
        _now))
    registry.add(Tool(
        "convert_units", "Convert a quantity between units (length, mass, volume, temperature, speed, area, "
        "energy, data, time ...).",
        {"type": "object", "properties": {
            "value": {"type": "number"}, "from_unit": {"type": "string", "description": "e.g. mile, degF, kg"},
            "to_unit": {"type": "string", "description": "e.g. km, degC, lb"}},
         "required": ["value", "from_unit", "to_unit"], "additionalProperties": False},
        _convert))
    registry.add(Tool(
        "read_text_file", "Read a text file the user attached to this conversation (in pieces of up to "
        f"{MAX_READ_CHARS} characters).",
        {"type": "object", "properties": {
            "name": {"type": "string", "description": "the file name as attached"},
            "offset": {"type": "integer", "description": "character to start at (default 0)"},
            "max_chars": {"type": "integer", "description": f"at most {MAX_READ_CHARS}"}},
         "required": ["name"], "additionalProperties": False},
        _read_text_file))
    return registry


__all__ = ["TextFile", "Tool", "ToolContext", "ToolError", "ToolRegistry", "built_in_tools", "calculate",
           "parse_arguments"]
