"""Capitalised words that are known first names, with the surname after them.

spaCy's small model labels many first names in short sentences as places or
organisations ("my chat with Brandon" -> GPE) or finds nothing ("Delivery for
Allen at ..."); the cue recognizers (names.py) only see names after greetings,
titles and the like. A census first name written with a capital is a name far
more often than not, so it is one here, unless the text says it is a place:

- first names that are also ordinary words (Will, Grace, Mark, May) count only
  with a surname after them ("Will Smith") or a verb of speech ("Troy says");
- a capitalised word this lexicon does not know counts as a first name before
  a surname that is no ordinary word ("Caoimhe McLaughlin", not "New Hall");
- a determiner before it ("the Jordan trainers", "our Victoria store") makes
  it a thing, not a person;
- NER calling it a place, after "in/at/to/near/..." or before "store/branch/..."
  ("in Sydney", "Austin warehouse"), makes it a place.

Runs after NER (it reads the NER labels), so it is not one of the pattern
recognizers whose spans NER skips.
"""

from __future__ import annotations

import re

from presidio_analyzer import AnalysisExplanation, EntityRecognizer, RecognizerResult
from presidio_analyzer.nlp_engine import NlpArtifacts

from guardrail.pii.recognizers.en import lexicon
from guardrail.pii.recognizers.en.words import COMMON_CAPITALISED, STREET_TYPES

_PREFIX = r"(?:Mc|Mac|O['’])?"
_WORD = rf"{_PREFIX}[A-Z][a-z]+(?:-{_PREFIX}[A-Z][a-z]+)?"
# A run of capitalised words on one line, not inside an email or a longer token.
_RUN_RE = re.compile(
    rf"(?<![A-Za-z0-9@._'’-]){_WORD}(?:[ \t]+(?:{_WORD}|[A-Z]\.))*(?![A-Za-z0-9@]|\.[A-Za-z0-9])"
)
_WORD_RE = re.compile(rf"{_WORD}|[A-Z]\.")
# Letters of any script: "Lucía Fernández" has no word "a" before its surname.
_PREVIOUS_WORD_RE = re.compile(r"([^\W\d_]+)(?:[^\w\n]|\d|_)*$")
_SENTENCE_ENDS = ".!?:;\n\"“(*-•"

_DETERMINERS = frozenset(
    "the a an this that these those our your their his my every any some no".split()  # noqa: SIM905
)
_LOCATIVES = frozenset("in at to near into from around across outside inside of via".split())  # noqa: SIM905
_PLACE_NOUNS = frozenset(
    """
    store shop branch office warehouse depot station airport city town area centre center
    site location outlet mall hub region county state airport hospital clinic
    """.split()  # noqa: SIM905 - a word list reads better as text
)
_PLACE_LABELS = frozenset({"GPE", "LOC", "FAC"})
# NER is reliable on nationalities: census first names include demonyms (German).
_NOT_PERSON_LABELS = frozenset({"NORP", "LANGUAGE"})
_MIN_ALONE = 3  # two-letter census names (Ta, Al) are more often words
_MAX_SURNAME_WORDS = 2
_SPEECH_VERBS = frozenset(
    """
    says said told asked wrote called phoned rang emailed mentioned replied confirmed
    promised thinks thought wants wanted
    """.split()  # noqa: SIM905 - a word list reads better as text
)
# Words that begin place names ("New York", "Port Maxfort"), never first names.
_PLACE_PREFIXES = frozenset(
    "new north south east west port mount saint st fort lake san santa los las upper lower".split()  # noqa: SIM905
)

_SCORE_FULL = 0.75  # first name + surname
_SCORE_ALONE = 0.6
_SCORE_ALONE_SENTENCE_START = 0.5
_SCORE_UNKNOWN_FIRST = 0.6  # an unknown word before a surname


