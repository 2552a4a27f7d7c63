"""Words that can stand capitalised where a name would ("Dazu zwei Bier", "Moment, …",
"Richtig so?"): never taken for a person the order is for (people.py)."""

from __future__ import annotations

__all__ = ["NOT_NAMES"]

NOT_NAMES = frozenset(
    {
        *("ich", "wir", "die", "der", "das", "und", "dann", "noch", "eine", "einen", "also"),
        *("bitte", "pizza", "pizzen", "hallo", "hi", "hey", "ok", "okay", "the", "and", "i"),
        *("we", "my", "our", "mich", "me", "moment", "jeder", "jede", "everyone", "alle"),
        *("dazu", "außerdem", "ausserdem", "zusätzlich", "danach", "zuerst", "erst", "doch"),
        *("lieber", "ach", "ja", "nein", "gern", "gerne", "einmal", "zweimal", "sonst", "oder"),
        *("mit", "ohne", "extra", "bestellung", "lieferung", "abholung", "heute", "hier"),
        *("auch", "aber", "zwei", "drei", "vier", "one", "two", "three", "then", "plus"),
        *("with", "without", "delivery", "pickup", "order", "yes", "no", "please", "thanks"),
        *("also", "and", "but", "oh", "ah", "so", "just", "only", "nur", "einfach", "mal"),
        *("can", "could", "may", "would", "will", "hello", "guten", "moin", "servus", "hallo"),
        *("kann", "koennte", "könnte", "habt", "gibt", "what", "how", "ordering", "wait"),
        *("warte", "sorry", "entschuldigung", "actually", "eigentlich", "sure", "klar"),
        *("ne", "nen", "n", "ein", "eins", "a", "an", "servus", "tach", "moin", "howya"),
        *("auf", "für", "fuer", "bei", "zu", "nach", "von", "aus", "um", "über", "unter"),
        *("vor", "neben", "stopp", "stop", "halt", "on", "for", "at", "to", "from", "in"),
        *("mach", "mache", "nimm", "gib", "bring", "pack", "schick", "make", "give", "put"),
        *("was", "wie", "wer", "wo", "wann", "welche", "welcher", "welches", "warum"),
        *("who", "where", "when", "which", "why", "whats", "is", "ist", "are", "sind"),
        *("does", "do", "did", "has", "have", "hast", "hat"),
        *("sein", "seine", "seinen", "seiner", "ihr", "ihre", "ihren", "ihrer", "his", "her"),
        *("hers", "their", "mein", "meine", "dein", "deine", "unsere", "your", "its"),
        *("drinks", "getränke", "getraenke", "trinken", "food", "essen", "pizzas", "statt"),
        *("dazua", "dazue", "derzua", "aa", "no", "nu", "jetz", "oiso", "nacha", "glei"),
    }
)
