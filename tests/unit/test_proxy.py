"""The profile's proxy, and HTTP(S)_PROXY from the environment, really carry the requests."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator

import pytest

from desktop_assistant.config.provider import ResolvedProvider
from desktop_assistant.domain.params import ChatParams
from desktop_assistant.llm.gateway import ChatGateway, ClientOptions
from desktop_assistant.services.chat_session import ChatSession
from tests.conftest import TEST_KEY
from tests.fake_openai import Reply


class ForwardProxy:
    """A minimal HTTP forward proxy (absolute-form requests to http:// targets), recording what it carried."""

    def __init__(self) -> None:
        self.seen: list[str] = []
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self.port = 0

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        self._server = self._loop.run_until_complete(asyncio.start_server(self._handle, "127.0.0.1", 0))
        self.port = self._server.sockets[0].getsockname()[1]
        self._ready.set()
        self._loop.run_forever()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            head = await reader.readuntil(b"\r\n\r\n")
            request_line, _, rest = head.partition(b"\r\n")
            method, target, version = request_line.decode().split(" ")
            self.seen.append(f"{method} {target}")
            authority = target.split("://", 1)[1].split("/", 1)[0]
            path = "/" + target.split("://", 1)[1].split("/", 1)[1]
            host, port = authority.rsplit(":", 1)
            up_reader, up_writer = await asyncio.open_connection(host, int(port))
            # Forward with "Connection: close" so each exchange ends when the upstream closes.
            headers = [h for h in rest.split(b"\r\n") if h and not h.lower().startswith((b"connection", b"proxy-"))]
            up_writer.write(f"{method} {path} {version}\r\n".encode() + b"\r\n".join(headers)
                            + b"\r\nConnection: close\r\n\r\n")
            length = next((int(h.split(b":")[1]) for h in headers if h.lower().startswith(b"content-length")), 0)
            if length:
                up_writer.write(await reader.readexactly(length))
            await up_writer.drain()
            while chunk := await up_reader.read(65536):
                writer.write(chunk)
                await writer.drain()
            up_writer.close()
        except (OSError, asyncio.IncompleteReadError, ValueError, IndexError):
            pass
        finally:
            writer.close()

    def __enter__(self) -> ForwardProxy:
        self._thread.start()
        self._ready.wait(5)
        return self

    def __exit__(self, *exc: object) -> None:
        async def close() -> None:
            self._server.close()
            await self._server.wait_closed()

        asyncio.run_coroutine_threadsafe(close(), self._loop).result(5)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(5)
        self._loop.close()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


@pytest.fixture
def proxy() -> Iterator[ForwardProxy]:
    with ForwardProxy() as running:
        yield running


def _chat(store, network, provider: ResolvedProvider) -> str:
    gateway = ChatGateway(network, ClientOptions(timeout=10, max_retries=0))
    session = ChatSession(store, gateway, lambda: provider, lambda: ChatParams(model="gpt-4o-mini"))

    async def scenario() -> str:
        try:
            result = await session.send("through the proxy")
            assert result.error is None, result.error
            return result.message.content
        finally:
            await gateway.aclose()

    return asyncio.run(asyncio.wait_for(scenario(), 15))


def test_profile_proxy_is_used(store, network, server, proxy):
    server.script(Reply(text="Proxied reply."))
    provider = ResolvedProvider("p", "Via proxy", server.base_url, TEST_KEY, proxy.url, "gpt-4o-mini")
    assert _chat(store, network, provider) == "Proxied reply."
    assert proxy.seen == [f"POST {server.base_url}/chat/completions"]


def test_environment_proxy_is_used(store, network, server, proxy, monkeypatch):
    monkeypatch.setenv("HTTP_PROXY", proxy.url)
    monkeypatch.setenv("NO_PROXY", "")
    server.script(Reply(text="Env proxied."))
    provider = ResolvedProvider("p", "Env proxy", server.base_url, TEST_KEY, "", "gpt-4o-mini")
    assert _chat(store, network, provider) == "Env proxied."
    assert proxy.seen == [f"POST {server.base_url}/chat/completions"]
