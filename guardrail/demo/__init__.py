"""`guardrail demo`: the whole product on one machine, no network, no accounts."""
