"""A placeholder split across chunks at any boundary is still restored."""

from __future__ import annotations

import itertools
import json

import pytest

from guardrail.pii.conversation import ProtectedConversation

VALUES = {"PERSON_1": "Sarah Connor", "EMAIL_ADDRESS_12": 'o"brien\\x@example.com'}


def _conversation() -> ProtectedConversation:
    return ProtectedConversation(messages=[], conversation_id="d1", scope="app", values=VALUES)


def _stream(conversation: ProtectedConversation, chunks: list[str], **kwargs) -> str:
    restorer = conversation.stream_restorer(**kwargs)
    return "".join(restorer.feed(c) for c in chunks) + restorer.flush()


ANSWER = "Hi <PERSON_1>, mail sent to <EMAIL_ADDRESS_12>. 3 < 4 and <PERSON_9> <b>"
EXPECTED = 'Hi Sarah Connor, mail sent to o"brien\\x@example.com. 3 < 4 and <PERSON_9> <b>'


def test_every_single_split_point():
    for cut in range(len(ANSWER) + 1):
        assert _stream(_conversation(), [ANSWER[:cut], ANSWER[cut:]]) == EXPECTED, cut


def test_every_pair_of_split_points():
    for a, b in itertools.combinations(range(1, len(ANSWER)), 2):
        chunks = [ANSWER[:a], ANSWER[a:b], ANSWER[b:]]
        assert _stream(_conversation(), chunks) == EXPECTED, (a, b)


def test_one_character_chunks_and_unknown_count():
    conversation = _conversation()
    assert _stream(conversation, list(ANSWER)) == EXPECTED
    assert conversation.unknown_placeholders == 1


def test_holds_back_only_a_possible_placeholder():
    restorer = _conversation().stream_restorer()
    assert restorer.feed("Hello there") == "Hello there"
    assert restorer.feed(", <PER") == ", "
    assert restorer.feed("SON_1> and x < y") == "Sarah Connor and x < y"
    assert restorer.feed(" <a") == " <a"
    assert restorer.feed(" <") == " "
    assert restorer.flush() == "<"


@pytest.mark.parametrize("cut", range(0, 60))
def test_streamed_tool_arguments_are_json_escaped(cut: int):
    arguments = '{"to": "<EMAIL_ADDRESS_12>", "name": "<PERSON_1>"}'
    out = _stream(_conversation(), [arguments[:cut], arguments[cut:]], json_arguments=True)
    assert json.loads(out) == {"to": VALUES["EMAIL_ADDRESS_12"], "name": "Sarah Connor"}
