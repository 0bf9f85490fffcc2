"""Vault keys: authenticated encryption with rotation, and keyed fingerprints.

Every configured key can decrypt; only the first encrypts. Raw key bytes of any
length >= 16 are stretched with HKDF into separate sub-keys for encryption and
for fingerprints, so one secret never serves two purposes.
"""

from __future__ import annotations

import hashlib
import hmac
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

_VERSION = b"\x01"
_NONCE_BYTES = 12
_KEY_ID_BYTES = 4
MIN_KEY_BYTES = 16


class VaultKeyError(Exception):
    """A ciphertext no configured key can open (rotated out, or tampered with)."""


def _derive(secret: bytes, purpose: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=purpose).derive(secret)


class _Key:
    def __init__(self, secret: bytes) -> None:
        self.aead = AESGCM(_derive(secret, b"guardrail/pii/vault/aes-gcm"))
        self.fingerprint_key = _derive(secret, b"guardrail/pii/vault/fingerprint")
        self.key_id = hashlib.sha256(self.fingerprint_key).digest()[:_KEY_ID_BYTES]


class KeyRing:
    def __init__(self, secrets: list[bytes]) -> None:
        if not secrets:
            raise ValueError("at least one vault key is required")
        for secret in secrets:
            if not isinstance(secret, bytes) or len(secret) < MIN_KEY_BYTES:
                raise ValueError(f"vault keys must be bytes of at least {MIN_KEY_BYTES} bytes")
        self._keys = [_Key(secret) for secret in secrets]
        self._by_id = {key.key_id: key for key in reversed(self._keys)}

    def __len__(self) -> int:
        return len(self._keys)

    def encrypt(self, plaintext: bytes, aad: bytes) -> bytes:
        key = self._keys[0]
        nonce = os.urandom(_NONCE_BYTES)
        return _VERSION + key.key_id + nonce + key.aead.encrypt(nonce, plaintext, aad)

    def decrypt(self, blob: bytes, aad: bytes) -> bytes:
        head = 1 + _KEY_ID_BYTES
        if len(blob) < head + _NONCE_BYTES or blob[:1] != _VERSION:
            raise VaultKeyError("vault entry has an unknown format")
        key = self._by_id.get(blob[1:head])
        if key is None:
            raise VaultKeyError("vault entry was sealed with a key that is not configured")
        nonce = blob[head : head + _NONCE_BYTES]
        try:
            return key.aead.decrypt(nonce, blob[head + _NONCE_BYTES :], aad)
        except InvalidTag:
            raise VaultKeyError("vault entry failed authentication") from None

    def fingerprints(self, *parts: str) -> list[str]:
        """The keyed digest of `parts` under every key, newest first.

        Lookups try them all so a rotation does not renumber live conversations;
        new entries are written under the first.
        """
        message = "\x1f".join(parts).encode()
        return [
            hmac.new(key.fingerprint_key, message, hashlib.sha256).hexdigest()[:32]
            for key in self._keys
        ]
