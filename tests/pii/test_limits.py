"""Detectors see bounded pieces; what they find maps back whole."""

from __future__ import annotations

import itertools

import pytest

from guardrail.pii.detection import Detection
from guardrail.pii.limits import Pieces, TextLimits, TextTooLarge, detector_view, windows
from guardrail.pii.recognizers.generic.credit_card import PaymentCardRecognizer

CARD = "4111 1111 1111 1111"


def test_windows_are_bounded_overlapping_and_cover_the_text() -> None:
    text = "word " * 2_000
    spans = windows(text, 1_000)
    assert all(end - start <= 1_000 for start, end in spans)
    assert spans[0][0] == 0 and spans[-1][1] == len(text)
    assert all(nxt[0] < prev[1] for prev, nxt in itertools.pairwise(spans))


@pytest.mark.parametrize("at", range(880, 1_020, 7))
def test_a_value_cut_by_a_window_edge_is_found_once_whole(at: int) -> None:
    text = "x" * at + " " + CARD + " " + "y" * 2_000
    limits = TextLimits(window_chars=1_000)
    pieces = Pieces([text], limits)
    recognizer = PaymentCardRecognizer()
    found = [
        tuple(Detection("CREDIT_CARD", c.start, c.end, c.score) for c in recognizer.candidates(piece))
        for piece in pieces.texts
    ]
    (merged,) = pieces.merge(found)
    assert [(d.start, d.end) for d in merged] == [(at + 1, at + 1 + len(CARD))]


def test_long_punctuation_runs_are_blanked_for_detectors_only() -> None:
    text = "mail a@b.co " + "$" * 50 + " ok"
    view = detector_view(text)
    assert len(view) == len(text) and "a@b.co" in view and "$$$$" not in view


def test_limits_refuse_long_messages_and_long_requests() -> None:
    limits = TextLimits(max_message_chars=10, max_request_chars=15)
    limits.check(["a" * 10])
    with pytest.raises(TextTooLarge):
        limits.check(["a" * 11])
    with pytest.raises(TextTooLarge):
        limits.check(["a" * 8, "b" * 8])


def test_a_long_run_of_spaced_digits_still_yields_its_card() -> None:
    # Once cubic in the run's length (every window of groups was joined).
    text = "0 " * 3_000 + CARD
    (candidate,) = PaymentCardRecognizer().candidates(text)
    assert text[candidate.start : candidate.end] == CARD
