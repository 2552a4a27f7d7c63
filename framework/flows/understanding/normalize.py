"""One normal form for comparing what customers type with what authors wrote.

Lower case, punctuation to spaces, umlauts folded (`groß` and `gross`, `käse` and `kaese`
compare equal). The whole of a message is read, up to `MAX_CHARS` (the longest text WhatsApp
and Telegram deliver; the engine refuses longer ones): a customer who tells a story first puts
the order at its end.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Final

from framework.flows.understanding.apostrophes import apostrophes_read
from framework.flows.understanding.colloquial import COLLOQUIAL
from framework.flows.understanding.homophones import homophones

__all__ = ["KEPT_READINGS", "MAX_CHARS", "bavarian_no", "normalize", "tokens", "without_emoji"]

MAX_CHARS: Final = 4096
KEPT_READINGS: Final = 4096
"""How many texts (or words) each reading that depends on nothing but them keeps, most
recently used first. One turn reads its message in several passes (the language, commands,
questions, the answer, the edits, the people), and chats repeat short messages ("ja",
"liefern", "mittel"): a reading done once per text serves them all, and the bound keeps a
server that meets millions of messages at a few megabytes."""
_FOLD: Final = str.maketrans({"ß": "ss", "ä": "ae", "ö": "oe", "ü": "ue"})
_WORD: Final = re.compile(r"\w+")


_EMOJI_WORDS: Final = {
    "🍺": "bier",
    "🍕": "pizza",
    "🫒": "oliven",
    "🧅": "zwiebeln",
    "🍄": "pilze",
    "🧀": "kaese",
    "🌶": "jalapenos",
}
"""Emoji that name what they show ("🍕 large Margherita + 🍺🍺", "vegetaria + 🫒 + 🧅",
"w extra 🧀"; 🌶 with or without its variation selector). A run of a drink counts
them; a run of pizzas is a cheer ("🍕🍕🍕"), a pizza wanted, not three."""
_COUNTED: Final = frozenset("🍺")
_EMOJI_RUN: Final = re.compile("|".join(f"(?:{emoji})+" for emoji in _EMOJI_WORDS))
_AN_EMOJI: Final = re.compile(f"[{''.join(emoji[0] for emoji in _EMOJI_WORDS)}]")
"""The first character of any of them: found at a glance in a German text (its umlauts are
not ASCII either), where the runs are tried at every position (~1.5 µs)."""


def _emoji_word(found: re.Match[str]) -> str:
    run = found.group(0)
    word = _EMOJI_WORDS[run[0]]
    if run[0] in _TOPPINGS and not _TOPPING_BEFORE.search(found.string, 0, found.start()):
        return " "  # "quattro formaggi klingt wyld 🧀": a feeling, not an extra
    return f" {len(run)} {word} " if len(run) > 1 and run[0] in _COUNTED else f" {word} "


_TOPPINGS: Final = frozenset("🫒🧅🍄🧀🌶")
_TOPPING_BEFORE: Final = re.compile(
    r"(?:^|[+&,]|\b(?:extra|mit|with|w/?|and|und|plus|n)|[🫒🧅🍄🧀]\ufe0f?)\s*$", re.IGNORECASE
)
"""What a topping's emoji follows when it is one ("+ 🫒 + 🧅", "w extra 🧀", "mit 🍄"), or
nothing (a part of a list of its own)."""


def without_emoji(text: str) -> str:
    """The text without the emoji that name things: beside a question they decorate ("are u
    still open?? just out of the pub 🍺" orders no beer)."""
    return _EMOJI_RUN.sub(" ", text) if not text.isascii() else text


_MONEY: Final = re.compile(
    r"[€$£]\s?\d+(?:[.,]\d{1,2})?|\d+(?:[.,]\d{1,2})?\s?[€$£]|\b\d+,\d{2}\b",
    re.IGNORECASE,
)
"""An amount of money ("20€", "$20", "€2.50", "die 2,50 spar ich mir"): read as the word
"euro", never as a count."""
_DIGIT: Final = re.compile(r"\d")


def money_as_words(text: str) -> str:
    """The text with every amount of money as the word "euro" (before it is cut into parts
    at its commas: "die 2,50 spar ich mir" is no "50")."""
    return _MONEY.sub(" euro ", text) if _DIGIT.search(text) else text  # no digit, no amount


@lru_cache(maxsize=KEPT_READINGS)
def normalize(text: str) -> str:
    text = text[:MAX_CHARS]
    if not text.isascii() and _AN_EMOJI.search(text):  # emoji are not ASCII
        text = _EMOJI_RUN.sub(_emoji_word, text)
    text = money_as_words(text)
    if " Water" in text:
        text = _LAKE_NAMED_WATER.sub(r"\1 \2 lake", text)
    if "'" in text or "’" in text:
        text = apostrophes_read(text)
    folded = unicodedata.normalize("NFKC", text).casefold().translate(_FOLD)
    if " o" in folded:
        folded = _PARTICLE_O.sub(r"\1", folded)
    if "." in folded:
        folded = _ABBREVIATION.sub(_abbreviated, folded)
        folded = _SHORT_LINKS.sub(lambda found: _LINK_WORDS[found[1]], folded)
    if _DIGIT.search(folded):  # most texts hold none: the glued count is looked for at each
        folded = _NUMBER_GLUED.sub(r"\1 \2", folded)  # position (~1 µs), a digit at once
    folded = _spoken_forms(folded)
    words = homophones(_WORD.findall(bavarian_no(folded)))
    return " ".join(COLLOQUIAL.get(word) or _people_compound(word) for word in words)


_LAKE_NAMED_WATER: Final = re.compile(
    r"\b(on|at|in|near|by|from|around|across|along|past|over)\s+([A-Z][a-z]+)\s+Water\b"
)
"""A lake named "… Water" after a word of place ("Sailing instructor on Rutland Water",
"camping by Kielder Water"): no water ordered."""
_PEOPLE_COMPOUND: Final = re.compile(
    r"\w{4,}?(kollegen|kolleginnen|freunde|freundinnen|kumpels|gaeste|kinder)"
)
"""A German compound that names people by its last part ("Mannschaftskollegen",
"Studienfreunde", "Enkelkinder"): counted as those people are."""


def _people_compound(word: str) -> str:
    if len(word) < 10 or not word.isalpha():
        return word
    found = _PEOPLE_COMPOUND.fullmatch(word)
    return word if found is None else found[1]


_BAVARIAN_NO: Final = re.compile(
    r"\bno(?=\s+(?:a|an|oa|oan|oans|ein|eine|einen|zwei|e|es)\b"
    r"|(?:\s+\w+){1,3}?\s+(?:drauf|druf|druff|drüf|druef|dazu|uf|ufs)\b)"
    r"|(?:(?<=\baa )|(?<=\bauch )|(?<=\bdoch )|(?<=\bbitte ))no\b"
    r"|(?:(?<=\bhot eh )|(?<=\bhat eh )|(?<=\bhat )|(?<=\bhond ))no(?=\s+\w)"
)


_ONTO_NO: Final = re.compile(r"\b((?:auf|aufs|uf|ufs|uff)\s+(?:\S+\s+){1,2})no(?=\s+\w)")
"""Swiss, Hessian "uf ds Funghi no extra Chäs", "uf ds Funghi no Olivä": "noch" after where it
goes, said in German ("on the Funghi no extra cheese" stays no)."""


def bavarian_no(text: str) -> str:
    """Bavarian, Austrian and Swiss "no" is "noch" before an article ("mach no a zwoats Bier")
    or in a German phrase of adding ("auf d'Margherita no Oliven drauf", "no extra Schinke uf
    s Prosciutto") or after "aa", "doch" or "bitte" ("da Kurt kimmt aa no", "bitte doch no
    Zwiebla", "auf die Margherita bitte no extra Kas") or after having ("da Bua hot eh no
    oane im Kühlschrank") or after where it goes ("uf ds Funghi
    no extra Chäs"), in lowercase text; English "no" never stands so ("no olives", "No, a large
    one" with its comma)."""
    if "no " not in text:
        return text
    return _BAVARIAN_NO.sub("noch", _ONTO_NO.sub(r"\1noch", text))


_HAM_AS_HAVE: Final = re.compile(
    r"\bham(?=\s+(?:mer|ma|mir|wir|wa|se|sie|ihr|doch|ja|jetzt|etz|noch|schon|grad)\b)"
    r"|(?:(?<=\bmir )|(?<=\bwir )|(?<=\bmer )|(?<=\bsie )|(?<=\bse )|(?<=\bdie )|(?<=\bmia ))"
    r"ham\b"
)
"""German "ham" is "haben" ("jetzt ham mer Hunger", "wir ham noch Wasser", Austrian "mia ham
no welche im Kühlschrank"), not the extra."""
_MIR_AS_WE: Final = re.compile(
    r"\bmir(?=\s+(?:haetten|hettend|hettid|hetten|haben|ham|hond|nehmen|nehmet|moechten|wollen|san"
    r"|sind|sein|brauchen|kriegen|bestellen|holen|hole)\b)"
)
"""Saxon, Bavarian, Swabian "mir" before a verb of "we" is "wir" ("Mir hätten gerne zwee
mittlere Salami"), not "me"."""
_RUNNER_AS_DOWN: Final = re.compile(r"\b(wieder|mal|doch|bitte|ganz|mach|mache) runner\b")
"""Hessian, Palatine "runner" after a German word is "runter" ("die Jalapeños mach wieder
runner"); English "runner" never stands there."""
_SCOTS_NOT: Final = re.compile(
    r"(?:(?<=['’]s )|(?<=['’]m )|(?<=['’]re )|(?<=\bis )|(?<=\bam )|(?<=\bare ))no(?= \w+in[g']?\b)"
)
"""Scots "no" before a verb is "not" ("he's no wanting the Salami efter aal", "she's no
wantin the Cola")."""
_SCOTS_NAE: Final = re.compile(r"\bnae(?= [^\W\d_])")
"""Scots "nae" before a word is "no" ("nae onions on the Margherita", "nae extras"); alone or
before a comma ("Nae, that's us") it is the answer "nein", as in Bavarian and Swiss."""
_OB_AS_OFF: Final = re.compile(
    r"\b((?:hol|hui|hul|hoi)\S*(?:\s+\S+){0,3}?\s+)ob\b(?=\s*(?:[.,;!?]|$))"
)
"""Tyrolean, Bavarian "ob" is "ab" at the end of a clause of fetching ("mir holn's doch selber
ob"); "ob" before its clause is "whether" ("ob ihr's holt")."""
_PARTY_COUNT: Final = r"(?:zwei|zwo|zwee|zwoa|zwoi|zwaa|zwa|drei|dree|drai|two|three)"
"""How many are ordering, in "für uns zwei" and "wir zwei hätten": never an item's count."""
_PARTY_OF: Final = re.compile(
    r"\b((?:fuer|fur|fir|vuer|voer|foer|for)\s+(?:uns|us|os|ons))\s+"
    rf"{_PARTY_COUNT}"
    r"(?=\s*(?:bitte|bittschoen|bitteschoen|bidde|please)?\s+"
    r"(?:['’]?(?:ne|nen|n)|eine|einen|ein|en|e|ae|a|an"
    r"|haett\w*|moecht\w*|wollen|nehmen|we|wir|mer|mir)\b)"
)
"""How many the order is for, before an item with its article or before the verb ("für uns zwo
bitte ne mittlere Vegetaria", "Vür os zwei en mittlere Salami", "für uns zwaa bitte e große
Salami", Kölsch "För uns drei hätte mer jään zwei jroße Margherita"): no count of the item."""
_THE_PARTY_OF: Final = re.compile(
    r"\b(for) the (?:two|three|four|five|six) of (us)"
    r"(?=,?\s+(?:a|an|one|two|three|four|five|six)\b)"
)
"""English "for the three of us two large Salami": "for us", no count of the item."""
_TAKEN_OUT: Final = re.compile(
    r"\b((?:take|takes|taking|took|tek|leave|leaving|cross|strike|knock)"
    r"(?:(?:\s+(?!out\b)\w+){1,5}?)|(?:take|tek|leave|cross|strike|knock)(?=\s+out\s+"
    r"(?:the|that|this|those|these|my|his|her|our|their|one|a|an|all|both|die|den|de|di)\b))"
    r"\s+out\b"
)
"""English "take the Fanta out", "leave the onions out", "take out the beers": "off", a word of
removing; "a Salami to take out" (to take away) stays."""
_TAKEN_AWAY: Final = re.compile(r"\b(take|takes|taking|took)((?:\s+(?!away\b)\w+){2,5}?)\s+away\b")
"""English "take the olives away": "off"; "I'll take it away", "to take away" (pickup) stay."""
_TAKE_AWAY_THE: Final = re.compile(
    r"(?<!\bll )(?<!\bwill )(?<!\bto )(?<!\bwe )(?<!\bi )\btake away"
    r"(?= (?:the|that|this|those|these|my|his|her|our|their|all|both)\b)"
)
"""English "please take away the Fantas": "take off" (a removal); "we'll take away the pizzas",
"to take away" stay pickup."""
_US_AS_OUT_OF: Final = re.compile(r"\bus(?= (?:dem|der|den)\b)")
"""Ripuarian, Alemannic "us dem Bier" is "aus dem"; English "us" comes before no German article."""
_SOONER: Final = re.compile(r"\bsooner(?= (?:have|take|get|go for)\b)")
"""Northern English "she'd sooner have the Quattro Formaggi than the Funghi": "rather"."""
_EI_AS_ONE: Final = re.compile(r"\b(?:ei|ana)(?= (?:devo|dervo|davon|dovo|devun|dervun)\b)")
"""Walser, Swiss "ei devo", Franconian "ana dervo" is "eine davon" ("zwei mittleri Diavola, ei
devo mit extra Chäs", "zwa mittla Margherita, ana dervo mit Schinkn"), no egg."""
_AS_THAN: Final = re.compile(r"\b((?:lieber|liaber|leewer|lever|leever) \w+(?: \w+)?) as\b")
"""Low German "as" after "lieber" is "als" ("leewer Schinken as Champignons")."""
_GROOT_AS_LARGE: Final = re.compile(r"(?<!\bde )(?<!\bden )(?<!\bvan )\bgroot\b")
"""Low German "groot" is "groß" ("maak de Salami doch groot"), not in a name ("De Groot")."""
_MAN_AS_JUST: Final = re.compile(r"\bman(?= (?:weg|ut|aus|af|ab|to|dree|twee|een|veer)\b)")
"""Low German "man" before what it softens is "mal" ("lot de Fanta man weg", "maak dor man
dree Water ut"), no man who orders."""
_AF_AS_ONTO: Final = re.compile(r"\baf(?= (?:die|de|den|der|dem) )")
"""Tyrolean "af" before an article is "auf" ("Af die Salami liaber Schinkn", "die Olivn af der
Prosciutto lassn mir weck"); Low German "af" ends a clause ("hol ick sülvst af": "ab")."""
_HESSIAN_ONE_EACH: Final = re.compile(
    r"\baa ((?:mit|ohne|ohni)\b[^.;!?]{1,60}?\b(?:und|un|u)) aa (?=(?:mit|ohne|ohni)\b)"
)
"""Hessian "aa mit Schinke un aa ohne alles" after a count is "eine mit …, eine ohne …";
"aa" alone stays "auch"."""
_SWISS_ONE: Final = re.compile(
    r"\beis(?=\s+(?:mit|ohne|devo|dervo|davon)\b)"
    r"|(?:(?<=\bnur )|(?<=\bnume )|(?<=\bnumme )|(?<=\bnoch )|(?<=\bno ))eis\b"
    r"|(?:^|(?<=\blieber )|(?<=\bliaber )|(?<=\bund )|(?<=\bun )|(?<=\bplus ))eis(?=\s+\w)"
)
"""Swiss "eis" before "mit" or "ohne", or first or after "nume" (only), "no" (another),
"lieber" or "und" and before a word, is "eine" ("zwöi grossi Funghi, eis mit Olive, eis ohni
Extras", "nume eis Bier", "lieber eis Mineral und eis Bier"); "Cola mit Eis" stays ice."""
_WALSER_ONE: Final = re.compile(r"\bas(?= (?:grossas|mittlers|mittlas|chlis|chliises|chlises)\b)")
"""Walser "as" before a size is "ein" ("as grossas Hawaii und as mittlers Diavola"); English
"as" comes before no such word."""
_SWISS_NONE: Final = re.compile(r"(?:(?<=\bdoch )|(?<=\bwill )|(?<=\bwott ))kaes(?= [a-z])")
"""Swiss "käs" after "doch" or "will" and before a word is "kein" ("d'Schwöschter will doch käs
Funghi"); elsewhere it is cheese ("mit extra Käs")."""
_SWISS_IS: Final = re.compile(
    r"\bisch(?=\s+(?:jo|ja|scho|schon|guet|gut|alles|nid|nöd|nit|nicht|net|zu|z|super|recht"
    r"|fein|ok|gnueg|genug|doch|eh|no|mer|mir|mis|mi)\b)"
    r"|(?:(?<=\bwas )|(?<=\bwos )|(?<=\bwie )|(?<=\bwo ))isch"
    r"(?=\s+(?:auf|uf|in|im|drauf|druf|druff|drin|dinne|denn|mit)\b)"
)
"""Swiss, Swabian, Tyrolean "isch" before how something is ("das Diavola isch jo scho scharf
gnueg", "das isch alles"), or asked about what is on or in a thing ("Wos isch auf enkerer
Capricciosa drauf?"), is "ist"; elsewhere it is Hessian, Palatine "ich" ("isch hätt gern …",
"was isch gern hätt")."""
_AUSTRIAN_NOT: Final = re.compile(
    r"\b((?:brauch|brauche|brauchen|mog|mag)\s+(?:ma|mer|mir|wir|i|ich)\s+)need\b"
)
"""Austrian "ned" written "need" ("d'Cola brauch ma need"): "nicht", not English "need"."""
_SAXON_NOT: Final = re.compile(r"\bni(?= (?:eene|eine|een|ein|einen|eenen|mehr|doch)\b)")
"""Saxon, Thuringian "ni" before a count is "nicht" ("ni eene Cola, drei Cola"); alone it is
no German word (Bambara "I ni ce": thank you)."""
_SWABIAN_NOT: Final = re.compile(r"\b((?:goht|gaht|geht) )it\b")
"""Swabian, Allgäu "it" after "goht" is "nicht" ("mehr Kas goht it": no more cheese), never
English "it"."""
_CALLED: Final = re.compile(
    r"\b((?:ich heisse|ich heiss|i heiss|mein name ist|my name is|my name['’ ]s|i['’ ]m called)"
    r"(?: (?:die|der|the))? )[a-z]+\b"
)
_FROM_A_PLACE: Final = re.compile(
    r"\b((?:ich bin|ich be|ich bi|i bin|i bi|i['’ ]m|i am) (?:(?:die|der|the|d) )?)[a-z]+"
    r"(?= (?:von|vo|aus|from|of)\b)"
)
"""The speaker's own name ("ich heiße Margrit", "my name is Margret"; with where they come from:
"Ich be d'Margrit vo Sempach", "I'm Marge from Leeds"): someone, never a pizza it sounds like."""
_THE_LITTLE_ONE: Final = re.compile(
    r"\b((?:die|der|de|unsere|unser|meine|mein|sei|seine|ihre) )"
    r"(?:kleine|kleiner|kleene|kloane|luette|luettje|luetten)"
    r"(?= (?:(?:ist|is|isch) (?:[a-z]+ ){0,4}?"
    r"(?:eingeschlafen|eingepennt|muede|krank|wach|aufgewacht)"
    r"|schlaeft|pennt|will|mag|moechte|isst|trinkt|kriegt|bekommt|braucht)\b"
    r"(?! (?:ich|i|wir|mir|mer|ma)\b))"
)
"""A child spoken of ("die Kleine ist grad eingeschlafen", Low German "die Lütte is grad aufm
Sofa eingepennt", "der Kleine will nur eine Cola"): someone, no size; not the pizza the speaker
wants ("die kleine will ich mit Oliven")."""
_FETCH_TO: Final = re.compile(r"\bfetch(?=(?:\s+(?:it|them|us|me|the\s+\w+))?\s+(?:to|tae|ta)\b)")
"""Northern English, Scots "fetch it to Sonnenallee 88": bring it there, no pickup ("I'll fetch
it" stays)."""
_FORGET_AS_DROP: Final = re.compile(
    r"(?<!\bt )(?<!\bnot )(?<!\bnever )(?<!\bi )(?<!\bwe )(?<!\byou )(?<!\bthey )(?<!\bll )"
    r"\bforget(?: about)?"
    r"(?= (?:the|that|this|those|these|my|his|her|our|their|all|both|one|a|an)\b)"
)
"""English "forget the Cola", "forget about the delivery": "drop"; "don't forget the Cola" (a
reminder) and "I forget what is on it" stay."""
_FORGOTTEN_DE: Final = re.compile(
    r"(?<!\bnicht )(?<!\bnich )(?<!\bnet )(?<!\bned )"
    r"\b(?:vergiss|vergess|vergesse|vergesst|vergessen|vergessn)\b"
    r"(?![^.,;!?]*\b(?:nicht|nich|net|ned|nit|nid)\b)"
)
"""German "vergiss die Cola", "die Cola könnt ihr vergessen": "streich"; "vergiss die Cola
nicht", "nicht vergessen" (a reminder) stay."""
_ZERO_OF_THEM: Final = re.compile(
    r"(?<!\bcola )(?<!\bcoke )(?<!\bthe )(?<!\ba )\bzero(?=\s+(?!ones\b)[a-z]{3,}s\b)"
)
""" "zero reptiles", "zero onions": none of them, no Cola Zero ("two Zeros", "a zero please",
"Coke Zero works", "the zero ones" stay)."""
_PARTY_AS_SUBJECT: Final = re.compile(
    rf"\b(wir|mir|mia|mer|we)\s+{_PARTY_COUNT}"
    r"(?=\s+(?:haett\w*|haedd\w*|hett\w*|hedd\w*|moecht\w*|moechd\w*|wollen|wolln|nehmen"
    r"|nehm|kriegen|krieje|bekommen|bestellen|haben|hamm?|would|want|wanna)\b"
    r"(?!.*\b(?:je|jeweils|jeder|jede|each)\b))"
)
"""How many order, as the subject before its verb ("Mir zwee hädden gerne ene mittlere Salami",
Bavarian "mia zwoa hättn gern a mittlere Tonno",
"wir drei möchten zwei große Margherita"): no count of the item. "wir zwei nehmen je eine"
keeps its two: the order is for each of them."""
_NUMBER_GLUED: Final = re.compile(
    r"(?=\d)(?<![\w.,])(\d{1,2})(?!(?:te[nsrm]?|st|nd|rd|th)\b)([^\W\d_]{3,}|gr|kl|lg|sm)\b"
)
"""A count typed onto its word ("2grosse salami", "3large", "3gr"); "12a", "2x", "0,5l" and
ordinals ("2nd", "den 2ten") stay. The digit is looked for first: the lookbehind is then
tried at digits only."""


def _spoken_forms(folded: str) -> str:
    """Spoken and dialect forms read as the written ones; each pattern only where the text
    holds the letters it needs (most texts hold none)."""
    folded = _forms(_forms(folded, _GERMAN_FORMS), _ENGLISH_FORMS)
    if "uns " in folded or "us " in folded or "os " in folded or "ons " in folded:
        folded = _PARTY_OF.sub(r"\1", _THE_PARTY_OF.sub(r"\1 \2", folded))
    if "ir " in folded or "mer " in folded or "we " in folded or "mia " in folded:
        folded = _PARTY_AS_SUBJECT.sub(r"\1", folded)
    return folded


def _forms(folded: str, forms: tuple[_Form, ...]) -> str:
    """Each form's pattern applied where the text holds every marker it needs (most texts hold
    none: a search of the whole text costs more than the `in` tests)."""
    for markers, pattern, replacement in forms:
        for marker in markers:  # a loop, not all(…): no call for each form of each text
            if marker not in folded:
                break
        else:
            folded = pattern.sub(replacement, folded)
    return folded


_ABBREVIATION: Final = re.compile(r"\b(i|d|e|z)\.\s?(e|h|g|b)\b\.?")
"""A two-letter abbreviation with dots ("i.e.", "d.h.", "e.g.", "z.B."): one word ("ie", …),
not two ("e" alone reads as a colloquial "eine")."""


_SHORT_LINKS: Final = re.compile(r"\b([mou])\.(?=\s|$)")
_LINK_WORDS: Final = {"m": "mit", "o": "ohne", "u": "und"}
"""German short forms with a dot, as a text message writes them ("gr. Diavola m. Jalap., kl.
Marg o. Extras u. 2 Cola")."""
_PARTICLE_O: Final = re.compile(r"\b(all|ok|okay|please|you|sha|now|am) o\b(?=\s*(?:[.!,?]|$))")
"""The "o" that closes a West African English sentence ("That is all o.", "Thank you o."):
emphasis, no "ohne"; dropped."""


def _abbreviated(found: re.Match[str]) -> str:
    return found[1] + found[2]


def tokens(text: str) -> list[str]:
    return normalize(text).split()


_Form = tuple[tuple[str, ...], re.Pattern[str], str]
"""The markers a text must hold, the pattern, and what replaces what it finds."""
_GERMAN_FORMS: Final[tuple[_Form, ...]] = (
    ((" as ",), _AS_THAN, r"\1 als"),
    (("ei ",), _EI_AS_ONE, "eine"),
    (("ana ",), _EI_AS_ONE, "eine"),
    (("groot",), _GROOT_AS_LARGE, "gross"),
    (("man ",), _MAN_AS_JUST, "mal"),
    (("af ",), _AF_AS_ONTO, "auf"),
    (("ham ",), _HAM_AS_HAVE, "haben"),
    (("mir ",), _MIR_AS_WE, "wir"),
    (("runner",), _RUNNER_AS_DOWN, r"\1 runter"),
    ((" ob", "h"), _OB_AS_OFF, r"\1ab"),
    (("eis ",), _SWISS_ONE, "eine"),
    (("aa ",), _HESSIAN_ONE_EACH, r"eine \1 eine "),
    (("as ",), _WALSER_ONE, "ein"),
    (("us de",), _US_AS_OUT_OF, "aus"),
    (("kaes ",), _SWISS_NONE, "kein"),
    (("isch ",), _SWISS_IS, "ist"),
    (("need",), _AUSTRIAN_NOT, r"\1nicht"),
    (("ht it",), _SWABIAN_NOT, r"\1nicht"),
    (("ni ",), _SAXON_NOT, "nicht"),
    (("ich ",), _CALLED, r"\1someone"),
    ((" vo",), _FROM_A_PLACE, r"\1someone"),
    ((" aus",), _FROM_A_PLACE, r"\1someone"),
    (("verg",), _FORGOTTEN_DE, "streich"),
    (("kl",), _THE_LITTLE_ONE, r"\1someone"),
    (("luett",), _THE_LITTLE_ONE, r"\1someone"),
)
_ENGLISH_FORMS: Final[tuple[_Form, ...]] = (
    ((" away",), _TAKEN_AWAY, r"\1\2 off"),
    (("take away ",), _TAKE_AWAY_THE, "take off"),
    (("sooner ",), _SOONER, "rather"),
    ((" no ", "in"), _SCOTS_NOT, "not"),
    (("nae ",), _SCOTS_NAE, "no"),
    ((" out",), _TAKEN_OUT, r"\1 off"),
    (("zero ",), _ZERO_OF_THEM, "no"),
    (("fetch",), _FETCH_TO, "bring"),
    ((" name",), _CALLED, r"\1someone"),
    (("m ", "from"), _FROM_A_PLACE, r"\1someone"),
    (("forget ",), _FORGET_AS_DROP, "drop"),
)
