"""Chinese personal names where customer-service text announces them.

Chinese has no capitals or spaces to mark a name; where the text announces a
person, a rule knows the name's boundary better than a tagger. These rules
find a surname (single or compound) in a place that announces a person: after 我叫 / 姓名： / 收件人,
before 先生 / 女士 / 经理, after a relation (我老公, 快递员, 谢谢), or alone
on the last line as a signature. Given names are one or two characters that
are not function words or verbs ("王小明的订单", "李娜帮我签收"), and a name
must not run straight into more ordinary characters ("我是高三学生" is no name).

With no such cue, a name is taken only where what follows says "person":
a possessive of an account thing ("帮我查下何雪梅的会员积分", Cantonese 嘅) or
a verb a person does in a customer's story ("王伟说", "李娜签收了",
"刘洋下的单"). These cue-free candidates must also look like a name: not a
known word (门店的电话, 杭州的地址, 明天说), and no given-name character that
mostly ends ordinary words (NOT_GIVEN: 店, 州, 行, 家 is allowed). They score
lower (0.5) than cued names.

Names with no cue at all ("应该是刘秀云，不是张洋", "孙林是我同事") come from
the model (`ner.py`), which also uses these rules for exact boundaries.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from guardrail.pii.recognizers.base import Candidate, Pattern, RegexRecognizer
from guardrail.pii.recognizers.zh.words import (
    CANTONESE_TITLE_LEADS,
    CANTONESE_TITLES,
    COMPOUND_SURNAMES,
    INTRODUCERS,
    NAME_LEADS,
    NAME_STOPS,
    NAME_VERBS,
    NOT_GIVEN,
    NOT_NAMES,
    NOT_NAMES_WITHOUT_CUE,
    POSSESSED,
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
# Cue-free names start a clause (no Han character before: "支付宝" holds no
# name "付宝") or follow a lead word, which is consumed (not part of the value).
_LEAD = rf"(?:{_alternation(NAME_LEADS)}|(?<![{_HAN}]))"
_POSSESSIVE = rf"(?:的|嘅)(?:{_alternation(POSSESSED)})"
_CUE_FREE = frozenset({"possessive", "actor"})


class ChineseNameRecognizer(RegexRecognizer):
    ENTITY = "PERSON"
    LANGUAGE = "zh"
    PATTERNS = (
        Pattern("introduction", rf"{_alternation(INTRODUCERS)}{_LABEL_SEP}{_NAME}{_END}", 0.8),
        Pattern("surname-only", rf"(?:我姓|姓)[ \t]*(?P<v>{_SURNAME})(?=[，,。.\s]|$)", 0.5),
        Pattern("title", rf"(?P<v>{_TITLE_SURNAME}{_GIVEN}{{0,2}})(?={_alternation(TITLES)})", 0.75),
        # Cantonese "搵陳生就得", "問李太": not 生活, 生日, 太多 ...
        Pattern(
            "cantonese-title",
            rf"{_alternation(CANTONESE_TITLE_LEADS)}(?P<v>{_TITLE_SURNAME})"
            rf"(?={_alternation(CANTONESE_TITLES)}(?![活日意产產气氣命病存成效物多大小久子平空阳陽]))",
            0.6,
        ),
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
        # No cue before: "帮我查下何雪梅的会员积分", "王伟说", "李娜签收了".
        Pattern("possessive", rf"{_LEAD}{_NAME}(?={_POSSESSIVE})", 0.5),
        Pattern("actor", rf"{_LEAD}{_NAME}(?={_alternation(NAME_VERBS)})", 0.5),
    )

    def validate(self, value: str, pattern: Pattern) -> float | None:
        if pattern.name in _CUE_FREE and not plausible_name(value):
            return None
        return pattern.score

    def candidates(self, text: str) -> Iterator[Candidate]:
        for candidate in super().candidates(text):
            if text[candidate.start : candidate.end] not in NOT_NAMES:
                yield candidate


def plausible_name(value: str) -> bool:
    """A cue-free candidate (surname + 1-2 characters) that is not an ordinary word."""
    if value in NOT_NAMES_WITHOUT_CUE or value[:2] in NOT_NAMES_WITHOUT_CUE:
        return False
    compound = any(value.startswith(s) for s in COMPOUND_SURNAMES)
    given = value[2:] if compound and len(value) > 2 else value[1:]
    return 1 <= len(given) <= 2 and not any(ch in NOT_GIVEN for ch in given)
