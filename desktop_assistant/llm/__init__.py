"""The one place that talks HTTP to OpenAI-compatible servers."""

from .gateway import ChatGateway, StreamBatch
from .network_thread import NetworkThread

__all__ = ["ChatGateway", "NetworkThread", "StreamBatch"]
