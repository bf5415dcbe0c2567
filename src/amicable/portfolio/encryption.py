"""Field encryption for SSNs.

The full SSN is needed rarely (identity checks, bureau reporting) and must never leak in a
dump or a log, so it is stored Fernet-encrypted. A keyed hash lets an import find the same
person again without decrypting anything.
"""

import base64
import hashlib
import hmac
from functools import cache

from cryptography.fernet import Fernet
from django.conf import settings


@cache
def _key_material() -> bytes:
    configured = settings.ENCRYPTION_KEY
    if configured:
        return configured.encode()
    return hashlib.sha256(("amicable-field-key:" + settings.SECRET_KEY).encode()).digest()


@cache
def _fernet() -> Fernet:
    return Fernet(base64.urlsafe_b64encode(hashlib.sha256(_key_material()).digest()))


def encrypt_ssn(ssn: str) -> str:
    return _fernet().encrypt(ssn.encode()).decode() if ssn else ""


def decrypt_ssn(token: str) -> str:
    return _fernet().decrypt(token.encode()).decode() if token else ""


def ssn_lookup_hash(ssn: str) -> str:
    if not ssn:
        return ""
    return hmac.new(_key_material(), ssn.encode(), hashlib.sha256).hexdigest()
