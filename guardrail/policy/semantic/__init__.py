"""Semantic rules: an answer scored by meaning against a rule's description
and examples, by the bundled sentence-encoder model or by an LLM judge."""

from .classifier import RuleExamples, RuleScore, SetClassifier
from .model import SemanticModel
from .resources import SemanticResources

__all__ = ["RuleExamples", "RuleScore", "SemanticModel", "SemanticResources", "SetClassifier"]
