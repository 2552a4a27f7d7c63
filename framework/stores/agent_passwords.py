"""Agents' passwords, kept only as scrypt hashes.

A hash is one self-describing string, `scrypt$n$r$p$salt$hash` (salt and hash in base64), so
its cost can rise later without losing the passwords hashed before. scrypt with n=2**14, r=8,
p=1 (16 MiB and some 50 ms a hash), a 16-byte random salt, 32 bytes out. A password is its
NFKC form in UTF-8 (so the "é" a phone types matches the one a laptop types).

Checking a password always costs one hash: against the agent's hash, or against a dummy one
when there is no agent (or the stored hash is unreadable), and the outcome is compared in
constant time, so an unknown name answers in the time of a known one. Hashing runs on a
thread (never on the event loop), at most HASHING_AT_ONCE at a time in a process (16 MiB
each: a burst of sign-ins must not take the machine's memory).
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import functools
import hashlib
import hmac
import secrets
import threading
import unicodedata

from framework.stores.agents import AgentError

__all__ = [
    "HASHING_AT_ONCE",
    "MAX_PASSWORD",
    "MIN_PASSWORD",
    "N",
    "P",
    "R",
    "check_password",
    "hash_password",
    "hashed",
    "matches",
    "password_matches",
]

MIN_PASSWORD, MAX_PASSWORD = 12, 1024
"""Characters of a password."""
N, R, P = 2**14, 8, 1
SALT, LENGTH = 16, 32
"""Bytes of the salt and of the hash."""
HASHING_AT_ONCE = 4
_HASHING = threading.BoundedSemaphore(HASHING_AT_ONCE)
_LIMITS = {"n": (2, 2**20), "r": (1, 32), "p": (1, 16)}
MAX_MEMORY = 128 * 1024 * 1024
"""The costs a stored hash may name: one written by hand or by an attacker with the store
cannot ask for gigabytes."""


def check_password(password: object) -> str:
    """A new password: MIN_PASSWORD to MAX_PASSWORD characters of text. The message tells
    its length, never the password."""
    if not isinstance(password, str):
        raise AgentError(f"a password is text, not {type(password).__name__}")
    if not MIN_PASSWORD <= len(password) <= MAX_PASSWORD:
        raise AgentError(
            f"the password has {len(password)} characters; use {MIN_PASSWORD} to "
            f"{MAX_PASSWORD} (a few words make a long one that is easy to remember)"
        )
    if _secret(password) is None:
        raise AgentError("the password holds a lone surrogate, which no keyboard types")
    return password


def _encoded(password: str) -> bytes:
    """The bytes that are hashed (UnicodeEncodeError for a lone surrogate)."""
    return unicodedata.normalize("NFKC", password).encode()


def _secret(password: object) -> bytes | None:
    """The bytes that are hashed; None for what cannot be a password."""
    if not isinstance(password, str) or len(password) > MAX_PASSWORD:
        return None
    try:
        return _encoded(password)
    except UnicodeEncodeError:
        return None


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


def _memory(n: int, r: int, p: int) -> int:
    """Bytes scrypt needs for these costs (as OpenSSL counts them)."""
    return 128 * r * (n + p + 2)


def _scrypt(secret: bytes, salt: bytes, n: int, r: int, p: int) -> bytes:
    with _HASHING:
        most = _memory(n, r, p) + 1024 * 1024
        return hashlib.scrypt(secret, salt=salt, n=n, r=r, p=p, maxmem=most, dklen=LENGTH)


def hash_password(password: str) -> str:
    """The hash to keep of a new password, checked (it blocks some 50 ms: see `hashed`)."""
    salt = secrets.token_bytes(SALT)
    digest = _scrypt(_encoded(check_password(password)), salt, N, R, P)
    return f"scrypt${N}${R}${P}${_b64(salt)}${_b64(digest)}"


def _parsed(kept: str) -> tuple[bytes, int, int, int, bytes] | None:
    """salt, n, r, p and hash of a kept hash; None when it is not one this module reads."""
    parts = kept.split("$")
    if len(parts) != 6 or parts[0] != "scrypt" or not all(p.isdigit() for p in parts[1:4]):
        return None
    costs = dict(zip(("n", "r", "p"), map(int, parts[1:4]), strict=True))
    n, r, p = costs["n"], costs["r"], costs["p"]
    if any(not low <= costs[name] <= high for name, (low, high) in _LIMITS.items()):
        return None
    if n & (n - 1) or _memory(n, r, p) > MAX_MEMORY:
        return None  # scrypt's n is a power of two
    try:
        salt, digest = (
            base64.b64decode(parts[4], validate=True),
            base64.b64decode(parts[5], validate=True),
        )
    except binascii.Error:
        return None
    return salt, n, r, p, digest


@functools.cache
def _dummy() -> tuple[bytes, int, int, int, bytes]:
    """What a password is checked against when there is no agent: a hash of the same cost
    as a real one, of a password nobody knows (made once per process)."""
    salt = secrets.token_bytes(SALT)
    return salt, N, R, P, _scrypt(secrets.token_bytes(24), salt, N, R, P)


def matches(kept: str | None, password: object) -> bool:
    """Whether `password` is the one `kept` was made of; one hash in every case (the dummy's
    for no hash, an unreadable one or a password that cannot be one), compared in constant
    time (it blocks: see `password_matches`)."""
    parsed = None if kept is None else _parsed(kept)
    secret = _secret(password)
    salt, n, r, p, digest = parsed or _dummy()
    tried = _scrypt(secret if secret is not None else b"", salt, n, r, p)
    same = hmac.compare_digest(tried, digest)
    return same and parsed is not None and secret is not None


async def hashed(password: str) -> str:
    """`hash_password` on a thread."""
    return await asyncio.to_thread(hash_password, password)


async def password_matches(kept: str | None, password: object) -> bool:
    """`matches` on a thread."""
    return await asyncio.to_thread(matches, kept, password)
