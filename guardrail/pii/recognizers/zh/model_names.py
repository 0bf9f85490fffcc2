"""Person names from LAC's per-character name probabilities.

A name is a run of characters whose probability of being part of a person's
name (CRF marginal, `tagger.Tagging.person`) is at least `FLOOR`, not only
the words on LAC's best path: LAC often hesitates between a person and a
place or an organisation on transliterated or unusual names (索斯盖特,
姜山), and the marginal keeps that doubt visible. A title LAC folds into the
name (王先生, 陳小姐) stays outside the span, so the placeholder reads
"<PERSON_1>先生"; a romanisation in brackets straight after a name
(马拉戈（malago）) belongs to it.

Scores: `score = BASE + (1 - BASE) * p`, where p is the calibrated probability
that the run is a name (a logistic fit of the run's mean marginal, on the
CLUENER2020 training split, `training/pii_zh/calibrate_names.py`). A run at
the floor is masked by the default policy threshold (BASE = 0.4); a policy
that wants only likely names raises its threshold (0.7 keeps p >= 0.5).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator

from guardrail.pii.recognizers.base import Candidate
from guardrail.pii.recognizers.zh.tags import PERSON, Tagging
from guardrail.pii.recognizers.zh.words import TITLES

# Chosen on CLUENER2020 train (first 5,000 sentences): names leaking vs
# ordinary characters masked; see training/pii_zh/README.md for the table.
FLOOR = 0.07
BASE = 0.4
EDGE_RATIO = 0.3
# A run of Latin letters only needs a higher mean probability.
LATIN_FLOOR = 0.5
_CAPITALISED = re.compile(r"[A-Z][a-z]{2,}")
_LATIN_NEAR = re.compile(r"[A-Za-z]")
# Logistic calibration of the run's mean marginal m: p = 1 / (1 + e^-(A*logit(m) + B)).
CALIBRATION_A = 0.60
CALIBRATION_B = -0.60

_TITLES = "(?:" + "|".join(sorted(map(re.escape, TITLES), key=len, reverse=True)) + ")"
_TITLE = re.compile(_TITLES + "$")
_TITLE_AFTER = re.compile(_TITLES)
_ROMANISATION = re.compile(r"[（(][ \t]*[A-Za-z][A-Za-z .\-·]{1,40}[ \t]*[）)]")
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_LETTERS = re.compile(r"[A-Za-z\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
# Characters that never belong to a name, whatever LAC's probabilities say.
# Also grammatical particles (Mandarin and Cantonese), which LAC, trained on
# written Mandarin, may leave inside a name it is unsure of ("停咗佢").
_NOT_NAME = re.compile(
    r"[\s0-9０-９,，。.、:：;；!！?？()（）\[\]【】《》\"'“”‘’<>@#/\\|~\-+=*&%$"
    r"的了吗嗎呢吧啊呀哦嘛么麼着過过们們咗佢嘅啲喺冇唔嚟俾畀嘢噉咁啦喎囉]"
)


def calibrated(mean_marginal: float) -> float:
    m = min(max(mean_marginal, 1e-4), 1 - 1e-4)
    return 1.0 / (1.0 + math.exp(-(CALIBRATION_A * math.log(m / (1 - m)) + CALIBRATION_B)))


def name_candidates(text: str, tagging: Tagging) -> Iterator[Candidate]:
    for start, end, mean in name_runs(text, tagging):
        yield Candidate(start, _with_romanisation(text, end), BASE + (1 - BASE) * calibrated(mean))


def name_runs(text: str, tagging: Tagging, floor: float | None = None) -> Iterator[tuple[int, int, float]]:
    """Candidate names with their mean name probability (before calibration)."""
    person = tagging.person
    floor = FLOOR if floor is None else floor
    i, length = 0, len(text)
    while i < length:
        if person[i] < floor or _NOT_NAME.match(text[i]):
            i += 1
            continue
        j = i
        while j < length and person[j] >= floor and not _NOT_NAME.match(text[j]):
            j += 1
        start, end = i, j
        i = j
        # A character at the edge far less likely than the run's peak is the
        # word next to the name (查王伟: 查 "look up").
        peak = float(person[start:end].max())
        while end - start > 1 and person[start] < EDGE_RATIO * peak:
            start += 1
        while end - start > 1 and person[end - 1] < EDGE_RATIO * peak:
            end -= 1
        span = _trimmed(text, start, end)
        if span is None:
            continue
        start, end = span
        if _inside_another_word(tagging, start, end):
            continue
        mean = float(person[start:end].mean())
        if not _HAN.search(text, start, end) and mean < LATIN_FLOOR and not _embedded_name(text, start, end):
            # LAC gives Latin words it cannot read some name probability, as
            # much to "You" and "Please" as to "Temple"; English text is the
            # English recognizers' (routing.py runs them on mixed text).
            continue
        yield start, end, mean


def _embedded_name(text: str, start: int, end: int) -> bool:
    """A capitalised Latin word standing alone inside Chinese text (的Temple，),
    not English: Han characters right before it, no other Latin word beside it."""
    return (
        _CAPITALISED.match(text, start) is not None
        and start > 0
        and _HAN.match(text, start - 1) is not None
        and _LATIN_NEAR.search(text, max(0, start - 3), start) is None
        and _LATIN_NEAR.search(text, end, end + 3) is None
    )


def _inside_another_word(tagging: Tagging, start: int, end: int) -> bool:
    """The run is part of a longer word LAC did not call a name: 张信 of
    张信用卡 ("this credit card", Cantonese)."""
    for word in tagging.words:
        if word.start <= start and end <= word.end:
            return word.tag != PERSON and word.end - word.start > end - start
        if word.start >= end:
            break
    return False


def _trimmed(text: str, start: int, end: int) -> tuple[int, int] | None:
    """The name without a title LAC folded into it; None when nothing of a
    name is left (a lone title, a single Latin letter)."""
    value = text[start:end]
    title = _TITLE.search(value)
    if title and title.start() > 0:
        end = start + title.start()
        value = text[start:end]
    elif title:
        return None
    if not _LETTERS.search(value):
        return None
    han = len(_HAN.findall(value))
    if han == 0 and len(value) < 2:
        return None
    if han == 1 and len(value) == 1 and not title and not _TITLE_AFTER.match(text, end):
        return None  # one character alone is a name only before a title: 张先生
    return start, end


def _with_romanisation(text: str, end: int) -> int:
    match = _ROMANISATION.match(text, end)
    return match.end() if match else end
