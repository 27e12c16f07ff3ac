"""Running the local tools the model asks for: which are on, where they are allowed, and the calls themselves.

Calls of one turn run concurrently, each in a worker thread (a handler may be slow: pint loads its units, a
file is read). A tool with side effects runs only after `confirm` says yes; malformed arguments, an unknown
tool, a refusal or a failure become an error result the model reads, never an exception here.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

from desktop_assistant.config.provider import ResolvedProvider
from desktop_assistant.domain.models import ToolCall
from desktop_assistant.domain.params import ChatParams

if TYPE_CHECKING:
    from desktop_assistant.domain.tools import Tool, ToolContext, ToolRegistry

log = logging.getLogger(__name__)

MAX_TOOL_ROUNDS = 6  # model -> tools -> model ... at most this many times in one turn
RESULT_LIMIT = 30_000  # characters of a tool result sent back (a huge one would flood the context)


class ToolOutcome(NamedTuple):
    call: ToolCall
    result: str  # what the model reads (JSON text)
    arguments: Any  # parsed, for display (the raw text when it was not valid JSON)
    duration_ms: int
    error: bool


class ToolRunner:
    def __init__(self, registry: ToolRegistry | None = None,
                 supported: Callable[[ResolvedProvider], bool] = lambda _p: True,
                 mark_unsupported: Callable[[ResolvedProvider], None] = lambda _p: None) -> None:
        self._registry = registry
        self._supported = supported
        self._mark_unsupported = mark_unsupported
        # Asks the user before a tool with side effects runs; without one such tools are refused.
        self.confirm: Callable[[ToolCall, Tool], Awaitable[bool]] | None = None

    @property
    def registry(self) -> ToolRegistry:
        """The tools, built on first use: the tool module (with its parsers) is not needed to start the app."""
        if self._registry is None:
            from desktop_assistant.domain.tools import built_in_tools

            self._registry = built_in_tools()
        return self._registry

    def enabled(self, params: ChatParams) -> list[str]:
        names = params.tools if params.tools is not None else tuple(self.registry.default_enabled())
        return [name for name in names if self.registry.get(name) is not None]

    def specs(self, params: ChatParams, provider: ResolvedProvider) -> list[dict[str, Any]] | None:
        """The `tools` of a request, or None when none are on or this provider's server refuses them."""
        enabled = self.enabled(params)
        if not enabled or not self._supported(provider):
            return None
        return self.registry.specs(enabled)

    def supported(self, provider: ResolvedProvider) -> bool:
        return self._supported(provider)

    def mark_unsupported(self, provider: ResolvedProvider) -> None:
        self._mark_unsupported(provider)

    async def run(self, calls: Sequence[ToolCall], context: ToolContext, allowed: Sequence[str]) -> list[ToolOutcome]:
        """Run every call (concurrently); the outcomes come back in the calls' order."""
        return list(await asyncio.gather(*(self._one(call, context, allowed) for call in calls)))

    async def _one(self, call: ToolCall, context: ToolContext, allowed: Sequence[str]) -> ToolOutcome:
        from desktop_assistant.domain.tools import ToolError, parse_arguments

        started = time.monotonic()
        arguments: Any = call.arguments
        error = True
        tool = self.registry.get(call.name) if call.name in allowed else None
        try:
            if tool is None:
                raise ToolError(f"There is no tool called {call.name!r}. Available: {', '.join(allowed) or 'none'}.")
            arguments = parse_arguments(call.arguments)
            if tool.side_effects and not (self.confirm is not None and await self.confirm(call, tool)):
                raise ToolError("The user did not allow this action. Do not try it again; answer without it.")
            result = await asyncio.to_thread(tool.handler, arguments, context)
            error = False
        except ToolError as exc:
            result = json.dumps({"error": str(exc)}, ensure_ascii=False)
        except Exception as exc:  # a bug in a handler: the model hears that it failed, the log has the rest
            log.exception("tool %s failed", call.name)
            result = json.dumps({"error": f"The tool failed unexpectedly ({type(exc).__name__})."})
        if len(result) > RESULT_LIMIT:
            result = result[:RESULT_LIMIT] + "…[cut]"
        return ToolOutcome(call, result, arguments, round((time.monotonic() - started) * 1000), error)


def rejects_tools(error_kind: str, param: str, detail: str) -> bool:
    """Whether a failed request failed because the server does not take `tools` (then it is sent again
    without them): the error names the tools parameter, or says tools/functions are not supported."""
    if param in ("tools", "tool_choice", "parallel_tool_calls"):
        return True
    text = detail.lower()
    return error_kind in ("bad_request", "param_rejected") and (
        "tool" in text or "function call" in text) and ("support" in text or "unknown" in text
                                                         or "unrecognized" in text or "not allowed" in text)


__all__ = ["MAX_TOOL_ROUNDS", "ToolOutcome", "ToolRunner", "rejects_tools"]
