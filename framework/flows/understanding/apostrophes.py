"""Words with an apostrophe read as written out: dialect and chat forms whose apostrophe
stands for letters left out ("auf d'Margherita", "twa beers an' a Cola", "wan wi' jalapeños",
"mit Oliv'n")."""

from __future__ import annotations

import re
from typing import Final

__all__ = ["apostrophes_read"]


def apostrophes_read(text: str) -> str:
    """The text with "d'", "an'", "wi'", "o'" and a word's final "'n" written out."""
    text = _AN_APOSTROPHE.sub("and", _D_APOSTROPHE.sub("die ", text))
    text = _OF_APOSTROPHE.sub("of", _WI_APOSTROPHE.sub("with", text))
    return _N_APOSTROPHE.sub(r"\1en", text)


_D_APOSTROPHE: Final = re.compile(r"(?<!\w)[dD]['’](?=[^\W\d_])")
"""Bavarian, Austrian, Swiss "d'" before a word is "die" ("auf d'Margherita", "in
d'Weisestraße"); English "I'd" ends a word."""


_AN_APOSTROPHE: Final = re.compile(r"(?<!\w)[aA]n['’](?!\w)")
"""Scots, Irish and chat English "an'" is "and" ("twa beers an' a Cola Zero"), never the
article "an"."""
_N_APOSTROPHE: Final = re.compile(
    r"\b(?!(?:für|fuer|auf|mit|in|an|um|über|ueber|unter|vor|durch|gegen|ohne|nach|bei|zu|aus"
    r"|von|hinter|statt|anstatt|seit|bis|wegen|trotz|un|und|noch)['’]n\b)([^\W\d_]*[^\W\d_t])"
    r"['’]n\b",
    re.IGNORECASE,
)
"""Bavarian, Saxon "'n" at the end of a word is "en" ("mit Oliv'n", "mir hol'n's ab"); after a
preposition, "und" or "noch" it is an article ("für'n Hias", "un'n Wasser", "noch'n Bier"),
after a "t" it is "denn" ("was kostet'n …?"), and at the start of a word "ein" ("'n Bier")."""
_WI_APOSTROPHE: Final = re.compile(r"(?<!\w)[wW]i['’](?!\w)")
"""Scots "wi'" is "with" ("wan wi' jalapeños"); "wi" alone is Low German "wir"."""
_OF_APOSTROPHE: Final = re.compile(r"(?<!\w)[oO]['’](?=\s)")
"""Northern English, Scots, Irish "o'" before a space is "of" ("make one o' them Colas a Cola
Zero", "a bottle o' water"); "o'clock" and "O'Brien" go on without a space."""
