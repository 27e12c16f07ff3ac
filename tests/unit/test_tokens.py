"""Token counting works with no network: the bundled encodings seed tiktoken's cache."""

from __future__ import annotations

import subprocess
import sys
import textwrap


def test_counts_offline_in_a_fresh_process(tmp_path):
    # A fresh interpreter, an empty cache, and any download attempt made to fail loudly.
    script = textwrap.dedent(f"""
        import os, socket
        os.environ["TIKTOKEN_CACHE_DIR"] = {str(tmp_path / "cache")!r}
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
