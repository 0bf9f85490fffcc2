"""Personal data in an answer that the customer did not give: like is compared
with like (a detected value of one kind against this conversation's values of
that kind), and ordinary words never count."""

from __future__ import annotations

from guardrail.pii import PiiPolicy, PiiService

from .chat import assistant, user

POLICY = PiiPolicy.default()


async def _protected(service: PiiService, messages: list[dict]) -> object:
    return await service.protect(messages, scope="shop", conversation_id=None, policy=POLICY)


async def test_a_city_given_as_a_reply_is_not_masked(pii_service: PiiService):
    protected = await _protected(
        pii_service, [assistant("Which city should we ship to?"), user("Paris")]
    )
    assert protected.messages[1]["content"] == "Paris"


async def test_ordinary_answers_raise_nothing(pii_service: PiiService):
    protected = await _protected(pii_service, [user("Do you have the shirt in size M?")])
    for answer in ("Size M is in stock in navy", "Sunny, 21C", "Paris"):
        assert await pii_service.find_foreign_pii(answer, protected, POLICY) == []


async def test_the_customers_own_values_are_theirs_in_any_writing(pii_service: PiiService):
    protected = await _protected(
        pii_service, [user("I'm Dana Whitfield, call me on +44 7700 900123 please.")]
    )
    answer = "Thanks Dana Whitfield, we will call 07700 900123 today."
    assert await pii_service.find_foreign_pii(answer, protected, POLICY) == []


async def test_another_persons_name_is_foreign(pii_service: PiiService):
    protected = await _protected(pii_service, [user("I'm Dana Whitfield, where is my order?")])
    answer = "Hi Dana, the order of Marguerite Okonkwo-Bell shipped yesterday."
    found = await pii_service.find_foreign_pii(answer, protected, POLICY)
    start = answer.index("Marguerite")
    assert [(kind, span.start) for kind, span in found] == [("PERSON", start)]


async def test_another_phone_is_foreign(pii_service: PiiService):
    protected = await _protected(pii_service, [user("Call me on +44 7700 900123 please.")])
    answer = "We tried +44 7700 900123 and also the number on file, +44 7700 900456."
    found = await pii_service.find_foreign_pii(answer, protected, POLICY)
    assert [(kind, span.start) for kind, span in found] == [("PHONE_NUMBER", answer.index("+44 7700 900456"))]
