"""Chinese personal names where customer-service text announces them.

No Chinese NER model ships as an offline package, and Chinese has no
capitals or spaces to mark a name, so names are found by a surname (single or
compound) in a place that announces a person: after 我叫 / 姓名： / 收件人,
before 先生 / 女士 / 经理, after a relation (我老公, 快递员, 谢谢), or alone
on the last line as a signature. Given names are one or two characters that
are not function words or verbs ("王小明的订单", "李娜帮我签收"), and a name
must not run straight into more ordinary characters ("我是高三学生" is no name).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from guardrail.pii.recognizers.base import Candidate, Pattern, RegexRecognizer
from guardrail.pii.recognizers.zh.words import (
    COMPOUND_SURNAMES,
    INTRODUCERS,
    NAME_STOPS,
    NOT_NAMES,
    RELATIONS,
    SINGLE_SURNAMES,
    TITLES,
)

_HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"


def _char_class(chars: frozenset[str]) -> str:
    return "[" + "".join(re.escape(ch) for ch in sorted(chars)) + "]"


def _alternation(words: tuple[str, ...]) -> str:
    return "(?:" + "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True)) + ")"


_STOP = _char_class(NAME_STOPS)
_GIVEN = rf"(?:(?!{_STOP})[{_HAN}])"
_SURNAME = rf"(?:{_alternation(COMPOUND_SURNAMES)}|{_char_class(SINGLE_SURNAMES)})"
# Before a title, a surname may stand alone ("张先生"), so it must not be a
# word that often precedes a title ("和王先生": 和 is a rare surname).
_TITLE_SINGLE = _char_class(SINGLE_SURNAMES - NAME_STOPS - {"于"})
_TITLE_SURNAME = rf"(?:{_alternation(COMPOUND_SURNAMES)}|{_TITLE_SINGLE})"
_NAME = rf"(?P<v>{_SURNAME}{_GIVEN}{{1,2}})"
# The name ends where ordinary text does not go on ("高三学生" is no name).
_END = rf"(?!{_GIVEN})"
_LABEL_SEP = r"[ \t]*[:：]?[ \t]*(?:是|为|為)?[ \t]*"
_SIGN_OFF_BEFORE = r"(?:\n|——|—|--|~)"


class ChineseNameRecognizer(RegexRecognizer):
    ENTITY = "PERSON"
    LANGUAGE = "zh"
    PATTERNS = (
        Pattern("introduction", rf"{_alternation(INTRODUCERS)}{_LABEL_SEP}{_NAME}{_END}", 0.8),
        Pattern("surname-only", rf"(?:我姓|姓)[ \t]*(?P<v>{_SURNAME})(?=[，,。.\s]|$)", 0.5),
        Pattern("title", rf"(?P<v>{_TITLE_SURNAME}{_GIVEN}{{0,2}})(?={_alternation(TITLES)})", 0.75),
        Pattern(
            "relation",
            rf"(?:{_alternation(RELATIONS)}|亲爱的|親愛的){_LABEL_SEP}{_NAME}{_END}",
            0.6,
        ),
        Pattern(
            "signature",
            rf"{_SIGN_OFF_BEFORE}[ \t]*{_NAME}[ \t]*[。.!！]?\s*\Z",
            0.6,
        ),
        # "王小明您好", "张伟你好": a name opening a greeting.
        Pattern("greeting", rf"(?:^|(?<=[\n，,。！!]))[ \t]*{_NAME}(?=[，,]?[ \t]*(?:您好|你好))", 0.7),
    )

    def candidates(self, text: str) -> Iterator[Candidate]:
        for candidate in super().candidates(text):
            if text[candidate.start : candidate.end] not in NOT_NAMES:
                yield candidate