class KnownNameRecognizer(EntityRecognizer):
    ENTITY = "PERSON"

    def __init__(self) -> None:
        self._first = lexicon.first_names()
        self._first_words = lexicon.first_names_words()
        self._plain_surnames = lexicon.surnames()
        self._surnames = self._plain_surnames | lexicon.surnames_words()
        super().__init__(
            supported_entities=[self.ENTITY], name=type(self).__name__, supported_language="en"
        )

    def load(self) -> None:  # the lexicon loads on first use, once per process
        return None

    def analyze(
        self, text: str, entities: list[str], nlp_artifacts: NlpArtifacts | None = None
    ) -> list[RecognizerResult]:
        # Per call, never on self: analysis threads share this recognizer.
        places = _labelled_starts(nlp_artifacts, _PLACE_LABELS)
        not_persons = _labelled_starts(nlp_artifacts, _NOT_PERSON_LABELS)
        results = []
        for run in _RUN_RE.finditer(text):
            words = list(_WORD_RE.finditer(run.group(0)))
            index = 0
            while index < len(words):
                found = self._name_at(text, run.start(), words, index, places, not_persons)
                if found is None:
                    index += 1
                    continue
                start, end, score, used = found
                results.append(self._result(start, end, score))
                index += used
        return results

    def _name_at(
        self,
        text: str,
        offset: int,
        words: list[re.Match[str]],
        index: int,
        places: set[int],
        not_persons: set[int],
    ) -> tuple[int, int, float, int] | None:
        first = words[index].group(0)
        folded = first.lower()
        plain = folded in self._first
        start = offset + words[index].start()
        if not plain and folded not in self._first_words:
            return self._unknown_first_name(text, offset, words, index, places)
        previous = previous_word(text, start)
        if previous in _DETERMINERS:
            return None
        rest = []
        for word in words[index + 1 : index + 1 + _MAX_SURNAME_WORDS]:
            value = word.group(0)
            folded_next = value.lower().rstrip(".")
            if folded_next in COMMON_CAPITALISED:
                break
            # "Todd Wall" is a name; "Sarah Plaza" after an unknown word is not.
            if folded_next in STREET_TYPES and folded_next not in self._surnames:
                break
            if not plain and not rest and folded_next not in self._surnames:
                break
            rest.append(word)
        if rest:
            end = offset + rest[-1].end()
            return start, end, _SCORE_FULL, 1 + len(rest)
        end = start + len(first)
        if len(first) < _MIN_ALONE or start in not_persons:
            return None
        if not plain:
            if _next_word(text, end) in _SPEECH_VERBS:
                return start, end, _SCORE_ALONE, 1
            return None
        if start in places and (previous in _LOCATIVES or _next_word(text, end) in _PLACE_NOUNS):
            return None
        sentence_start = _at_sentence_start(text, start)
        return start, end, _SCORE_ALONE_SENTENCE_START if sentence_start else _SCORE_ALONE, 1

    def _unknown_first_name(
        self, text: str, offset: int, words: list[re.Match[str]], index: int, places: set[int]
    ) -> tuple[int, int, float, int] | None:
        if index + 1 >= len(words):
            return None
        first, surname = words[index].group(0), words[index + 1].group(0)
        folded = first.lower()
        if (
            surname.lower() not in self._plain_surnames
            or folded in COMMON_CAPITALISED
            or folded in STREET_TYPES
            or folded in _PLACE_PREFIXES
        ):
            return None
        start = offset + words[index].start()
        if start in places or previous_word(text, start) in _DETERMINERS:
            return None
        return start, offset + words[index + 1].end(), _SCORE_UNKNOWN_FIRST, 2

    def _result(self, start: int, end: int, score: float) -> RecognizerResult:
        return RecognizerResult(
            entity_type=self.ENTITY,
            start=start,
            end=end,
            score=score,
            analysis_explanation=AnalysisExplanation(recognizer=self.name, original_score=score),
            recognition_metadata={
                RecognizerResult.RECOGNIZER_NAME_KEY: self.name,
                RecognizerResult.RECOGNIZER_IDENTIFIER_KEY: self.id,
            },
        )


def _labelled_starts(nlp_artifacts: NlpArtifacts | None, labels: frozenset[str]) -> set[int]:
    """Character offsets of tokens NER put in an entity with one of `labels`."""
    doc = getattr(nlp_artifacts, "tokens", None)
    if doc is None or not hasattr(doc, "ents"):
        return set()
    return {token.idx for ent in doc.ents if ent.label_ in labels for token in ent}


def previous_word(text: str, start: int) -> str:
    found = _PREVIOUS_WORD_RE.search(text, max(0, start - 24), start)
    return found.group(1).lower() if found else ""


def _next_word(text: str, end: int) -> str:
    found = re.match(r"[ \t]+([^\W\d_]+)", text[end : end + 24])
    return found.group(1).lower() if found else ""


def _at_sentence_start(text: str, start: int) -> bool:
    before = text[:start].rstrip(" \t")
    return not before or before[-1] in _SENTENCE_ENDS
