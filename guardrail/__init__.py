"""guardrail: an OpenAI-compatible proxy that de-identifies personal data,
checks answers against brand policies and holds risky ones for review."""

__version__ = "0.1.0"
