"""Failures a user can act on. The UI turns each kind into translated words and an action."""

from __future__ import annotations

from enum import StrEnum


class ErrorKind(StrEnum):
    NO_KEY = "no_key"
    AUTH = "auth"  # 401
    PERMISSION = "permission"  # 403
    MODEL_NOT_FOUND = "model_not_found"  # 404
    RATE_LIMIT = "rate_limit"  # 429, too many requests
    QUOTA = "quota"  # 429, insufficient_quota
    SERVER = "server"  # 5xx
    TIMEOUT = "timeout"
    CONNECTION = "connection"  # refused, DNS, proxy
    STREAM_CUT = "stream_cut"  # the connection dropped mid-reply
    CONTEXT_TOO_LONG = "context_too_long"
    IMAGES_NOT_SUPPORTED = "images_not_supported"  # a 400 saying this model takes no image input
    PARAM_REJECTED = "param_rejected"  # a 400 naming a parameter this server or model does not take
    BAD_REQUEST = "bad_request"  # other 400/422
    UNEXPECTED = "unexpected"


# Kinds where trying the same request again can succeed.
RETRYABLE = frozenset({
    ErrorKind.RATE_LIMIT, ErrorKind.SERVER, ErrorKind.TIMEOUT, ErrorKind.CONNECTION,
    ErrorKind.STREAM_CUT, ErrorKind.UNEXPECTED,
})


class AssistantError(Exception):
    """A domain error: `kind` says what happened, `detail` is the server's own words (no secrets)."""

    def __init__(self, kind: ErrorKind, detail: str = "", status: int | None = None, param: str = "") -> None:
        super().__init__(f"{kind.value}: {detail}" if detail else kind.value)
        self.kind = kind
        self.detail = detail
        self.status = status
        self.param = param  # the request parameter the server named, for PARAM_REJECTED

    @property
    def retryable(self) -> bool:
        return self.kind in RETRYABLE
