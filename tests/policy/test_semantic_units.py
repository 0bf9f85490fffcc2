"""How an answer is cut into the pieces the semantic rules score."""

from __future__ import annotations

from guardrail.policy.semantic.units import pieces_of


def scored_alone(text: str) -> list[str]:
    return pieces_of(text)[1][1:]


def test_short_answers_are_scored_whole_only() -> None:
    spans, texts = pieces_of("Thanks! Your parcel ships today.")
    assert spans == [None] and texts == ["Thanks! Your parcel ships today."]


def test_short_sentences_join_the_sentences_after_them() -> None:
    text = (
        "Hi there. Thanks. Your order left the warehouse this morning and arrives on Thursday. "
        "The cushion covers can be washed at 30 degrees and dried flat."
    )
    assert scored_alone(text) == [
        "Hi there. Thanks. Your order left the warehouse this morning and arrives on Thursday.",
        "The cushion covers can be washed at 30 degrees and dried flat.",
    ]


def test_a_short_last_sentence_is_scored_alone_not_drowned_by_the_one_before() -> None:
    text = (
        "Your order left the warehouse this morning and arrives on Thursday. "
        "The cushion covers can be washed at 30 degrees and dried flat. You are pathetic."
    )
    assert scored_alone(text)[-1] == "You are pathetic."


def test_every_chinese_sentence_is_read_in_some_piece() -> None:
    text = (
        "感谢您耐心等待，我已经帮您查看了相关情况。我仔细看了您的账户和上次留言的记录。"
        "您是东北人吧？难怪说话这么冲。请问还有什么可以帮您的吗？"
    )
    pieces = scored_alone(text)
    assert "您是东北人吧？难怪说话这么冲。" in pieces
    assert "".join(pieces) == text


def test_pieces_that_would_only_repeat_the_whole_answer_are_not_scored_again() -> None:
    assert scored_alone("Hi. Sure. Thanks a lot. See you.") == []


def test_a_persons_placeholder_is_read_as_the_customer_and_spans_stay_on_the_answer() -> None:
    answer = "Dear <PERSON_1> and <PERSON_12>, that is your fault. Order <ORDER_ID_1> ships Monday. Thanks."
    spans, texts = pieces_of(answer)
    assert texts[0].startswith("Dear customer and customer, that is your fault.")
    assert "<ORDER_ID_1>" in texts[0]  # other kinds stay as they are
    assert all("<PERSON_" not in piece for piece in texts)
    assert answer[spans[1].start : spans[1].end].startswith("Dear <PERSON_1>")
