"""Tamper-evident, personal-data-free log of every proxy decision and reviewer action."""

from guardrail.audit.log import (
    AuditEntry,
    AuditKeys,
    AuditLog,
    AuditUnavailable,
    VerifyResult,
    encode_body,
    entry_hash,
    verify_export,
)
from guardrail.audit.lua import AUDIT_LUA

__all__ = [
    "AUDIT_LUA",
    "AuditEntry",
    "AuditKeys",
    "AuditLog",
    "AuditUnavailable",
    "VerifyResult",
    "encode_body",
    "entry_hash",
    "verify_export",
]
