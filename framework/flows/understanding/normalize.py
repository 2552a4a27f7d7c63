"""One normal form for comparing what customers type with what authors wrote.

Lower case, punctuation to spaces, umlauts folded (`groß` and `gross`, `käse` and `kaese`
compare equal), at most `MAX_CHARS` characters considered so huge input stays cheap.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

__all__ = ["MAX_CHARS", "normalize", "tokens"]

MAX_CHARS = 500
_FOLD = str.maketrans({"ß": "ss", "ä": "ae", "ö": "oe", "ü": "ue"})
_NOT_WORD = re.compile(r"[^\w]+")


@lru_cache(maxsize=4096)
def normalize(text: str) -> str:
    folded = unicodedata.normalize("NFKC", text[:MAX_CHARS]).casefold().translate(_FOLD)
    return " ".join(_NOT_WORD.sub(" ", folded).split())


def tokens(text: str) -> list[str]:
    return normalize(text).split()
