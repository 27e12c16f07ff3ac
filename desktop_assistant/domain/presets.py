"""Ready-made system prompts (the user adds their own in settings) and JSON-schema templates for structured output."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Preset:
    name: str
    prompt: str


BUILT_IN_PRESETS: tuple[Preset, ...] = (
    Preset("Concise assistant", "You are a helpful assistant. Answer concisely; use lists and code blocks "
                                "when they help."),
    Preset("Code reviewer", "You are a senior software engineer reviewing code. Point out bugs, security "
                            "issues and unclear names first, then smaller improvements. Show fixed code."),
    Preset("Translator (EN ⇄ 中文)", "Translate the user's text: English into Simplified Chinese, Chinese into "
                                      "English. Keep the meaning, tone and formatting; output only the "
                                      "translation."),
    Preset("Writing editor", "Improve the user's text for clarity and flow without changing its meaning. "
                             "Return the edited text, then a short list of the main changes."),
    Preset("简洁助手", "你是一位乐于助人的助手。请用简体中文简洁地回答，必要时使用列表和代码块。"),
    Preset("学习辅导", "你是一位耐心的老师。先用通俗的语言解释概念，再举一个例子，"
                       "最后出一道小练习题。请用简体中文回答。"),
    Preset("中文润色", "请润色用户提供的中文文本，使其更通顺、准确、自然，不改变原意。"
                       "先给出修改后的全文，再简要列出主要修改。"),
)


SCHEMA_TEMPLATES: dict[str, str] = {
    "Extract an event": """{
  "type": "object",
  "properties": {
    "name": {"type": "string", "description": "What the event is"},
    "date": {"type": "string", "description": "ISO 8601 date, e.g. 2026-05-01"},
    "participants": {"type": "array", "items": {"type": "string"}}
  },
  "required": ["name", "date", "participants"],
  "additionalProperties": false
}""",
    "Step-by-step math solution": """{
  "type": "object",
  "properties": {
    "steps": {
      "type": "array",
      "items": {
        "type": "object",
        "properties": {
          "explanation": {"type": "string"},
          "output": {"type": "string"}
        },
        "required": ["explanation", "output"],
        "additionalProperties": false
      }
    },
    "final_answer": {"type": "string"}
  },
  "required": ["steps", "final_answer"],
  "additionalProperties": false
}""",
    "Content classification": """{
  "type": "object",
  "properties": {
    "category": {"type": "string", "enum": ["question", "complaint", "praise", "spam", "other"]},
    "sentiment": {"type": "string", "enum": ["positive", "neutral", "negative"]},
    "confidence": {"type": "number", "description": "0 to 1"}
  },
  "required": ["category", "sentiment", "confidence"],
  "additionalProperties": false
}""",
}

__all__ = ["BUILT_IN_PRESETS", "SCHEMA_TEMPLATES", "Preset"]
