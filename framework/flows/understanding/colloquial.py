"""The words of dialect and chat that `normalize` reads as the standard words, one for one: a
table, apart from the patterns that need the words around them (normalize.py)."""

from __future__ import annotations

from typing import Final

__all__ = ["COLLOQUIAL"]

COLLOQUIAL: Final = {
    # German dialects and chat German: Berlin, Bavarian, Swabian, Rhineland, Saxon, Hessian
    **dict.fromkeys(("ick", "isch"), "ich"),
    **dict.fromkeys(("jerne", "jern", "jaern", "jaeen", "jaen", "jaeaen", "gern"), "gerne"),
    "met": "mit",  # Kölsch "met extra Kies"
    **dict.fromkeys(
        ("zwee", "zwoa", "zwaa", "zwa", "zwo", "zwaeae", "zwaae", "zwae", "zwoi", "zwoei", "zwou"),
        "zwei",
    ),
    **dict.fromkeys(("aeaeni", "aeaene", "aeaen", "aeaener"), "eine"),  # Palatine "ääni"
    **dict.fromkeys(("ane", "oane", "oani", "aane", "aani", "ahne", "oine", "oina"), "eine"),
    # Austrian, Bavarian, Franconian, Swabian: "ane mit extra Kas", "aane mit Jalapeños", "oine
    # ohne Extras", Hianzisch "oani mit Champignons", Lower Franconian "ahne dervo mit …"
    # Hessian "aans devo mit Jalapeños", Palatine "äni devun mit Pilz", Bavarian
    **dict.fromkeys(("aans", "oans", "aeni", "oa"), "eine"),  # "mach nur oa Cola"
    # Upper Austrian, Bavarian "mia hoin's doch selba ab", "söba"
    **dict.fromkeys(("selba", "selbar", "soeba", "soewa", "sejba"), "selber"),
    **dict.fromkeys(
        ("hoin", "hoen", "huln", "huin", "hulln", "holle"), "holen"
    ),  # Lusatian, Bavarian
    **dict.fromkeys(("soeiba", "soeiwa", "saelber", "saelbr", "saelbscht", "soelba"), "selber"),
    **dict.fromkeys(("chume", "chumm", "chum", "kumme"), "komme"),  # Swiss "i chume go hole"
    **dict.fromkeys(("choemed", "chemed", "chommed"), "kommen"),  # Swiss "mir chömed's go hole"
    **dict.fromkeys(("aner", "oaner", "oiner"), "einer"),  # "statt aner Cola a Wasser"
    **dict.fromkeys(("zwoats", "zwoate", "zwoaten", "zwoates"), "zweites"),  # "a zwoats Bier"
    **dict.fromkeys(("dazua", "dazue"), "dazu"),
    **dict.fromkeys(("bidde", "bitt", "bittschoen", "bitteschoen"), "bitte"),
    # "liaba a …", Alemannic "liäber Schinke"
    **dict.fromkeys(("liaba", "liaber", "liabr", "liebr", "liewer", "liaeber"), "lieber"),
    **dict.fromkeys(("liefered", "lieferet"), "liefert"),  # Swabian, Swiss "liefered's doch"
    "wart": "warte",
    **dict.fromkeys(("moch", "mochts"), "mach"),  # Austrian "moch liaba a Funghi draus"
    "mocht": "macht",  # Austrian "mocht's drei Quattro Formaggi draus"
    "machts": "macht",  # Bavarian "machts drei Bier draus"
    "maat": "macht",  # Bergisch "Maat us dem Bier leever zwei"
    "fott": "weg",  # Kölsch "loss dat Fanta fott"
    **dict.fromkeys(("brenge", "brengen"), "bringen"),  # Kölsch "Künnt ehr et doch brenge?"
    # Austrian "Storniern's bitte ollas", Swiss "Bitte alles stornierä"
    **dict.fromkeys(("storniern", "stornierae", "stornierre"), "stornieren"),
    "brengt": "bringt",
    "weck": "weg",  # Tyrolean "die Oliven tiat's lei weck"
    **dict.fromkeys(("waegg", "wegg", "wek"), "weg"),  # Basel "d Olive bitte doch wägg"
    **dict.fromkeys(("streichet", "streiched", "streichts"), "streicht"),  # Swabian, Swiss
    **dict.fromkeys(("flasch", "flaschn"), "flasche"),  # "a Flasch Wasser im Rucksack"
    "zwiebl": "zwiebeln",  # Styrian "mit Zwiebl"
    **dict.fromkeys(("bia", "biar", "biah"), "bier"),  # Austrian "zwa Bia"
    "loss": "lass",  # Kölsch, Low German "loss die Cola weg"
    "drus": "draus",  # Swiss "mached drü Cola drus"
    **dict.fromkeys(("gnueg", "gnuag", "gnua", "gnuch"), "genug"),  # Swiss, Bavarian
    "vo": "von",  # Styrian "ane vo de zwoa"
    **dict.fromkeys(
        ("schinka", "schinke", "schingge", "schingn", "schingen", "schinku"), "schinken"
    ),
    **dict.fromkeys(("devun", "dervun", "dovun", "dervo", "dervon", "devo"), "davon"),
    **dict.fromkeys(("anner", "annere", "ondre", "ondere"), "andere"),  # Styrian "de ondre"
    **dict.fromkeys(("kinner", "kenner"), "kinder"),  # Palatine, Hessian "die Kinner"
    **dict.fromkeys(
        ("dree", "drai", "draei", "drej", "drue", "drueue", "dreie"), "drei"
    ),  # Low German, Swiss "drü"
    **dict.fromkeys(("twee", "twei"), "zwei"),  # Low German "twee Beer", Eastphalian "twei Cola"
    "veer": "vier",  # Low German "mach ut de twee Bier veer"
    "ut": "aus",
    "blots": "bloss",  # Low German "blots een Cola"
    **dict.fromkeys(("dorfoer", "dorvoer"), "dafuer"),  # "för mien Mann dorför een Beer"
    **dict.fromkeys(("foer", "fer"), "fuer"),  # "fer'n Gung" (Erzgebirge: for the boy)
    **dict.fromkeys(("mien", "mienen"), "meinen"),
    **dict.fromkeys(("jross", "jrosse", "jrossen", "grosse", "jruusse", "jrusse"), "grosse"),
    "grussa": "grosse",  # North Thuringian "ä grußa Funghi"
    **dict.fromkeys(("gruesse", "gruesser"), "grosse"),  # Erzgebirgisch "ene grueße Vegetaria"
    **dict.fromkeys(("koscht", "koschd", "koschtet"), "kostet"),  # Alsatian "Was koscht e Bier?"
    **dict.fromkeys(("naemme", "naemmen"), "nehmen"),  # "mir zwee Alten nämme …"
    **dict.fromkeys(
        ("gleen", "glee", "klaa", "kloa", "kloan", "kloi", "glaa", "kleen", "klaen"), "klein"
    ),
    **dict.fromkeys(
        (
            "gleene",
            "klaane",
            "kloane",
            "glaane",
            "gleenes",
            "klaanes",
            "kleene",
            "kloine",
            "klaene",
        ),
        "kleine",
    ),
    **dict.fromkeys(("kleenen", "gleenen", "luetten"), "kleinen"),
    # Low German: "een lütte Funghi", "hol ick sülvst af", "dat is allens", "kloor"
    **dict.fromkeys(("luett", "luet"), "klein"),
    **dict.fromkeys(("luette", "luetje", "luettje", "luetke", "klaana"), "kleine"),  # "a klaana"
    "luetjen": "kleinen",
    **dict.fromkeys(("maak", "mook"), "mach"),  # "maak dor man dree Water ut"
    **dict.fromkeys(("maakt", "mookt"), "macht"),
    "dor": "da",
    "wi": "wir",  # "wi hebbt noch Tee" (Scots "wi'" is "with": apostrophes.py)
    # Low German "een grote Salami", "twee groote Pizza", "een groten Hunger"
    **dict.fromkeys(("grote", "groote"), "grosse"),
    **dict.fromkeys(("groten", "grooten"), "grossen"),
    "grot": "gross",  # not "groot": a name ("name's De Groot")
    **dict.fromkeys(("middelgrote", "middelgroten", "middelgroot", "middelgroote"), "mittlere"),
    **dict.fromkeys(("middelste", "middelsten", "middelst", "middel"), "mittlere"),  # Low German
    "ohn": "ohne",  # Low German "ohn allens"
    "aene": "eine",  # Thuringian "äne dervon mit Schinken"
    "rutnehmen": "rausnehmen",  # "Dat Beer kannst wedder rutnehmen"
    **dict.fromkeys(("grusse", "grussen", "grusser"), "grosse"),  # West Thuringian "e grusse"
    "klaeaen": "klein",  # Palatine "Klään Funghi"
    **dict.fromkeys(("klaene", "klaener", "klaenes", "klaeaene"), "kleine"),
    **dict.fromkeys(("zippeln", "zippel", "zipeln", "zipolle", "zipollen"), "zwiebeln"),
    **dict.fromkeys(("haalt", "haalen"), "holen"),  # "wi haalt dat af"
    **dict.fromkeys(("lever", "leewer", "leever"), "lieber"),  # "maak ut de Tonno lever …"
    # Palatine "klääni", Hessian "klaani", Saxon "kleeni", Vogtland "klaans"
    **dict.fromkeys(("klaeaeni", "klaani", "kleeni"), "kleine"),
    **dict.fromkeys(("klaans", "kleens"), "kleines"),
    "een": "ein",
    **dict.fromkeys(("ejn", "ejne"), "eine"),  # Eifel "ejn dovon met extra Kies"
    **dict.fromkeys(("suelvst", "suelven"), "selbst"),
    "af": "ab",
    "stott": "statt",  # Tyrolean, Bavarian "Schinkn stott de Jalapeños"
    "allens": "alles",
    "kloor": "klar",
    "geern": "gerne",
    "harr": "haette",
    # Swiss German: "e chlini Margherita", "e mittleri Funghi", "e grossi"
    **dict.fromkeys(("chlini", "chliini", "chline", "chlis", "chleini", "chleine"), "kleine"),
    **dict.fromkeys(("chlyni", "chlyne", "klene"), "kleine"),  # Basel "e chlyni Funghi"
    **dict.fromkeys(("chli", "chlii", "chlei"), "klein"),  # High Rhine "e chleini Margherita"
    **dict.fromkeys(("chlises", "chliises", "chliis"), "kleines"),
    **dict.fromkeys(("mittleri", "mittlere", "mittlane", "mittlana", "mittla"), "mittlere"),
    **dict.fromkeys(("grossi", "groessi", "grossas"), "grosse"),  # Walser "as grossas Hawaii"
    **dict.fromkeys(("mittlers", "mittlas"), "mittleres"),  # Walser "as mittlers Diavola"
    **dict.fromkeys(("mached", "machet"), "macht"),  # Swiss, Swabian "mached bitte beidi gross"
    "beidi": "beide",
    "eini": "eine",  # Swiss "zwöi mittleri …, eini mit Olive" (not "eis": ice)
    "ufem": "auf dem",  # Swiss "ufem einte extra Schinke": on the one
    **dict.fromkeys(("einte", "eint"), "einen"),
    "ohni": "ohne",
    **dict.fromkeys(("oeppis", "oebbis"), "etwas"),
    **dict.fromkeys(("gaern", "gaernt"), "gerne"),
    **dict.fromkeys(("liefan", "liefa", "liefere"), "liefern"),
    **dict.fromkeys(
        ("keene", "geene", "koane", "kaane", "kaene", "kae", "keen", "koa", "koine", "koi", "kei"),
        "keine",
    ),
    "kenni": "keine",  # Alsatian "doch kenni extra Oliwe"
    "kaa": "keine",  # Hessian "mog kaa Pilz"
    "kaeae": "keine",  # Moselle Franconian "doch kää Zwiebele" (no cheese: "Kääs" has its s)
    "klaea": "klein",  # Moselle Franconian "ä kläa Funghi"
    "kleng": "klein",  # Luxembourgish "eng kleng Funghi", "Keng Liwwerung", "mir huelen et"
    "keng": "keine",
    "liwwerung": "lieferung",
    "huelen": "holen",
    **dict.fromkeys(("ofhuelen", "ofhuele"), "abholen"),  # Luxembourgish "selwer ofhuelen"
    **dict.fromkeys(("liwweren", "liwwere"), "liefern"),
    "liwwert": "liefert",
    "amplaz": "statt",  # "Ofhuelen amplaz Liwweren"
    **dict.fromkeys(("zipollen", "zipolln"), "zwiebeln"),  # Low German "met Zipollen"
    **dict.fromkeys(("kaan", "koan"), "keinen"),  # "doch kaan Schinken", Tyrolean "koan"
    **dict.fromkeys(("zwamal", "zwoamal", "zwaamal", "zweemal"), "zweimal"),  # Austrian
    **dict.fromkeys(("zweimol", "zwoamol", "zwaamol"), "zweimal"),
    **dict.fromkeys(("dreimol", "dreimoal", "dreemol"), "dreimal"),  # Rhenish "dreimol Bier"
    "zwai": "zwei",  # Basel "zwai Bier"
    "zwie": "zwei",  # two letters swapped: "zwie mittlere tonno … und drie cola"
    "drie": "drei",
    "dri": "drei",  # Walliser "dri Bier"
    **dict.fromkeys(("mëttel", "mëttler", "mëttlere"), "mittel"),  # Luxembourgish "eng mëttel"
    "kéis": "kaese",  # Luxembourgish "mat extra Kéis"
    "aes": "ein",  # Swiss "äs grosses, nid äs chliises"
    "maach": "mach",  # Luxembourgish, Kölsch "maach dräi Cola draus"
    "ouni": "ohne",  # Luxembourgish "ouni Extraen", "mat Ënnen"
    "extraen": "extras",
    **dict.fromkeys(("ënnen", "ënn"), "zwiebeln"),
    "mat": "mit",
    **dict.fromkeys(("allet", "alles", "aelles", "alls", "ollas", "ois"), "alles"),
    **dict.fromkeys(("nuescht", "nischt", "nix", "nuex"), "nichts"),
    **dict.fromkeys(("net", "ned", "nit", "nich", "nisch", "noed", "nid"), "nicht"),
    **dict.fromkeys(("ejal", "eschal"), "egal"),
    **dict.fromkeys(("numme", "nume", "numae", "nummae"), "nur"),  # Alsatian, Swiss
    "lei": "nur",  # Tyrolean, Carinthian "lei die Pilz"
    **dict.fromkeys(("bloss", "blos"), "nur"),  # Bavarian "Blos zwoa Wasser, ned drei"
    **dict.fromkeys(("uff", "uf"), "auf"),  # Palatine "uff", Swiss "uf"
    **dict.fromkeys(("ond", "un", "unn"), "und"),
    **dict.fromkeys(("ooch", "aa"), "auch"),
    "eene": "eine",
    "eener": "einer",
    "eenen": "einen",
    "eenem": "einem",
    "andre": "andere",
    **dict.fromkeys(("andren", "andern"), "anderen"),
    **dict.fromkeys(("jenau", "jenauso"), "genau"),
    "beede": "beide",  # Berlin, Saxon "wir trinken beede Bier"
    **dict.fromkeys(("jut", "joot"), "gut"),
    **dict.fromkeys(("kas", "kaas", "kees", "kaes", "kies", "kis", "chaes", "chaess"), "kaese"),
    "chaeaes": "kaese",  # Basel "mit extra Chääs"
    **dict.fromkeys(("kaeaes", "kaeas", "kase"), "kaese"),  # Palatine "extra Kääs", "Kase" typed
    "seim": "seinem",  # "statt seim Bier"
    "sini": "seine",  # Swiss "sini Salami und sis Bier striiche"
    **dict.fromkeys(("minere", "minera", "minra"), "meiner"),  # "mit minera Schwöschter"
    "sis": "sein",
    **dict.fromkeys(("striiche", "striche", "strichae"), "streichen"),
    **dict.fromkeys(("kruegerl", "kruegl", "seidl", "seiderl"), "bier"),  # Viennese "drei Krügerl"
    **dict.fromkeys(
        ("zwiebele", "zwibbele", "zwiebla", "zwibla", "zwible", "zwieble", "zibla"), "zwiebeln"
    ),
    "zwibble": "zwiebeln",  # Bernese "mit extra Zwibble"
    **dict.fromkeys(("ziibele", "zibele", "ziebele", "zibbele"), "zwiebeln"),  # Alemannic
    **dict.fromkeys(("zwiebaelae", "zwiebaele", "zwiebaela"), "zwiebeln"),  # Uri "Zwiebälä"
    "de": "die",  # Saxon, Berlin, Rhenish: "de Vegetaria doch lieber nur mittel"
    "twa": "two",  # Scots: "an' twa beers"
    **dict.fromkeys(("tufala", "tupela"), "two"),  # Solomon Islands Pijin, Tok Pisin
    **dict.fromkeys(("trifala", "tripela"), "three"),
    "wan": "one",  # Scots, Irish: "wan wi' jalapeños an' the other wi' nothin' on it"
    **dict.fromkeys(("nothin", "nutn", "nuttin", "nuthin", "nuffin"), "nothing"),
    "stead": "instead",  # Caribbean, Southern US "put onions on de Tonno 'stead of de jalapeños"
    "efter": "after",  # Scots, Cumbrian "efter aal": after all
    "aff": "off",  # Scots "take the Fanta aff"
    **dict.fromkeys(("wooder", "wata", "watta"), "water"),  # Philadelphia, Belize Kriol
    **dict.fromkeys(("wooders", "watas", "wattas"), "waters"),
    "tak": "take",  # Scots "Tak it aff"
    "aal": "all",
    # "we'll grab it ourselves" as a bot's "grab it myself"; Scots "oorsels", "wirsels"
    **dict.fromkeys(
        ("ourselves", "ourself", "ourselfs", "oursels", "oorsels", "wirsels"), "myself"
    ),
    # Scots "Mak it twa beers", Cumbrian "mek mine a large"
    **dict.fromkeys(("mak", "mek"), "make"),
    **dict.fromkeys(("zwibele", "zwiwwele", "zwiwwel", "zwiwwle"), "zwiebeln"),
    **dict.fromkeys(("zwiewle", "zwiewel"), "zwiebeln"),  # Alsatian "eini mit Zwiewle"
    **dict.fromkeys(("zwiefl", "zwiefel", "zwiblae"), "zwiebeln"),  # Upper Palatinate, Swiss
    "zwiefe": "zwiebeln",  # Bavarian Forest "a große Funghi mit Zwiefe"
    **dict.fromkeys(("zwiwweln", "ziibla", "zibolle", "zibolla"), "zwiebeln"),  # Hessian, Walser
    "sprudl": "sprudel",
    **dict.fromkeys(
        ("eichns", "eignes", "eigns", "eichenes"), "eigenes"
    ),  # Franconian "sei eichns"
    "hond": "haben",  # Allgäu "mir hond no Sprudl" (Swabian "mir hend gern" is "hätten")
    **dict.fromkeys(("oliwe", "oliwen", "oliva"), "oliven"),  # "mit Oliwe un Zwiwwle"
    "ene": "eine",  # Kölsch "ene jroße Vegetaria"
    **dict.fromkeys(
        ("waesserle", "waesserli", "wasserl", "waesserchen", "wossa", "wossr", "wosser", "wassa"),
        "wasser",
    ),
    **dict.fromkeys(("bierle", "bierli", "bierchen", "bierschen", "bierl"), "bier"),
    **dict.fromkeys(("pizzale", "pizzerl", "pizzle", "pizzaa"), "pizza"),
    **dict.fromkeys(("pilzn", "pilzle", "schwammerl"), "pilze"),
    **dict.fromkeys(("bilz", "bilze", "bilzen"), "pilze"),  # Saxon "mit Bilzen"
    **dict.fromkeys(("puelz", "puelze", "puelzn"), "pilze"),  # Lower Austrian "mit Pülz"
    **dict.fromkeys(("offae", "offe"), "offen"),  # Swiss "händ'r offä?"
    "rut": "raus",  # Low German "nimm de beiden Beer wedder rut"
    "wedder": "wieder",
    "haend": "habt",  # Swiss "Wie lang händ ihr offä?"
    **dict.fromkeys(("getz", "jetz", "jez", "etz"), "jetzt"),
    **dict.fromkeys(("dat", "datt", "det", "des"), "das"),
    **dict.fromkeys(("wat", "wos"), "was"),
    **dict.fromkeys(("noi", "naa", "nae", "nei"), "nein"),
    **dict.fromkeys(("wor", "woer", "wa"), "war"),  # Kölsch "dat wor et", Berlin "det wa's"
    "et": "es",
    "av": "ab",  # Kölsch "mir holle et av"
    **dict.fromkeys(("maht", "maeht"), "macht"),  # Kölsch "mäht drei Funghi drus"
    **dict.fromkeys(("blieve", "bliev", "blievt"), "bleiben"),  # Kölsch "De Zwiebele blieve drop"
    **dict.fromkeys(("jo", "joa", "jou", "jau", "jup", "jupp", "jep", "jepp", "yep", "ya"), "ja"),
    **dict.fromkeys(("bassd", "basst", "passd"), "passt"),
    **dict.fromkeys(("abhole", "abholn", "affhole", "abhoin"), "abholen"),
    "holl": "hole",
    "holn": "holen",  # "wir holn ab"
    **dict.fromkeys(("druff", "drauff", "druf"), "drauf"),  # Alemannic "Zwiebele druf"
    **dict.fromkeys(("ebbes", "ebbis", "eppes"), "etwas"),
    **dict.fromkeys(("sonz", "sonscht", "sunst"), "sonst"),
    "ae": "eine",  # Saxon "ä Bier" (folded)
    "e": "eine",  # Swiss "e Pizza"
    "en": "ein",  # Rhineland "en Pizza"
    # English chat and regional English
    **dict.fromkeys(("pls", "plz", "plox", "pleaseee"), "please"),
    **dict.fromkeys(("thx", "thanx", "ty", "ta", "cheers"), "thanks"),
    **dict.fromkeys(("lrg", "lg", "lge", "larg", "lrge"), "large"),
    **dict.fromkeys(("med", "mdm"), "medium"),
    **dict.fromkeys(
        ("kost", "kosts", "kostn", "kostet's", "choschtet", "choschted", "choscht", "koschtet"),
        "kostet",
    ),
    **dict.fromkeys(("gr",), "gross"),
    **dict.fromkeys(("kl",), "klein"),
    **dict.fromkeys(("sml", "sm", "smal"), "small"),
    **dict.fromkeys(("wee",), "small"),
    **dict.fromkeys(("w",), "with"),
    **dict.fromkeys(("wo",), "without"),
    **dict.fromkeys(("gimme", "gimmie"), "give"),
    **dict.fromkeys(("wid", "wiv", "wif"), "with"),  # Caribbean "wid olives", London "wiv"
    "tek": "take",  # Caribbean "Tek off di Hawaii"
    **dict.fromkeys(
        ("nowt", "nuttin", "nutten", "nuthin", "nothin"), "nothing"
    ),  # "wi' nowt extra"
    "em": "them",  # "only on one of 'em"
    **dict.fromkeys(("coke", "cokes"), "cola"),
    **dict.fromkeys(
        ("tinnie", "tinny", "tinnies", "stubby", "stubbies", "coldie", "coldies"), "beer"
    ),
    **dict.fromkeys(("pint", "pints", "brewski", "brewskis"), "beer"),
}
"""Words of dialect and chat, read as the standard words the bots and the understanding know
("zwee jroße Salami", "ä gleene", "1 lrg diavola w/ jalapenos"). Only words that mean nothing
else in either language: Bavarian "na" (no) and the article "a" stay as they are."""
