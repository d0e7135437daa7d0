"""Secrets at rest for accounts: password hashing, token hashing, TOTP secret encryption."""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from tipline.evidence.vault import derive_key

# argon2id with the library's defaults (RFC 9106 low-memory profile).
_hasher = PasswordHasher()
# Verifying against this keeps the time of an unknown-user login like that of a known one.
_DUMMY_HASH = _hasher.hash("not a real password")

MIN_PASSWORD_LENGTH = 12


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(stored_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(stored_hash or _DUMMY_HASH, password) and stored_hash is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def new_password() -> str:
    # 20 characters from a 55-symbol alphabet without look-alikes: about 115 bits.
    alphabet = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    return "".join(secrets.choice(alphabet) for _ in range(20))


def token_hash(token: str) -> str:
    """Tokens are random and long, so a plain SHA-256 is the right stored form (no salt needed)."""
    return hashlib.sha256(token.encode()).hexdigest()


def constant_time_equal(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())


def token_matches(stored_hash: str | None, token: str) -> bool:
    """Whether a presented token is the one whose hash was stored, in the same time whether or
    not anything was stored (an unknown case number and a wrong token look the same)."""
    same = constant_time_equal(stored_hash or "x" * 64, token_hash(token))
    return same and stored_hash is not None and bool(token)


def pass_signature(master_key: bytes, *, purpose: str, parts: tuple[str, ...]) -> str:
    """An HMAC over `parts` with a key of its own for `purpose`: a short-lived pass a browser
    holds instead of a secret it was once shown (the secret itself never goes into a cookie)."""
    key = derive_key(master_key, f"tipline pass {purpose} v1".encode())
    return hmac.new(key, "\x1f".join(parts).encode(), "sha256").hexdigest()


def seal_secret(master_key: bytes, plaintext: str, *, label: str) -> bytes:
    key = AESGCM(derive_key(master_key, b"tipline account secrets v1"))
    nonce = os.urandom(12)
    return nonce + key.encrypt(nonce, plaintext.encode(), label.encode())


def open_secret(master_key: bytes, blob: bytes, *, label: str) -> str | None:
    key = AESGCM(derive_key(master_key, b"tipline account secrets v1"))
    try:
        return key.decrypt(blob[:12], blob[12:], label.encode()).decode()
    except (InvalidTag, ValueError):
        return None
