"""Usage and cost arithmetic against hand-computed cases; the price file and its lookup rules."""

from __future__ import annotations

import json

import pytest

from desktop_assistant.config.pricing_file import BUNDLED, PricingFile
from desktop_assistant.domain.models import Usage
from desktop_assistant.domain.pricing import Price, PriceTable, format_cost

TABLE = PriceTable({"gpt-4o-mini": Price(0.15, 0.60, 0.075), "gpt-4o": Price(2.50, 10.0, 1.25),
                    "llama3": Price(0.0, 0.0)})


def test_cost_by_hand() -> None:
    # 12,000 prompt tokens of which 4,000 cached, 800 completion tokens on gpt-4o-mini:
    # 8,000 x 0.15 + 4,000 x 0.075 + 800 x 0.60 = 1,200 + 300 + 480 = 1,980 per million -> $0.00198
    assert TABLE.cost("gpt-4o-mini", Usage.from_counts(12_000, 800, cached=4_000)) == pytest.approx(0.00198)
    # gpt-4o, 1M in + 1M out, nothing cached: 2.50 + 10.00
    assert TABLE.cost("gpt-4o", Usage.from_counts(1_000_000, 1_000_000)) == pytest.approx(12.5)
    # Without a cached price, cached tokens cost as much as other input.
    assert Price(1.0, 2.0).cost(Usage.from_counts(1_000_000, 0, cached=500_000)) == pytest.approx(1.0)
    assert TABLE.cost("llama3", Usage.from_counts(5000, 5000)) == 0.0  # a local model priced at zero


def test_model_names_are_matched_as_gateways_and_snapshots_write_them() -> None:
    assert TABLE.price_for("gpt-4o-mini") is TABLE.prices["gpt-4o-mini"]
    assert TABLE.price_for("openai/gpt-4o-mini") is TABLE.prices["gpt-4o-mini"]
    assert TABLE.price_for("GPT-4o-2024-08-06") is TABLE.prices["gpt-4o"]
    assert TABLE.price_for("gpt-4o-mini-2024-07-18") is TABLE.prices["gpt-4o-mini"]  # the longest prefix wins
    assert TABLE.price_for("gpt-4o-audio-preview") is TABLE.prices["gpt-4o"]
    assert TABLE.price_for("qwen2.5:7b") is None and TABLE.cost("qwen2.5:7b", Usage()) is None
    assert TABLE.price_for("gpt-4omni") is None, "a prefix only counts up to a dash"


def test_the_bundled_table_parses_and_prices_the_common_models() -> None:
    table = PriceTable.from_json(BUNDLED.read_text(encoding="utf-8"))
    for model in ("gpt-4o", "gpt-4o-mini", "gpt-4.1-mini", "o4-mini", "gpt-5-mini"):
        assert table.price_for(model) is not None, model
    assert table.currency == "USD"


def test_the_users_copy_wins_and_a_broken_one_falls_back_with_a_reason(tmp_path) -> None:
    pricing = PricingFile(tmp_path / "pricing.json")
    assert pricing.load().price_for("gpt-4o") is not None and pricing.problem == ""
    path = pricing.editable()
    assert path.exists() and json.loads(path.read_text(encoding="utf-8")) == json.loads(BUNDLED.read_text())
    data = json.loads(path.read_text(encoding="utf-8"))
    data["models"]["my-local-model"] = {"input": 0.01, "output": 0.02}
    path.write_text(json.dumps(data), encoding="utf-8")
    assert pricing.load().price_for("my-local-model") == Price(0.01, 0.02)
    path.write_text('{"models": {"bad": {"input": "cheap"}}}', encoding="utf-8")
    table = pricing.load()
    assert "bad" in pricing.problem and table.price_for("gpt-4o") is not None


def test_costs_are_formatted_for_reading() -> None:
    assert [format_cost(v) for v in (0, 0.00003, 0.00198, 0.0421, 0.5, 12.5, 1234.567)] == [
        "$0", "<$0.0001", "$0.002", "$0.042", "$0.5", "$12.50", "$1,234.57"]


def test_audio_costs_by_minute_and_by_character() -> None:
    table = PriceTable.from_json(BUNDLED.read_text(encoding="utf-8"))
    assert table.audio_cost("whisper-1", 90, 0) == pytest.approx(0.009)  # 1.5 min x $0.006
    assert table.audio_cost("tts-1", 30, 2_000) == pytest.approx(0.03)  # 2,000 characters x $15 / 1M
    assert table.audio_cost("gpt-4o-mini-tts", 120, 500) == pytest.approx(0.03)  # 2 min x $0.015
    assert table.audio_cost("openai/gpt-4o-mini-transcribe", 60, 0) == pytest.approx(0.003)
    assert table.audio_cost("local-whisper", 60, 0) is None


def test_transcriptions_and_speech_are_recorded_for_the_usage_view(store) -> None:
    store.add_audio_usage("transcription", "whisper-1", 12.5)
    store.add_audio_usage("transcription", "whisper-1", 7.5)
    store.add_audio_usage("speech", "tts-1", 4.0, 120)
    rows = {(r.kind, r.model): r for r in store.audio_usage_totals("all")}
    assert rows["transcription", "whisper-1"].requests == 2 and rows["transcription", "whisper-1"].seconds == 20.0
    assert rows["speech", "tts-1"].characters == 120
