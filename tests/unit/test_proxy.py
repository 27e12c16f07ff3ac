"""Proxies really carry the requests: the profile's (HTTP or SOCKS5), and HTTP_PROXY / HTTPS_PROXY / ALL_PROXY from
the environment; servers on this machine are reached directly."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator

import pytest

from desktop_assistant.config.provider import ResolvedProvider
from desktop_assistant.domain.errors import ErrorKind
from desktop_assistant.domain.params import ChatParams
from desktop_assistant.llm.gateway import ChatGateway, ClientOptions
from desktop_assistant.services.chat_session import ChatSession
from tests.conftest import TEST_KEY
from tests.fake_openai import Reply

# A name only the test proxies know: they connect every name to the fake server's machine, so a request to it
# can only succeed through a proxy (the machine's resolver has never heard of it).
REMOTE_HOST = "api.example.test"


class ProxyServer:
    """A proxy on 127.0.0.1 in a thread of its own, recording the targets it was asked for."""

    def __init__(self) -> None:
        self.seen: list[str] = []
        # Open connections, so that closing the proxy ends them while its loop still runs (a client's keep-alive
        # connection may outlive the request; left to the garbage collector, it warns of unclosed transports).
        self._tasks: set[asyncio.Task] = set()
        self._writers: set[asyncio.StreamWriter] = set()
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self.port = 0

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        self._server = self._loop.run_until_complete(asyncio.start_server(self._serve, "127.0.0.1", 0))
        self.port = self._server.sockets[0].getsockname()[1]
        self._ready.set()
        self._loop.run_forever()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        self._writers.add(writer)
        try:
            await self._handle(reader, writer)
        except (OSError, asyncio.IncompleteReadError, ValueError, IndexError):
            pass
        finally:
            writer.close()
            self._tasks.discard(task)

    async def _upstream(self, port: int) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        up_reader, up_writer = await asyncio.open_connection("127.0.0.1", port)
        self._writers.add(up_writer)
        return up_reader, up_writer

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        raise NotImplementedError

    @staticmethod
    async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while chunk := await reader.read(65536):
                writer.write(chunk)
                await writer.drain()
        finally:
            writer.close()

    def __enter__(self) -> ProxyServer:
        self._thread.start()
        self._ready.wait(5)
        return self

    def __exit__(self, *exc: object) -> None:
        async def close() -> None:
            self._server.close()
            # Closing the sockets ends every connection's reads, so its task finishes on its own (a cancelled one
            # would be logged as an error by asyncio's stream callback).
            for writer in self._writers:
                writer.close()
            await asyncio.wait_for(asyncio.gather(*self._tasks, return_exceptions=True), 5)
            await self._server.wait_closed()

        asyncio.run_coroutine_threadsafe(close(), self._loop).result(5)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(5)
        self._loop.close()


class ForwardProxy(ProxyServer):
    """A minimal HTTP forward proxy: absolute-form requests to http:// targets are forwarded; CONNECT (an https://
    target) is only recorded and refused, as no TLS server runs here."""

    url_scheme = "http"

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = await reader.readuntil(b"\r\n\r\n")
        request_line, _, rest = head.partition(b"\r\n")
        method, target, version = request_line.decode().split(" ")
        self.seen.append(f"{method} {target}")
        if method == "CONNECT":
            writer.write(b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n")
            await writer.drain()
            return
        authority, path = target.split("://", 1)[1].split("/", 1)
        port = int(authority.rsplit(":", 1)[1])
        up_reader, up_writer = await self._upstream(port)
        # Forward with "Connection: close" so each exchange ends when the upstream closes.
        headers = [h for h in rest.split(b"\r\n") if h and not h.lower().startswith((b"connection", b"proxy-"))]
        up_writer.write(f"{method} /{path} {version}\r\n".encode() + b"\r\n".join(headers)
                        + b"\r\nConnection: close\r\n\r\n")
        length = next((int(h.split(b":")[1]) for h in headers if h.lower().startswith(b"content-length")), 0)
        if length:
            up_writer.write(await reader.readexactly(length))
        await up_writer.drain()
        await self._pipe(up_reader, writer)
        up_writer.close()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


class Socks5Proxy(ProxyServer):
    """A minimal SOCKS5 proxy (RFC 1928, no authentication, CONNECT only)."""

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        version, n_methods = await reader.readexactly(2)
        methods = await reader.readexactly(n_methods)
        if version != 5 or 0 not in methods:
            writer.write(b"\x05\xff")
            return
        writer.write(b"\x05\x00")
        _version, command, _reserved, address_type = await reader.readexactly(4)
        if address_type == 3:  # a domain name, resolved by the proxy
            host = (await reader.readexactly((await reader.readexactly(1))[0])).decode()
        else:
            raw = await reader.readexactly(4 if address_type == 1 else 16)
            host = ".".join(map(str, raw)) if address_type == 1 else raw.hex()
        port = int.from_bytes(await reader.readexactly(2), "big")
        self.seen.append(f"{'CONNECT' if command == 1 else command} {host}:{port}")
        up_reader, up_writer = await self._upstream(port)
        writer.write(b"\x05\x00\x00\x01" + bytes(4) + bytes(2))
        await writer.drain()
        await asyncio.gather(self._pipe(reader, up_writer), self._pipe(up_reader, writer))

    @property
    def url(self) -> str:
        return f"socks5://127.0.0.1:{self.port}"


@pytest.fixture
def proxy() -> Iterator[ForwardProxy]:
    with ForwardProxy() as running:
        yield running


@pytest.fixture
def socks() -> Iterator[Socks5Proxy]:
    with Socks5Proxy() as running:
        yield running


@pytest.fixture
def no_env_proxies(monkeypatch) -> None:
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)


def _send(store, network, provider: ResolvedProvider):
    gateway = ChatGateway(network, ClientOptions(timeout=10, max_retries=0))
    session = ChatSession(store, gateway, lambda: provider, lambda: ChatParams(model="gpt-4o-mini"))

    async def scenario():
        try:
            return await session.send("through the proxy")
        finally:
            await gateway.aclose()

    return asyncio.run(asyncio.wait_for(scenario(), 15))


def _chat(store, network, provider: ResolvedProvider) -> str:
    result = _send(store, network, provider)
    assert result.error is None, result.error
    return result.message.content


def _remote(server) -> str:
    """The fake server's base URL under a name that resolves only through the test proxies."""
    return server.base_url.replace("127.0.0.1", REMOTE_HOST)


