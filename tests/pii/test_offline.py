"""The analyzer needs no network: built and run with sockets disabled."""

from __future__ import annotations

import socket

import pytest

from guardrail.pii import Analyzer, PiiPolicy
from guardrail.pii.detection import select


class _NetworkUsed(Exception):
    pass


def _refuse(*args, **kwargs):
    raise _NetworkUsed("network access attempted")


def test_build_and_detect_with_sockets_blocked(monkeypatch: pytest.MonkeyPatch):
    for name in ("getaddrinfo", "create_connection", "gethostbyname"):
        monkeypatch.setattr(socket, name, _refuse)
    monkeypatch.setattr(socket.socket, "connect", _refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", _refuse)

    analyzer = Analyzer(cache_size=8)  # loads spaCy and every recognizer afresh
    text = (
        "I'm Sarah Connor, email sarah.connor@example.co.uk, visit https://example.org/me, "
        "call +44 20 7946 0958, card 4111111111111111, IP 203.0.113.7."
    )
    (found,) = analyzer.analyze([text], "en")
    policy = PiiPolicy(
        entities=["PERSON", "EMAIL_ADDRESS", "URL", "PHONE_NUMBER", "CREDIT_CARD", "IP_ADDRESS"]
    )
    entities = {d.entity for d in select(text, found, policy)}
    assert entities == {
        "PERSON",
        "EMAIL_ADDRESS",
        "URL",
        "PHONE_NUMBER",
        "CREDIT_CARD",
        "IP_ADDRESS",
    }
