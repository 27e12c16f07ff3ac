"""Translated words for each kind of failure: what happened and what to do."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from PySide6.QtCore import QCoreApplication

from desktop_assistant.domain.errors import AssistantError, ErrorKind


class Action(Enum):
    NONE = "none"
    RETRY = "retry"
    OPEN_PROVIDER = "open_provider"  # set or fix the key / URL
    OPEN_SETTINGS = "open_settings"  # pick another model


@dataclass(frozen=True, slots=True)
class ErrorText:
    title: str
    body: str
    actions: tuple[Action, ...]


# pyside6-lupdate extracts only literal strings passed straight to translate("Context", "text"): keep the
# "Errors" context and each text literal at the call (a one-argument helper would hide them from it).
translate = QCoreApplication.translate


def describe(error: AssistantError) -> ErrorText:
    kind = error.kind
    detail = f"\n{error.detail}" if error.detail else ""
    if kind == ErrorKind.NO_KEY:
        return ErrorText(translate("Errors", "No API key"),
                         translate("Errors", "Add an API key for this provider to start chatting."),
                         (Action.OPEN_PROVIDER,))
    if kind == ErrorKind.AUTH:
        return ErrorText(translate("Errors", "The API key was refused (401)"),
                         translate("Errors", "Check the key in the provider settings; it may be mistyped, revoked or "
                                             "for another server.") + detail,
                         (Action.OPEN_PROVIDER, Action.RETRY))
    if kind == ErrorKind.PERMISSION:
        return ErrorText(translate("Errors", "Access denied (403)"),
                         translate("Errors", "This key may not use this model or endpoint, or your region is not "
                                             "supported.") + detail,
                         (Action.OPEN_SETTINGS, Action.RETRY))
    if kind == ErrorKind.MODEL_NOT_FOUND:
        return ErrorText(translate("Errors", "Model not found (404)"),
                         translate("Errors", "The server does not offer this model. Pick another model in the chat "
                                             "settings.") + detail,
                         (Action.OPEN_SETTINGS,))
    if kind == ErrorKind.RATE_LIMIT:
        return ErrorText(translate("Errors", "Rate limit reached (429)"),
                         translate("Errors", "Too many requests for now. Wait a moment, then retry.") + detail,
                         (Action.RETRY,))
    if kind == ErrorKind.QUOTA:
        return ErrorText(translate("Errors", "Quota used up (429)"),
                         translate("Errors", "Your account has no credit or quota left. Check billing with your "
                                             "provider.") + detail,
                         (Action.RETRY,))
    if kind == ErrorKind.SERVER:
        return ErrorText(translate("Errors", "The server had a problem"),
                         translate("Errors", "The provider returned a server error. It is usually temporary; retry in "
                                             "a moment.") + detail,
                         (Action.RETRY,))
    if kind == ErrorKind.TIMEOUT:
        return ErrorText(translate("Errors", "The request timed out"),
                         translate("Errors", "The server did not answer in time. Check your connection or proxy, then "
                                             "retry."),
                         (Action.RETRY,))
    if kind == ErrorKind.CONNECTION:
        return ErrorText(translate("Errors", "Could not connect"),
                         translate("Errors", "The server could not be reached. Check the base URL, your network and "
                                             "proxy settings.") + detail,
                         (Action.RETRY, Action.OPEN_PROVIDER))
    if kind == ErrorKind.STREAM_CUT:
        return ErrorText(translate("Errors", "The connection dropped mid-reply"),
                         translate("Errors", "The text received so far is kept. Regenerate to get a complete reply."),
                         (Action.RETRY,))
    if kind == ErrorKind.CONTEXT_TOO_LONG:
        return ErrorText(translate("Errors", "The conversation is too long for this model"),
                         translate("Errors", "Start a new chat, edit an earlier message to shorten it, or pick a model "
                                             "with a larger context window."),
                         (Action.OPEN_SETTINGS,))
    if kind == ErrorKind.IMAGES_NOT_SUPPORTED:
        return ErrorText(translate("Errors", "This model does not accept images"),
                         translate("Errors", "Pick a vision model in the chat settings (for example gpt-4o or "
                                   "gpt-4o-mini; llava or qwen2.5-vl on local servers), then retry.") + detail,
                         (Action.OPEN_SETTINGS, Action.RETRY))
    if kind == ErrorKind.PARAM_REJECTED:
        return ErrorText(translate("Errors", "The server does not accept the parameter “%1”").replace(
                             "%1", error.param),
                         translate("Errors", "This server or model does not take it, or not with this value. "
                                   "Unset or change it in the chat settings, then retry.") + detail,
                         (Action.OPEN_SETTINGS, Action.RETRY))
    if kind == ErrorKind.BAD_REQUEST:
        return ErrorText(translate("Errors", "The server rejected the request"),
                         translate("Errors", "A setting may not be supported by this server or model.") + detail,
                         (Action.OPEN_SETTINGS, Action.RETRY))
    return ErrorText(translate("Errors", "Something went wrong"),
                     translate("Errors", "An unexpected error occurred.") + detail,
                     (Action.RETRY,))
