"""Person names from jieba's part-of-speech tagger, for names with no cue.

jieba (pure Python, dictionary and HMM shipped inside the package) splits
Chinese text into words and tags person names `nr` (`nrfg`, `nrt` for famous
and transliterated ones); its HMM tags names that are in no dictionary. It is
loaded once per process, when the analyzer is built, without its prefix-dict
cache: jieba would write (and later trust) a marshal file in the shared temp
directory; building the prefix dict from the packaged dictionary instead
costs about half a second once and writes nothing. Its logger is silenced,
and nothing in it reaches the network (tests/pii/zh/test_segmenter.py runs it
with sockets blocked).

`name_spans` turns tags into name candidates, on text converted to Simplified
with `chinese_script.to_simplified` (same length, so offsets hold for the
original text), from two readings:

- jieba's dictionary cut (its HMM off): a word tagged as a name that starts
  with a listed surname and has a 1-2 character given name, extended by one
  character when jieba cut a three-character name after its second
  ("林冠/nr 霖/nr"); a listed surname cut off, then a given name, when either
  is tagged as a name ("杨/nr 秀英/nr", "黄/a 美玲/nr"); a two-character word
  starting with a surname, then a one-character name ("吴国/ns 荣/nr");
- the part-of-speech HMM alone, on a short window from each surname
  character the dictionary left alone or in a rare word (not inside a word,
  not starting a common one): it reads unknown names ("刘秀云/nr") and names
  whose given name is also a word ("张/q 美惠/ns" -> "张美惠/nr"). Windows,
  not whole texts: the HMM costs the square of its states per character.

Dropped: a frequent dictionary word (jieba's `nr` tags are loose: 叶子,
石家庄, 文明), a dictionary word with another tag, a window's name that ends
inside a common word ("張信用卡": 張 counts the card), a numeral given name
(高三). The recognizer then applies the plausibility checks shared with the
cue-free rules (not an ordinary word, brand or place; no given-name character
that mostly ends ordinary words).
"""

from __future__ import annotations

import logging
import re
import threading
from typing import Any

from guardrail.chinese_script import to_simplified
from guardrail.pii.recognizers.zh.words import (
    COMPOUND_SURNAMES,
    NAME_LEADS,
    NAME_STOPS,
    SINGLE_SURNAMES,
)

NAME_TAGS = frozenset({"nr", "nrfg", "nrt"})
# A dictionary word this frequent (jieba's counts) is a word, not half a name.
_COMMON_WORD = 50
# A word tagged `nr` that jieba counts this often is an ordinary word or a
# historical figure far more often than a customer (叶子 1205, 石家庄 440).
_FREQUENT_NAME_WORD = 100
_COMPOUND = frozenset(COMPOUND_SURNAMES)
# One-character lead words that are also surnames (查, 和): "查王伟/nr" is 王伟.
_LEADS = frozenset(w for w in NAME_LEADS if len(w) == 1)
_HAN_RUN = re.compile("[\u4e00-\u9fd5]+")  # what jieba's HMM reads
_NUMERALS = frozenset("一二三四五六七八九十百千万两零")
_SURNAME_CHARS = frozenset(SINGLE_SURNAMES | {s[0] for s in COMPOUND_SURNAMES})
# The HMM reads the surname and this many characters after it: a given name
# and the character that ends it.
_AFTER_SURNAME = 3
_LOCK = threading.Lock()
_TAGGER: Any = None


def load() -> Any:
    """jieba's part-of-speech tagger, built once per process (thread-safe)."""
    global _TAGGER
    with _LOCK:
        if _TAGGER is None:
            import jieba
            import jieba.posseg

            jieba.setLogLevel(logging.WARNING)
            tokenizer = jieba.dt
            with tokenizer.lock:
                if not tokenizer.initialized:
                    # What Tokenizer.initialize() does, minus the cache file
                    # it reads from and writes to the temp directory.
                    tokenizer.FREQ, tokenizer.total = tokenizer.gen_pfdict(tokenizer.get_dict_file())
                    tokenizer.initialized = True
            _TAGGER = jieba.posseg.dt
        return _TAGGER


