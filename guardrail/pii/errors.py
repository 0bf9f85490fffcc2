"""The one error the PII service raises to its callers."""

from __future__ import annotations


class PiiUnavailable(Exception):
    """The analyzer or the vault failed; the caller must fail closed.

    Messages name the stage that failed and never quote the text being
    analysed, so they are safe to log and to return to a client.
    """
