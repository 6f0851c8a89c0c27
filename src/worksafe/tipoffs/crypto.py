"""The tip-offs' secrets: the reporter's identity and the payee's details are encrypted at rest
(Fernet: AES-128-CBC + HMAC-SHA256), and receipts are stored only as a slow hash (scrypt).

The keys are not in the database: they live in a key file, ``WORKSAFE_TIPOFF_KEYS`` (a path; by
default ``<VAR_DIR>/tipoff.key``), created with mode 0600 on first use if missing. The file is
JSON::

    {"keys": ["<newest Fernet key>", "<older key>", …], "receipt_salt": "<64 hex digits>"}

Rotation: put a new key first and keep the old ones (MultiFernet decrypts with any, encrypts
with the first); :func:`rotate` re-encrypts a token with the newest key. The receipt salt must
never change (the receipts already given would stop opening their cases). A backup of the
database without this file cannot reveal an identity; keep the file out of the database backup
and back it up separately (docs/tipoffs.md).
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import threading
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings

_lock = threading.Lock()
_cache: dict[str, tuple[MultiFernet, bytes]] = {}

#: scrypt parameters of the receipt hash (memory 128·r·n = 16 MiB, ~50 ms)
SCRYPT = {"n": 2**14, "r": 8, "p": 1}
RECEIPT_DIGITS = 16


def key_path() -> Path:
    configured = getattr(settings, "WORKSAFE_TIPOFF_KEYS", None)
    return Path(configured) if configured else Path(settings.VAR_DIR) / "tipoff.key"


def _create(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    data = {"keys": [Fernet.generate_key().decode()], "receipt_salt": secrets.token_hex(32)}
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        json.dump(data, fh)


def _load() -> tuple[MultiFernet, bytes]:
    path = key_path()
    k = str(path)
    with _lock:
        if k in _cache:
            return _cache[k]
        if not path.exists():
            try:
                _create(path)
            except FileExistsError:  # another process made it first
                pass
        data = json.loads(path.read_text(encoding="utf-8"))
        keys = [Fernet(x.encode() if isinstance(x, str) else x) for x in data["keys"]]
        if not keys or len(bytes.fromhex(data["receipt_salt"])) < 16:
            raise RuntimeError(f"{path}: no key or a short receipt salt")
        _cache[k] = (MultiFernet(keys), bytes.fromhex(data["receipt_salt"]))
        return _cache[k]


def clear_cache() -> None:
    with _lock:
        _cache.clear()


def encrypt(value: dict) -> str:
    """``value`` (a small dict of text) as a Fernet token; an empty dict is stored as ""."""
    clean = {k: str(v).strip() for k, v in value.items() if v not in (None, "") and str(v).strip()}
    if not clean:
        return ""
    f, _ = _load()
    return f.encrypt(json.dumps(clean, ensure_ascii=False).encode()).decode()


def decrypt(token: str) -> dict:
    """The dict inside ``token`` ({} for ""). Only :mod:`services` calls this, and only after the
    role check and the audit record (``services.reveal_identity``)."""
    if not token:
        return {}
    f, _ = _load()
    try:
        return json.loads(f.decrypt(token.encode()))
    except InvalidToken:
        return {"error": "无法解密(密钥文件不含加密时所用的密钥)"}


def rotate(token: str) -> str:
    if not token:
        return token
    f, _ = _load()
    return f.rotate(token.encode()).decode()


def new_receipt() -> str:
    """16 random decimal digits (``secrets``: ~53 bits)."""
    return f"{secrets.randbelow(10**RECEIPT_DIGITS):0{RECEIPT_DIGITS}d}"


def normalise_receipt(text) -> str | None:
    """The digits of a typed receipt (spaces and dashes allowed), or None if it cannot be one."""
    if not isinstance(text, str) or len(text) > 64:
        return None
    digits = "".join(c for c in text if c in "0123456789")
    return digits if len(digits) == RECEIPT_DIGITS else None


def receipt_hash(receipt: str) -> str:
    """scrypt(receipt, salt = the key file's receipt salt): deterministic, so the case can be found
    by it, and slow, so a stolen database cannot be searched for receipts cheaply."""
    _, salt = _load()
    return hashlib.scrypt(receipt.encode(), salt=salt, dklen=32, maxmem=64 * 1024 * 1024, **SCRYPT).hex()


def display(receipt: str) -> str:
    return " ".join(receipt[i : i + 4] for i in range(0, len(receipt), 4))
