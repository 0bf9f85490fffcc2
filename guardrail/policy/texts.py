"""Policy texts (fallback, holding, handoff, disclosure) and language lookup.

Each text is kept per language; the answer's language picks one. A set that
leaves a text out gets the built-in default below, so there is always
something safe to say.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

TextKey = Literal["fallback", "holding", "handoff", "disclosure"]
TEXT_KEYS: tuple[str, ...] = ("fallback", "holding", "handoff", "disclosure")
DEFAULT_LANGUAGE = "en"

BUILTIN_TEXTS: dict[str, dict[str, str]] = {
    "fallback": {
        "en": "I'm sorry, I can't help with that here. A member of our team will follow up with you.",
        "zh": "抱歉，这个问题我暂时无法在这里回答，我们的工作人员会尽快与您联系。",
    },
    "holding": {
        "en": "Thanks for your patience. A member of our team is checking this answer and "
        "will get back to you shortly.",
        "zh": "感谢您的耐心等待，我们的工作人员正在核对这条回复，稍后回复您。",
    },
    "handoff": {
        "en": "Of course. I'm connecting you with a member of our team; someone will be with you shortly.",
        "zh": "好的，正在为您转接人工客服，请稍候。",
    },
    "disclosure": {
        "en": "(You're chatting with an AI assistant. You can ask for a person at any time.)",
        "zh": "（您正在与AI助手对话，随时可以要求转人工客服。）",
    },
}


def language_candidates(language: str) -> list[str]:
    """'zh-Hant-TW' -> ['zh-hant-tw', 'zh-hant', 'zh']: most specific first."""
    parts = language.replace("_", "-").lower().split("-")
    return ["-".join(parts[:n]) for n in range(len(parts), 0, -1) if parts[0]]


def pick(by_language: Mapping[str, str], language: str) -> str | None:
    for candidate in [*language_candidates(language), DEFAULT_LANGUAGE]:
        if candidate in by_language:
            return by_language[candidate]
    return next(iter(by_language.values()), None)


class Texts:
    """The texts of one policy set, with built-in defaults underneath."""

    def __init__(self, configured: Mapping[str, Mapping[str, str]]) -> None:
        self._texts = {
            key: {**BUILTIN_TEXTS[key], **{k.lower(): v for k, v in configured.get(key, {}).items()}}
            for key in TEXT_KEYS
        }

    def get(self, key: str, language: str) -> str:
        if key not in self._texts:
            raise KeyError(f"unknown policy text {key!r}; known: {', '.join(TEXT_KEYS)}")
        text = pick(self._texts[key], language)
        return text if text is not None else BUILTIN_TEXTS[key][DEFAULT_LANGUAGE]