def test_profile_proxy_is_used(store, network, server, proxy, no_env_proxies):
    server.script(Reply(text="Proxied reply."))
    provider = ResolvedProvider("p", "Via proxy", server.base_url, TEST_KEY, proxy.url, "gpt-4o-mini")
    assert _chat(store, network, provider) == "Proxied reply."
    assert proxy.seen == [f"POST {server.base_url}/chat/completions"], "a profile's proxy applies even to loopback"


def test_profile_socks5_proxy_is_used(store, network, server, socks, no_env_proxies):
    server.script(Reply(text="Through SOCKS."))
    provider = ResolvedProvider("p", "Via SOCKS", _remote(server), TEST_KEY, socks.url, "gpt-4o-mini")
    assert _chat(store, network, provider) == "Through SOCKS."
    assert socks.seen == [f"CONNECT {REMOTE_HOST}:{server.port}"]


def test_environment_http_proxy_is_used(store, network, server, proxy, no_env_proxies, monkeypatch):
    monkeypatch.setenv("HTTP_PROXY", proxy.url)
    server.script(Reply(text="Env proxied."))
    provider = ResolvedProvider("p", "Env proxy", _remote(server), TEST_KEY, "", "gpt-4o-mini")
    assert _chat(store, network, provider) == "Env proxied."
    assert proxy.seen == [f"POST {_remote(server)}/chat/completions"]


def test_environment_all_proxy_socks5_is_used(store, network, server, socks, no_env_proxies, monkeypatch):
    """ALL_PROXY=socks5://... is the usual setting of local proxy clients; it needs httpx's SOCKS support."""
    monkeypatch.setenv("ALL_PROXY", socks.url)
    server.script(Reply(text="All proxied."))
    provider = ResolvedProvider("p", "All proxy", _remote(server), TEST_KEY, "", "gpt-4o-mini")
    assert _chat(store, network, provider) == "All proxied."
    assert socks.seen == [f"CONNECT {REMOTE_HOST}:{server.port}"]


def test_environment_https_proxy_carries_https_requests(store, network, proxy, no_env_proxies, monkeypatch):
    """An https:// API goes through HTTPS_PROXY as a CONNECT tunnel (refused here: there is no TLS server), and the
    failure is a connection error the user can act on."""
    monkeypatch.setenv("HTTPS_PROXY", proxy.url)
    provider = ResolvedProvider("p", "Https proxy", f"https://{REMOTE_HOST}/v1", TEST_KEY, "", "gpt-4o-mini")
    result = _send(store, network, provider)
    assert proxy.seen == [f"CONNECT {REMOTE_HOST}:443"]
    assert result.error is not None and result.error.kind == ErrorKind.CONNECTION, result.error


def test_servers_on_this_machine_bypass_environment_proxies(store, network, server, socks, no_env_proxies,
                                                            monkeypatch):
    """A local server (Ollama, LM Studio...) with ALL_PROXY set: a proxy elsewhere could not reach this machine's
    127.0.0.1, so loopback is reached directly."""
    monkeypatch.setenv("ALL_PROXY", socks.url)
    server.script(Reply(text="Direct."))
    provider = ResolvedProvider("p", "Local", server.base_url, TEST_KEY, "", "gpt-4o-mini")
    assert _chat(store, network, provider) == "Direct."
    assert socks.seen == []
