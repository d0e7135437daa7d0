"""The encrypted vault: envelope encryption of every stored file.

Each file gets its own random 256-bit data key (AES-256-GCM); the data key is wrapped with a
key-encryption key derived from the master key. The file's storage key is bound in as associated
data, so a ciphertext moved to another name, or any flipped byte, fails authentication.

Layout of a stored file: MAGIC | wrap nonce (12) | wrapped data key (48) | data nonce (12) |
ciphertext with tag.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from tipline.errors import IntegrityFailure, NotFound

MAGIC = b"TLV1"
_NONCE = 12
_WRAPPED = 32 + 16
_HEADER = len(MAGIC) + _NONCE + _WRAPPED + _NONCE


def derive_key(master_key: bytes, purpose: bytes) -> bytes:
    """A separate key per purpose, so that one use of the master key never serves another."""
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=purpose).derive(master_key)


class Vault:
    def __init__(self, root: Path, master_key: bytes) -> None:
        self.root = root
        self._kek = AESGCM(derive_key(master_key, b"tipline vault key-encryption key v1"))

    def new_storage_key(self) -> str:
        # Random, not the file's hash: a name must not reveal that two files are the same.
        return secrets.token_hex(16)

    def path_for(self, storage_key: str) -> Path:
        if len(storage_key) != 32 or not all(c in "0123456789abcdef" for c in storage_key):
            raise NotFound("no such stored file")
        return self.root / storage_key[:2] / storage_key

    def seal(self, storage_key: str, plaintext: bytes) -> bytes:
        data_key = AESGCM.generate_key(bit_length=256)
        wrap_nonce, data_nonce = os.urandom(_NONCE), os.urandom(_NONCE)
        aad = MAGIC + storage_key.encode()
        wrapped = self._kek.encrypt(wrap_nonce, data_key, aad)
        body = AESGCM(data_key).encrypt(data_nonce, plaintext, aad)
        return MAGIC + wrap_nonce + wrapped + data_nonce + body

    def open(self, storage_key: str, blob: bytes) -> bytes:
        if len(blob) < _HEADER + 16 or not blob.startswith(MAGIC):
            raise IntegrityFailure("stored file is damaged: header unreadable")
        pos = len(MAGIC)
        wrap_nonce = blob[pos : pos + _NONCE]
        pos += _NONCE
        wrapped = blob[pos : pos + _WRAPPED]
        pos += _WRAPPED
        data_nonce = blob[pos : pos + _NONCE]
        pos += _NONCE
        aad = MAGIC + storage_key.encode()
        try:
            data_key = self._kek.decrypt(wrap_nonce, wrapped, aad)
            return AESGCM(data_key).decrypt(data_nonce, blob[pos:], aad)
        except InvalidTag:
            raise IntegrityFailure(
                "stored file failed its integrity check (tampered or damaged)"
            ) from None

    def write(self, storage_key: str, plaintext: bytes) -> Path:
        """Encrypt and write atomically: a crash leaves either no file or the whole file."""
        final = self.path_for(storage_key)
        tmp = self.root / ".incoming" / f"{storage_key}.part"
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileNotFoundError:  # first file ever: make the folder, once
            tmp.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(self.seal(storage_key, plaintext))
                fh.flush()
                os.fsync(fh.fileno())
            try:
                os.replace(tmp, final)
            except FileNotFoundError:  # 256 shard folders, each made the first time it is used
                final.parent.mkdir(parents=True, exist_ok=True)
                os.replace(tmp, final)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        return final

    def read(self, storage_key: str) -> bytes:
        path = self.path_for(storage_key)
        try:
            blob = path.read_bytes()
        except FileNotFoundError:
            raise IntegrityFailure("stored file is missing from the vault") from None
        return self.open(storage_key, blob)

    def delete(self, storage_key: str) -> None:
        self.path_for(storage_key).unlink(missing_ok=True)

    def stored_keys(self) -> set[str]:
        return {p.name for p in self.root.glob("??/*") if p.is_file()}