def _is_han(text: str) -> bool:
    return bool(text) and all("\u3400" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff" for ch in text)


def _surname(word: str) -> str | None:
    """The surname `word` starts with (compound first), if any."""
    if word[:2] in _COMPOUND:
        return word[:2]
    if word[:1] in SINGLE_SURNAMES:
        return word[:1]
    return None


def _leads_to_name(pair: str) -> bool:
    """A lead word that is also a surname, before a surname: "查王伟" is 王伟."""
    return len(pair) == 2 and pair[0] in _LEADS and pair[1] in _SURNAME_CHARS


def _given_ok(given: str) -> bool:
    return (
        1 <= len(given) <= 2
        and _is_han(given)
        and not any(ch in NAME_STOPS for ch in given)
        and given not in _NUMERALS  # 高三 (a school year), 周一
    )


def tokens(text: str, *, hmm: bool = True) -> list[tuple[int, int, str, str]]:
    """jieba's words and tags over `text` as Simplified (dictionary first, and
    with `hmm` its HMM for unknown stretches); offsets are the original's."""
    tagger = load()
    out = []
    position = 0
    for word, tag in tagger.cut(to_simplified(text), HMM=hmm):
        out.append((position, position + len(word), word, tag))
        position += len(word)
    return out


def _hmm_words(block: str, offset: int) -> list[tuple[int, int, str, str]]:
    """The part-of-speech HMM's words and tags over `block` (Han characters)."""
    from jieba.posseg import char_state_tab_P, emit_P, start_P, trans_P
    from jieba.posseg.viterbi import viterbi

    _, states = viterbi(block, char_state_tab_P, start_P, trans_P, emit_P)
    out = []
    begin = 0
    for index, (position, tag) in enumerate(states):
        if position in "BS":
            begin = index
        if position in "ES":
            out.append((offset + begin, offset + index + 1, block[begin : index + 1], tag))
    return out


def name_spans(text: str) -> list[tuple[int, int]]:
    """Spans of `text` that jieba's tags make a person's name (surname listed).

    Two readings: the dictionary cut (names jieba knows, and surname + given
    name pieces), and the HMM alone on a short window from each surname
    character that is not inside a common word. jieba consults its HMM only
    where the dictionary has no word, so a name whose given name is also a
    word ("张/q 美惠/ns", "曾/d 淑惠/n") is cut apart; the HMM alone reads
    "张美惠/nr". Windows rather than whole runs: the HMM costs time in the
    square of its states per character, and names are short.
    """
    tagger = load()
    simplified = to_simplified(text)
    words = tokens(text, hmm=False)
    spans = set(_names(words, tagger.word_tag_tab))
    # Inside a dictionary word no name starts (儿童座椅 holds no 童, 支付宝/nr
    # no 付宝), and a common word is no name's end.
    inside_word = {
        position for start, end, _, _ in words if end - start > 1 for position in range(start + 1, end)
    }
    common = {
        position
        for start, end, word, _ in words
        if tagger.tokenizer.FREQ.get(word, 0) >= _COMMON_WORD
        for position in range(start + 1, end)
    }
    # Nor where a common word starts (高速, 马上, 周末): the HMM is read only
    # where the dictionary left a surname on its own or in a rare word.
    common_start = {
        start
        for start, _, word, tag in words
        if len(word) > 1 and tag not in NAME_TAGS and tagger.tokenizer.FREQ.get(word, 0) >= _COMMON_WORD
    }
    covered = {position for start, end in spans for position in range(start, end)}
    for run in _HAN_RUN.finditer(simplified):
        for position in range(run.start(), run.end()):
            if (
                position in inside_word
                or position in common_start
                or position in covered
                or simplified[position] not in _SURNAME_CHARS
                or _leads_to_name(simplified[position : position + 2])
            ):
                continue
            surname = _surname(simplified[position : position + 2]) or ""
            window = simplified[position : min(run.end(), position + len(surname) + _AFTER_SURNAME)]
            if len(window) < 2:
                continue
            hmm = _hmm_words(window, position)
            for start, end in _names(hmm, tagger.word_tag_tab, pieces=False):
                # A name of the HMM's that ends inside a common word of the
                # dictionary cut is that word's first half ("張信用卡": 張
                # counts the card, 信用卡 is "credit card").
                if start == position and end not in common:
                    spans.add((start, end))
    return sorted((a, b) for a, b in spans if not _dictionary_word(tagger, simplified[a:b]))


def _dictionary_word(tagger: Any, word: str) -> bool:
    """A word of jieba's dictionary tagged other than a person, or a frequent
    one: its `nr` tags are loose (明白, 文明, 阳光, 叶子, 石家庄 are `nr`)."""
    if tagger.word_tag_tab.get(word, "nr") not in NAME_TAGS:
        return True
    return tagger.tokenizer.FREQ.get(word, 0) >= _FREQUENT_NAME_WORD


def _names(
    toks: list[tuple[int, int, str, str]], tags: dict[str, str], *, pieces: bool = True
) -> list[tuple[int, int]]:
    """Name spans in one reading; `pieces`: also a surname and a given name
    cut apart (the dictionary cut; the HMM's own names are whole words)."""
    spans: list[tuple[int, int]] = []
    count = len(toks)
    i = 0
    while i < count:
        start, end, word, tag = toks[i]
        if len(word) >= 3 and word[0] in _LEADS and _surname(word[1:]) is not None:
            start, word = start + 1, word[1:]
        nxt = toks[i + 1] if i + 1 < count and toks[i + 1][0] == end else None
        after = toks[i + 2] if nxt is not None and i + 2 < count and toks[i + 2][0] == nxt[1] else None
        surname = None if _leads_to_name(word + (nxt[2][:1] if nxt else "")) else _surname(word)
        found: tuple[int, int] | None = None
        consumed = 1
        if surname is None or not _is_han(word):
            pass
        elif tag in NAME_TAGS and len(word) > len(surname) and _given_ok(word[len(surname) :]):
            found = (start, end)
            # "林冠/nr 霖/nr": a name cut after its second character.
            if (
                len(word) - len(surname) == 1
                and nxt is not None
                and len(nxt[2]) == 1
                and _given_ok(nxt[2])
                and (
                    nxt[3] in NAME_TAGS
                    or (
                        nxt[3] in {"ng", "n"}
                        and (after is None or not _is_han(after[2][:1]) or after[2][0] in NAME_STOPS)
                    )
                )
            ):
                found = (start, nxt[1])
                consumed = 2
        elif not pieces:
            pass
        elif word == surname and nxt is not None and _given_ok(nxt[2]):
            # "杨/nr 秀英/nr", "蔡/nr 淑惠/n", "黄/a 美玲/nr".
            name_like = tag == "nr" or nxt[3] in NAME_TAGS
            if name_like and tags.get(word + nxt[2], "nr") in NAME_TAGS:
                found = (start, nxt[1])
                consumed = 2
        elif (
            len(word) == len(surname) + 1
            and nxt is not None
            and len(nxt[2]) == 1
            and nxt[3] in NAME_TAGS
            and _given_ok(word[len(surname) :] + nxt[2])
        ):
            # "吴国/ns 荣/nr", "林淑/n 惠/nr".
            found = (start, nxt[1])
            consumed = 2
        if found is not None:
            spans.append(found)
        i += consumed
    return spans
