"""Who holds the keys and makes signatures: the `SigningProvider` contract and the platform's.

The default, `PlatformEd25519Provider`, gives each enterprise an Ed25519 key pair kept by
the platform: the public key in the clear, the private key sealed with AES-256-GCM under a
key derived from the app secret (HKDF-SHA256), with the enterprise id as associated data so
a sealed key cannot be moved to another enterprise. Its signatures are a tamper-evident
attestation by the platform, not a qualified electronic signature (《电子签名法》第十三条):
a licensed CA service (电子认证服务) plugs in as another `SigningProvider` and registers its
verifier in `VERIFIERS`.
"""

from __future__ import annotations

import base64
import binascii
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlalchemy.orm import Session

from matchmaker.agreements.models import EnterpriseKey
from matchmaker.errors import InvalidState

PLATFORM_ED25519 = "platform-ed25519"
ALGORITHM = "ed25519"
_SEAL_PREFIX = "aesgcm1:"
_HKDF_INFO = b"matchmaker/enterprise-signing-key/v1"


@dataclass(frozen=True)
class SignedMessage:
    provider: str  # the provider's name, stored with the signature to pick its verifier
    public_key: str  # base64 of the raw public key
    signature: str  # base64


class SigningProvider(Protocol):
    """Signs on behalf of an enterprise and checks signatures it made.

    `sign` creates the enterprise's key on first use and returns the public key it used;
    `verify` needs nothing secret, so anyone holding the public key can check a signature;
    `public_key` is the enterprise's current key (None before its first signature).
    Callers have already authenticated the person signing; the provider trusts them.
    """

    name: str

    def sign(self, *, enterprise_id: str, message: bytes) -> SignedMessage: ...

    def verify(self, *, public_key: str, message: bytes, signature: str) -> bool: ...

    def public_key(self, enterprise_id: str) -> str | None: ...


@dataclass(frozen=True)
class StoredKey:
    enterprise_id: str
    algorithm: str
    public_key: str  # base64
    private_key: str  # sealed, see `seal`


class KeyStore(Protocol):
    """Where the platform provider keeps enterprise keys: the database, or memory in tests."""

    def get(self, enterprise_id: str) -> StoredKey | None: ...

    def add(self, key: StoredKey) -> None: ...


class MemoryKeyStore:
    def __init__(self) -> None:
        self.keys: dict[str, StoredKey] = {}

    def get(self, enterprise_id: str) -> StoredKey | None:
        return self.keys.get(enterprise_id)

    def add(self, key: StoredKey) -> None:
        self.keys[key.enterprise_id] = key


class DatabaseKeyStore:
    """Keys in `enterprise_keys`; `add` flushes, the caller's transaction commits."""

    def __init__(self, db: Session) -> None:
        self.db = db

    def get(self, enterprise_id: str) -> StoredKey | None:
        row = self.db.get(EnterpriseKey, enterprise_id)
        if row is None:
            return None
        return StoredKey(row.enterprise_id, row.algorithm, row.public_key, row.private_key)

    def add(self, key: StoredKey) -> None:
        self.db.add(
            EnterpriseKey(
                enterprise_id=key.enterprise_id,
                algorithm=key.algorithm,
                public_key=key.public_key,
                private_key=key.private_key,
            )
        )
        self.db.flush()


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.b64decode(text.encode("ascii"), validate=True)


def _wrapping_key(secret: str) -> bytes:
    hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_HKDF_INFO)
    return hkdf.derive(secret.encode("utf-8"))


def seal(secret: str, enterprise_id: str, raw: bytes) -> str:
    """Encrypt a private key for storage: "aesgcm1:" + base64(12-byte nonce + ciphertext)."""
    nonce = secrets.token_bytes(12)
    sealed = AESGCM(_wrapping_key(secret)).encrypt(nonce, raw, enterprise_id.encode("utf-8"))
    return _SEAL_PREFIX + _b64(nonce + sealed)


def unseal(secret: str, enterprise_id: str, sealed: str) -> bytes:
    if not sealed.startswith(_SEAL_PREFIX):
        raise InvalidState(f"the signing key of {enterprise_id} is stored in an unknown format")
    try:
        data = _unb64(sealed.removeprefix(_SEAL_PREFIX))
        aead = AESGCM(_wrapping_key(secret))
        return aead.decrypt(data[:12], data[12:], enterprise_id.encode("utf-8"))
    except (InvalidTag, binascii.Error, ValueError):
        raise InvalidState(
            f"the signing key of {enterprise_id} cannot be opened with this app secret "
            "(was MATCHMAKER_SECRET_KEY changed?); nothing was signed"
        ) from None


def ed25519_verify(public_key: str, message: bytes, signature: str) -> bool:
    try:
        key = Ed25519PublicKey.from_public_bytes(_unb64(public_key))
        key.verify(_unb64(signature), message)
    except (InvalidSignature, binascii.Error, ValueError):
        return False
    return True


class PlatformEd25519Provider:
    """Ed25519 keys held by the platform, one per enterprise, created on first signature."""

    name = PLATFORM_ED25519

    def __init__(self, keys: KeyStore, secret: str) -> None:
        self.keys = keys
        self._secret = secret

    def public_key(self, enterprise_id: str) -> str | None:
        stored = self.keys.get(enterprise_id)
        return stored.public_key if stored is not None else None

    def sign(self, *, enterprise_id: str, message: bytes) -> SignedMessage:
        stored = self.keys.get(enterprise_id) or self._create(enterprise_id)
        raw = unseal(self._secret, enterprise_id, stored.private_key)
        private = Ed25519PrivateKey.from_private_bytes(raw)
        return SignedMessage(self.name, stored.public_key, _b64(private.sign(message)))

    def verify(self, *, public_key: str, message: bytes, signature: str) -> bool:
        return ed25519_verify(public_key, message, signature)

    def _create(self, enterprise_id: str) -> StoredKey:
        private = Ed25519PrivateKey.generate()
        raw = private.private_bytes(
            serialization.Encoding.Raw,
            serialization.PrivateFormat.Raw,
            serialization.NoEncryption(),
        )
        public = private.public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw
        )
        stored = StoredKey(
            enterprise_id, ALGORITHM, _b64(public), seal(self._secret, enterprise_id, raw)
        )
        self.keys.add(stored)
        return stored


# Signature checkers by provider name; verification needs no secret and no key store.
VERIFIERS: dict[str, Callable[[str, bytes, str], bool]] = {PLATFORM_ED25519: ed25519_verify}


def platform_provider(db: Session, secret: str) -> SigningProvider:
    """The provider the portal signs with; swap in a CA-backed provider here."""
    return PlatformEd25519Provider(DatabaseKeyStore(db), secret)
