# payspec runtime: copied unchanged into every generated package (generator/runtime/ is the
# source; edit it there and run `make generate`).
"""Signatures: HMAC over bytes, and the one comparison every signature check uses.

`hex_matches` is how every package compares a signature it computed with one it was sent (an
answer's hash, a callback's, a webhook's header): in constant time, and safe for whatever an
attacker sends. `hmac.compare_digest` raises TypeError on text with non-ASCII characters; a
value that is not ASCII text (or ASCII bytes) is no hex signature, so it simply does not match,
and the caller raises its package's typed signature error.
"""

from __future__ import annotations

import hashlib
import hmac


def hmac_hex(key: str, message: bytes, digest: str) -> str:
    """HMAC of `message` with `key` (UTF-8) and the hashlib `digest` ("sha256"), lowercase hex."""
    return hmac.new(key.encode("utf-8"), message, getattr(hashlib, digest)).hexdigest()


def hex_matches(expected: str, given: object) -> bool:
    """Whether `given` is the hex signature `expected` (lowercase hex, as computed here),
    compared in constant time; upper-case hex matches too. `given` may be anything: text or
    bytes that are not ASCII, and any other value, never match. Never raises."""
    if isinstance(given, (bytes, bytearray)):
        if not given.isascii():
            return False
        given = given.decode("ascii")
    if not isinstance(given, str) or not given.isascii():
        return False
    return hmac.compare_digest(expected.encode("ascii"), given.lower().encode("ascii"))
