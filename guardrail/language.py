"""Which language a text is in, as far as policies care: English or Chinese.

Customer-service text mixes scripts ("我的订单 order #123"); a message counts as
Chinese when Han characters make up a real share of its letters, and as
Traditional Chinese when enough of them have Traditional-only forms.
"""

from __future__ import annotations

from guardrail.chinese_script import traditional_share

_CHINESE_SHARE = 0.2
# Traditional text has a Traditional-only form in about a third of its
# characters; Simplified text has none. A few (names, quotes) do not count.
_TRADITIONAL_SHARE = 0.1


def _is_han(ch: str) -> bool:
    code = ord(ch)
    return 0x4E00 <= code <= 0x9FFF or 0x3400 <= code <= 0x4DBF or 0xF900 <= code <= 0xFAFF


def detect_language(text: str) -> str:
    """'en', 'zh' (Simplified) or 'zh-hant' (Traditional): policy texts are
    looked up most specific first, so 'zh-hant' falls back to 'zh'."""
    letters = han = 0
    for ch in text:
        if ch.isalpha():
            letters += 1
            if _is_han(ch):
                han += 1
    if letters and han / letters >= _CHINESE_SHARE:
        return "zh-hant" if traditional_share(text) >= _TRADITIONAL_SHARE else "zh"
    return "en"
