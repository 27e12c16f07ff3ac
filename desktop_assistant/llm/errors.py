"""SDK exceptions -> domain errors a user can act on. Never copies request headers (keys)."""

from __future__ import annotations

from typing import Any

from desktop_assistant.domain.errors import AssistantError, ErrorKind

# How servers word "this model cannot see images" (OpenAI, vLLM, Ollama, gateways).
_IMAGE_HINTS = ("image_url is only supported", "does not support image", "image input", "vision", "multimodal",
                "images are not supported", "image content")
_CONTEXT_HINTS = ("context_length_exceeded", "maximum context length", "context window", "too many tokens")


def _body_param(exc: Any) -> str:
    body = getattr(exc, "body", None)
    inner = body.get("error", body) if isinstance(body, dict) else None
    param = inner.get("param") if isinstance(inner, dict) else None
    return str(param) if isinstance(param, str) else ""


def _body_error(exc: Any) -> tuple[str, str]:
    """(code, message) from an OpenAI-style error body, tolerant of gateways' variations."""
    body = getattr(exc, "body", None)
    if isinstance(body, dict):
        inner = body.get("error", body)
        if isinstance(inner, dict):
            return str(inner.get("code") or inner.get("type") or ""), str(inner.get("message") or "")
        if isinstance(inner, str):
            return "", inner
    return str(getattr(exc, "code", "") or ""), str(getattr(exc, "message", "") or "")


def map_exception(exc: BaseException, *, received_text: bool = False) -> AssistantError:
    """Translate anything the SDK or transport raises into an AssistantError."""
    import openai  # the caller has already imported it; kept local so this module imports cheaply

    if isinstance(exc, AssistantError):
        return exc
    if isinstance(exc, openai.APITimeoutError):
        return AssistantError(ErrorKind.STREAM_CUT if received_text else ErrorKind.TIMEOUT, "")
    if isinstance(exc, openai.APIConnectionError):
        cause = exc.__cause__ or exc.__context__
        detail = type(cause).__name__ if cause else ""
        return AssistantError(ErrorKind.STREAM_CUT if received_text else ErrorKind.CONNECTION, detail)
    if isinstance(exc, openai.APIStatusError):
        status = exc.status_code
        code, message = _body_error(exc)
        lowered = f"{code} {message}".lower()
        if any(hint in lowered for hint in _CONTEXT_HINTS):
            kind = ErrorKind.CONTEXT_TOO_LONG
        elif status in (400, 422) and any(hint in lowered for hint in _IMAGE_HINTS):
            kind = ErrorKind.IMAGES_NOT_SUPPORTED
        elif status in (400, 422) and (param := _body_param(exc)) and param not in ("messages", "model"):
            # "Unsupported parameter: 'seed'", "Unrecognized request argument supplied: n", ...
            return AssistantError(ErrorKind.PARAM_REJECTED, _redact(message), status, param=param)
        elif status == 401:
            kind = ErrorKind.AUTH
        elif status == 403:
            kind = ErrorKind.PERMISSION
        elif status == 404:
            kind = ErrorKind.MODEL_NOT_FOUND
        elif status == 429:
            quota = "insufficient_quota" in lowered or "quota" in lowered or "billing" in lowered
            kind = ErrorKind.QUOTA if quota else ErrorKind.RATE_LIMIT
        elif status >= 500:
            kind = ErrorKind.SERVER
        else:
            kind = ErrorKind.BAD_REQUEST
        return AssistantError(kind, _redact(message), status)
    if isinstance(exc, openai.APIError):  # an error event inside a stream
        _code, message = _body_error(exc)
        return AssistantError(ErrorKind.SERVER, _redact(message or str(exc)))
    return AssistantError(ErrorKind.UNEXPECTED, f"{type(exc).__name__}: {_redact(str(exc))}")


def _redact(text: str) -> str:
    """Servers sometimes echo the key back ("Incorrect API key provided: sk-abc...")."""
    from desktop_assistant.domain.redact import redact_secrets

    return redact_secrets(text)[:500]
