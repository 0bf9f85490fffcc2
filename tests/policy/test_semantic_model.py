"""The bundled model's parts: hashed n-grams, the linear learner, the gate
that spares the encoder, and classifiers trained ahead of time."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from guardrail.policy import PolicyStore
from guardrail.policy.semantic import RuleExamples, SemanticModel, SemanticResources, trained
from guardrail.policy.semantic import calibration as calibration_module
from guardrail.policy.semantic import classifier as classifier_module
from guardrail.policy.semantic.encoder import E5Encoder, bundled_encoder
from guardrail.policy.semantic.learning import balanced_weights, fit_linear
from guardrail.policy.semantic.ngrams import BUCKETS, SparseRows, buckets
from guardrail.policy.semantic.units import pieces_of

ROOT = Path(__file__).resolve().parents[2]


def _dense(rows: SparseRows) -> np.ndarray:
    out = np.zeros((len(rows), BUCKETS))
    for r in range(len(rows)):
        start, end = rows.indptr[r], rows.indptr[r + 1]
        out[r, rows.indices[start:end]] = rows.values[start:end]
    return out


def test_sparse_rows_multiply_like_the_dense_matrix() -> None:
    rows = SparseRows.of(["Where is my parcel?", "", "退款已原路退回。", "f*cking sh1t"])
    dense = _dense(rows)
    weights = np.random.default_rng(0).normal(size=BUCKETS)
    assert np.allclose(rows.dot(weights), dense @ weights)
    assert rows.dot(weights)[1] == 0.0  # an empty row scores nothing
    taken = rows.take(np.array([3, 0]))
    assert np.allclose(_dense(taken), dense[[3, 0]])


def test_traditional_and_simplified_chinese_share_their_features() -> None:
    assert set(buckets("這是你自己的錯")) == set(buckets("这是你自己的错"))


def test_disguised_spellings_share_character_grams_with_the_word() -> None:
    assert set(buckets("sh1tty")) & set(buckets("sh1t"))


def test_the_linear_learner_separates_what_its_examples_separate() -> None:
    bad = ["you idiot", "what an idiot", "idiot customer", "stupid idiot"]
    fine = ["thank you", "thanks a lot", "thank you kindly", "many thanks"]
    rows = SparseRows.of(bad + fine)
    y = np.array([1.0] * 4 + [0.0] * 4)
    model = fit_linear(None, rows, y, balanced_weights(y), l2_dense=0.0, l2_sparse=1e-3)
    p = model.probability(None, SparseRows.of(["such an idiot", "thank you so much"]))
    assert p[0] > 0.6 > 0.4 > p[1]
    again = fit_linear(None, rows, y, balanced_weights(y), l2_dense=0.0, l2_sparse=1e-3)
    assert np.array_equal(model.sparse, again.sparse)  # deterministic


class CountingEncoder:
    def __init__(self, inner) -> None:  # type: ignore[no-untyped-def]
        self.inner, self.model_id, self.dim = inner, inner.model_id, inner.dim
        self.texts: list[str] = []

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        self.texts += list(texts)
        return self.inner.encode(texts)


@pytest.fixture(scope="module")
def shipped() -> tuple[SemanticModel, CountingEncoder]:
    encoder = CountingEncoder(bundled_encoder())
    model = SemanticModel(encoder)
    PolicyStore(ROOT / "policies", semantic=SemanticResources(model)).load()
    return model, encoder


def test_the_shipped_policy_loads_its_classifier_trained_ahead(shipped) -> None:
    model, _ = shipped
    [(digest, classifier)] = model.trained_classifiers()
    ahead = trained.load(trained.TRAINED_FILE, digest)
    assert ahead is not None, "trained.npz is stale: run training/answers/build_vectors.py"
    assert classifier.calibrated == ahead[1]


def test_the_gate_releases_an_ordinary_answer_without_the_encoder(shipped) -> None:
    model, encoder = shipped
    [(_, classifier)] = model.trained_classifiers()
    before = len(encoder.texts)
    scored = classifier.scored(
        "Your parcel left our warehouse today and arrives on Friday. Thanks for your order!"
    )
    assert len(encoder.texts) == before
    assert all(v is None for v in scored.vectors)
    assert scored.scores.max() < min(classifier.calibrated)


def test_what_the_gate_cannot_clear_is_read_by_the_encoder(shipped) -> None:
    model, encoder = shipped
    [(_, classifier)] = model.trained_classifiers()
    before = len(encoder.texts)
    scored = classifier.scored("Honestly this is your own fault, you idiot. Take 800 mg of ibuprofen.")
    assert len(encoder.texts) > before
    assert scored.vectors[0] is not None


LONG_FRIENDLY = (
    "Thanks for getting in touch about the delivery. Your order left the warehouse this morning "
    "and the courier plans to bring it on Thursday afternoon. If nobody is home, the driver will "
    "leave a card and come back the next working day. The cushion covers can be washed at 30 "
    "degrees and dried flat. Is there anything else I can help you with today? Have a lovely week!"
)


def test_sentences_of_a_long_answer_face_a_gate_calibrated_for_them(shipped) -> None:
    model, _ = shipped
    [(_, classifier)] = model.trained_classifiers()
    fitted = classifier.fitted
    assert fitted.sentence_gate_threshold is not None
    assert fitted.sentence_gate_threshold >= fitted.gate_threshold
    thresholds = fitted.gate_thresholds(4)
    assert thresholds[0] == fitted.gate_threshold
    assert (thresholds[1:] == fitted.sentence_gate_threshold).all()


def test_the_sentence_gate_decides_which_sentences_are_encoded(shipped) -> None:
    model, encoder = shipped
    [(_, classifier)] = model.trained_classifiers()
    shipped_fitted = classifier.fitted
    try:
        for sentence_gate, every_sentence in ((np.inf, False), (0.0, True)):
            classifier.fitted = dataclasses.replace(
                shipped_fitted, gate_threshold=np.inf, sentence_gate_threshold=sentence_gate
            )
            before = len(encoder.texts)
            text = LONG_FRIENDLY + f" Reference {sentence_gate}."  # not scored before
            sentences = pieces_of(text)[1][1:]
            assert len(sentences) == 6  # the short last two sentences are one piece
            classifier.scored(text)
            assert len(encoder.texts) - before == (len(sentences) if every_sentence else 0)
    finally:
        classifier.fitted = shipped_fitted


def test_the_sentence_gate_keeps_what_still_fires_scored_alone() -> None:
    # Four breaking examples; scaled down by half only the two scoring 0.8
    # and 0.9 still reach the 0.4 threshold, and their gate scores decide.
    pos_gate = np.array([0.2, 0.3, 0.6, 0.7] * 20)
    calibration = calibration_module.Calibration(
        gate_threshold=0.1,
        thresholds=[0.4],
        pos_gate=pos_gate,
        pos_scores=np.array([[0.5], [0.6], [0.8], [0.9]] * 20),
    )
    threshold = calibration.sentence_gate_threshold(np.array([0.5]))
    assert 0.6 <= threshold <= 0.7
    # Nothing scaled: every example fires, so all their gate scores decide.
    assert calibration.sentence_gate_threshold(np.array([1.0])) == pytest.approx(
        np.quantile(pos_gate, 1 - calibration_module.SENTENCE_GATE_RECALL)
    )
    # Too few fire to calibrate on: sentences face the whole answer's gate.
    assert calibration.sentence_gate_threshold(np.array([0.1])) == 0.1


def test_a_bad_sentence_inside_a_long_friendly_answer_still_fires(shipped) -> None:
    model, _ = shipped
    [(_, classifier)] = model.trained_classifiers()
    bad = "Honestly, if you had bothered to read the email you would not be asking me this."
    text = LONG_FRIENDLY.replace("The cushion covers", bad + " The cushion covers")
    scored = classifier.scored(text)
    fired = scored.scores >= np.array(classifier.calibrated)
    assert fired.any()
    rows = np.flatnonzero(fired.any(axis=1))
    assert any(
        scored.spans[r] is not None and text[scored.spans[r].start : scored.spans[r].end] == bad
        for r in rows
    ) or 0 in rows


def test_a_classifier_saved_ahead_scores_like_the_one_trained_at_load(tmp_path: Path) -> None:
    model = SemanticModel(bundled_encoder(), trained_file=None)
    rules = [
        RuleExamples("rude", ("Whatever. Figure it out yourself.", "Stop messaging me."),
                     ("Happy to help with that.", "Sorry for the wait.")),
    ]
    fresh = model.classifier(rules)
    path = tmp_path / "trained.npz"
    trained.save(path, model.digest(rules), fresh.fitted, fresh.calibrated)
    assert trained.load(path, "another digest") is None
    loaded = SemanticModel(bundled_encoder(), trained_file=path).classifier(rules)
    text = "Whatever, figure out the parcel yourself."
    assert loaded.calibrated == fresh.calibrated
    assert np.allclose(loaded.scored(text).scores, fresh.scored(text).scores, atol=1e-5)


def _scoring_example(classifier, texts: list[str], rule_id: str) -> tuple[str, float]:  # type: ignore[no-untyped-def]
    """An example the encoder reads (the gate passes it) and that scores on the rule."""
    for text in texts:
        found = classifier.score(text, rule_id, threshold=0.0)
        if 0.2 <= found.score <= 0.9 and found.span is None:
            return text, found.score
    raise AssertionError(f"no example of {rule_id} scores on it")


def test_a_near_tie_is_settled_by_the_nearest_example(shipped) -> None:
    model, _ = shipped
    [(_, classifier)] = model.trained_classifiers()
    rule = classifier.rule_ids.index("semantic.promises")
    rule_id = classifier.rule_ids[rule]
    fine, fine_score = _scoring_example(classifier, classifier._fine[rule], rule_id)
    breaking, break_score = _scoring_example(classifier, classifier._breaks[rule], rule_id)
    band = classifier_module.NEAR_TIE_BAND
    # Just above the threshold, a near miss is its own nearest example: not fired.
    near = classifier.score(fine, rule_id, threshold=fine_score - band / 2)
    assert near.closest_fine is not None and near.closest_fine.text == fine
    assert not near.fires
    # Clear of the band, the score alone decides.
    assert classifier.score(fine, rule_id, threshold=fine_score - 2 * band).fires
    # A breaking example just above the threshold is nearest a breaking one: fired.
    assert classifier.score(breaking, rule_id, threshold=break_score - band / 2).fires
    assert not classifier.score(breaking, rule_id, threshold=break_score + 0.01).fires


def test_traditional_chinese_is_read_as_simplified_by_the_encoder() -> None:
    encoder = E5Encoder()
    traditional, simplified = encoder.encode(
        [
            "您已經組裝到最後一步了，接下來只要把床板放上去就完成了。",
            "您已经组装到最后一步了，接下来只要把床板放上去就完成了。",
        ]
    )
    assert float(traditional @ simplified) > 0.9999
