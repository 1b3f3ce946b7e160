"""Verification codes: short, typable, and derived from a secret so they cannot be guessed.

``code = base32(HMAC-SHA256(secret, "lg_code:serial"))[:12]`` over an alphabet without the look-alike
letters I, L, O and U (Crockford's base32), printed in three groups of four: ``7K3M-Q9XD-2HFA``.
60 bits make guessing a valid code hopeless (the /verify endpoint answers only genuine / not), and
the serial alone is not enough to forge one. ``normalise`` accepts what people type: lower case,
spaces or no hyphens, O for 0 and I/L for 1.
"""
from __future__ import annotations

import hashlib
import hmac

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
LENGTH = 12
GROUP = 4
_TYPOS = str.maketrans({"O": "0", "I": "1", "L": "1"})


def make_code(secret: bytes, lg_code: str, serial: str) -> str:
    """The verification code of the document ``serial`` issued by ``lg_code``."""
    digest = hmac.new(secret, f"{lg_code}:{serial}".encode(), hashlib.sha256).digest()
    number = int.from_bytes(digest[:8], "big") >> (64 - 5 * LENGTH)
    chars = "".join(ALPHABET[(number >> (5 * i)) & 31] for i in reversed(range(LENGTH)))
    return "-".join(chars[i:i + GROUP] for i in range(0, LENGTH, GROUP))


def normalise(typed: str) -> str | None:
    """The canonical form of a typed code, or None when it cannot be one."""
    chars = "".join(c for c in (typed or "").upper().translate(_TYPOS) if c not in " -‐－ー　")
    if len(chars) != LENGTH or any(c not in ALPHABET for c in chars):
        return None
    return "-".join(chars[i:i + GROUP] for i in range(0, LENGTH, GROUP))
