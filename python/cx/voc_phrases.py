"""Customer-experience phrases per language, with a valence on VADER's scale (-4..4).

General sentiment lexicons know words ("great", "rude"), not what a delivery or a
support call goes through: "arrived late", "on hold", "the refund never came" hold
no word a lexicon scores, yet every CX team reads them as complaints. Each pattern
is a case-insensitive regular expression; a match is taken out of the text before
the language's general scorer reads it, so a phrase is counted once (``cx.voc``).

Most patterns are general rules of CX language rather than single phrases, written
with word stems and optional inflections so that they read comments nobody wrote
them for (DECISIONLOG.md, "Verbatims in every language"):

- waiting told as a duration ("waited ten days", "seit drei Wochen", "depuis un
  mois", "llevo dos semanas") and what is still not there ("still no", "immer noch
  nicht", "toujours pas", "todavía no");
- nobody acting ("nobody called", "niemand hat", "personne ne", "nadie");
- repeated effort ("called five times", "zum dritten Mal", "pour la troisième
  fois", "por tercera vez");
- what failed, got lost, broke, is wrong or missing, and what never came;
- negated negatives ("no problem at all", "kein Problem", "aucun souci", "ningún
  problema") and what the service did not do ("nicht geholfen", "no me ayudaron");
- praise a general lexicon misses: a fix or a replacement, speed ("right away",
  "only took a day"), "as promised", "thanks to".

A phrase that begins with its own negation ("aucun souci", "nie angekommen") is
not turned against its sign by a negation before it: French "ne ... aucun" is one
negation, not two. Patterns are written to be read: a team adds the phrases its
customers use. Longer phrases come before shorter ones they contain ("never came"
before "came late") because matches are taken out in this order.
"""

from __future__ import annotations

# Building blocks of the rules: how many, and of what unit of time.
_EN_N = (
    r"(\d+|an?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|"
    r"fifteen|twenty|thirty|forty|fifty|several|many|a few|a couple of)"
)
_EN_TIME = r"(minutes?|hours?|days?|weeks?|months?)"
_EN_LONG = r"(days?|weeks?|months?)"
_DE_N = (
    r"(\d+|ein|eine[mnr]?|zwei|drei|vier|fünf|sechs|sieben|acht|neun|zehn|elf|"
    r"zwölf|fünfzehn|zwanzig|dreißig|vierzig|fünfzig|mehrere[mn]?|viele[mn]?|"
    r"einige[mn]?|ein paar|über \w+|fast \w+|mehr als \w+)"
)
_DE_TIME = r"(minuten?|stunden?|tag(e|en)?|wochen?|monat(e|en)?)"
_DE_LONG = r"(tag(e|en)?|wochen?|monat(e|en)?)"
_FR_N = (
    r"(\d+|une?|deux|trois|quatre|cinq|six|sept|huit|neuf|dix|onze|douze|quinze|"
    r"vingt|trente|quarante|cinquante|plusieurs|quelques|des|plus de \w+|presque \w+)"
)
_FR_TIME = r"(minutes?|heures?|jours?|semaines?|mois)"
_FR_LONG = r"(jours?|semaines?|mois)"
_ES_N = (
    r"(\d+|una?|dos|tres|cuatro|cinco|seis|siete|ocho|nueve|diez|once|doce|quince|"
    r"veinte|treinta|cuarenta|cincuenta|vari[ao]s|much[ao]s|un[ao]s|más de \w+|casi \w+)"
)
_ES_TIME = r"(minutos?|horas?|días?|dias?|semanas?|mes|meses)"
_ES_LONG = r"(días?|dias?|semanas?|mes|meses)"
_ORDINAL = {
    "en": r"(second|third|fourth|fifth|sixth|seventh|tenth|umpteenth|\d+(st|nd|rd|th))",
    "de": r"(zweiten|dritten|vierten|fünften|sechsten|x-ten|zigsten|\d+\.)",
    "fr": r"(deuxième|second|seconde|troisième|quatrième|cinquième|énième|\d+e)",
    "es": r"(segunda|tercera|cuarta|quinta|sexta|enésima)",
}

CX_PHRASES: dict[str, dict[str, float]] = {
    "en": {
        # Names of departments, programmes and reports that VADER reads as opinions
        # ("support" +1.7, "loyalty" +2.5, "fault" -1.7): taken out, they weigh nothing.
        r"\b(customer )?support\b|\bloyalty (program\w*|points?|cards?|scheme|club|"
        r"rewards?)\b|\breport(ed|ing)? (a |the |my )?(fault|problem|issue|defect|damage)\b": 0.0,
        # Never, and what is still not there.
        r"never again": -2.5,
        r"\bnever (\w+ ){0,2}(arriv\w*|came|come|received?|got|get|heard|delivered|"
        r"refunded|answer\w*|repl\w*|respond\w*|call\w*|show\w*( up)?|turn\w* up|"
        r"back|fixed|resolved)\b": -2.5,
        r"\bstill (being )?(no|nothing|not|waiting|haven'?t|hasn'?t|isn'?t|doesn'?t|"
        r"don'?t|can'?t|charged|billed)\b": -2.0,
        # Waiting told as a duration.
        r"\bwait(ed|ing)? (\w+ ){0,3}" + _EN_N + r" " + _EN_TIME + r"\b": -2.0,
        r"\b(after|for) (over |more than |almost |nearly )?"
        + _EN_N
        + r" "
        + _EN_LONG
        + r"\b": -1.5,
        _EN_LONG + r" later\b": -1.5,
        r"\b(only|just) (took |takes )?(a|an|one|two|a few|\d+) (minutes?|hours?|days?|"
        r"clicks?)\b|\b(one|a single|1) click\b": 1.5,
        r"\b(take|takes|taking|taken|took|will take) (up to |over |more than |almost |"
        r"nearly |another )?" + _EN_N + r" (weeks?|months?)\b": -1.5,
        r"too long": -2.0,
        # A promise told outside "as promised" is one that was broken.
        r"as promised|on time|on schedule": 1.5,
        r"\bpromised\b|\bpromise (was|is) broken": -1.5,
        r"on hold": -1.5,
        r"no answer|no reply|no response|without an answer": -2.0,
        # Nobody acting.
        r"\b(nobody|no one|no-one|noone)\b( (\w+ ){0,2}(help\w*|answer\w*|repl\w*|"
        r"respond\w*|call\w*|car(e|ed|es)|bother\w*))?": -2.0,
        # Repeated effort.
        r"\b(call|phon|ring|rang|email|e-mail|writ|wrote|contact|chas|ask|tri|try|"
        r"transferr|pass|explain|send|sent|resen|enter|reset|log|fail|declin|reject|"
        r"crash)\w* (\w+ ){0,4}(\d+|two|three|four|five|six|seven|eight|nine|ten|"
        r"several|multiple|many|countless) times\b": -2.0,
        r"\b(call|phon|email|writ|wrote|contact|ask|tri|try|transferr|explain|send|"
        r"sent|charg)\w* (\w+ ){0,4}twice\b": -2.0,
        r"\bfor the " + _ORDINAL["en"] + r" time\b": -1.5,
        r"transferr(ed|ing) me|passed from one": -2.0,
        # What failed, got lost, broke, is wrong or missing.
        r"arrived late|came late|\blate\b": -1.5,
        r"damaged|crushed|\bcracked\b|\bdented\b|\bscratch(ed|es)?\b|\btorn\b|"
        r"\bshattered\b|\bleak(s|ed|ing)?\b": -2.0,
        r"keeps? crashing|\bcrash(es|ed)?\b|\bfr(oze|ozen|eezes)\b|\bglitch\w*": -2.0,
        r"without any hassle|no hassle|hassle-free": 2.0,
        r"\bno (problems?|issues?|trouble|complaints?|pushback|fuss|hiccups?|drama|"
        r"questions asked)( at all)?\b|\bnever (had|have) "
        r"(a|an|any) (problem|issue|complaint)s?\b|without (a|an|any) (problem|issue)s?\b": 2.0,
        r"\bbroke\b|\bbroken\b|stopped working": -2.0,
        r"\b(was|were|is|are)(n'?t| not) (\w+ )?(there|ready|available|in stock)\b|"
        r"\bout of stock\b|\bsold out\b": -2.0,
        r"\b(logs?|logged|kicks?|kicked|throws?|threw|signs?|signed) (me|us) out\b": -2.0,
        r"\btoo (small|big|large|tight|loose|short|narrow|wide)\b|\b(doesn'?t|does not|"
        r"didn'?t|did not) fit\b": -1.5,
        r"\bfor nothing\b|\bcosts? (\w+ )?more than\b|\btoo (much|many)\b|"
        r"\bneeds? (some )?improv\w*|\bcould (be|have been) better\b": -1.5,
        r"\bnightmare\b|\bwaste of (time|money)\b|\brip-?off\b|\bscam\b|\bshambles\b": -2.5,
        r"\b(lost|missing|faulty|defective|disappeared|vanished|overcharged|"
        r"double[- ]charged)\b": -2.0,
        r"\b(doesn'?t|does not|didn'?t|did not|won'?t|will not|can'?t|cannot|could "
        r"not|couldn'?t) (\w+ )?(work|load|open|fit|log|sign|connect|start|turn on|"
        r"help|explain|tell|find|reach)\b|\bunable to\b|\bnot working\b": -2.0,
        r"\bconfusing\b|\bcomplicated\b|\bhard to (use|find|navigate|read|understand)\b": -1.5,
        r"didn'?t listen|did not listen": -2.0,
        r"too expensive|overpriced": -2.0,
        r"price went up|prices went up": -1.5,
        r"poor quality": -2.0,
        r"charged twice": -2.0,
        r"not as described": -2.0,
        r"left (my|the) (package|parcel|order) (in the rain|outside)": -2.0,
        # Praise a general lexicon misses: speed, a fix, a promise kept.
        r"arrived (a day |two days )?early": 1.5,
        r"within (minutes|seconds|an hour|a day|24 hours|\d+ (minutes|hours))|"
        r"in (a few|\d+|two|three|five|ten) (seconds|minutes)|right away|straight away|"
        r"\bimmediately\b|\binstantly\b|\bquickly\b|\bpromptly\b|in no time|"
        r"(the )?(same|next) day|\b(the|a) day after\b|\b(quick|fast|speedy|swift)\b|"
        r"\b(worked|works) (the )?first time\b": 1.5,
        r"problem (solved|fixed)|(solved|fixed|sorted|resolved) (\w+ ){0,3}(problem|"
        r"issue)": 2.0,
        r"\b(fixed|sorted( out)?|resolved|replaced|exchanged|corrected)\b": 1.5,
        r"thanks to": 1.5,
        r"\b(sent|send|sends|got|received) (me |us )?(a )?(new|replacement)\b|"
        r"\breplacement\b": 1.5,
        r"\banswered (all|every) (of )?(my|our) questions?\b": 2.0,
        r"\bworth (it|the (money|price)|every (penny|cent))\b": 2.0,
        r"as described": 1.0,
        r"well packed": 1.5,
        r"\bpolite\b|courteous": 1.5,
        r"good value|great value": 2.0,
        r"quick delivery|fast delivery|delivery was (fast|quick)": 1.5,
        # CX words the general lexicon does not hold (or, "delayed", barely scores).
        r"\bslow(ly|er)?\b|\bdelay(ed|s)?\b|\boverdue\b|\bhassle\b|\bexpensive\b|"
        r"\bpricey\b": -1.5,
        r"\bunhelpful\b|\bincorrect\b|\bunresolved\b|\bunresponsive\b|\bunreliable\b|"
        r"\bclunky\b|\blaggy\b|\bbuggy\b": -2.0,
        r"\bseamless(ly)?\b|\bsmooth(ly)?\b|\bknowledgeable\b|\bprofessional(ly)?\b|"
        r"\breliable\b|\befficient(ly)?\b|\bprompt\b|\ba breeze\b": 1.5,
        r"\bdecent\b": 1.0,
        # A wait told in minutes or hours, outside "in ten minutes" or "within an hour"
        # (praise, read above): twenty minutes and more to be answered is a complaint.
        r"\b([2-9]\d|\d{3,}|twenty|thirty|forty|forty-five|fifty|sixty|ninety) minutes\b|"
        r"\b(\d+|two|three|four|five|six|several|many) hours\b": -1.5,
    },
    "de": {
        # Never, and what is still not there.
        r"nie wieder|nie mehr": -2.5,
        r"kam (\w+ ){0,3}nie\b|\bnie (\w+ ){0,2}(an|angekommen|erhalten|bekommen|"
        r"zurückgerufen|geantwortet|gemeldet|erstattet|geliefert|da)\b": -2.5,
        r"kein geld zurück|noch keine erstattung": -2.5,
        r"(immer noch|noch immer|bis heute|bisher) (\w+ )?(nicht|kein\w*|nichts)\b": -2.0,
        # Waiting told as a duration.
        r"\bseit " + _DE_N + r" " + _DE_TIME + r"\b": -2.0,
        _DE_N + r" " + _DE_TIME + r" (lang )?(gewartet|warten|warte|wartete)": -2.0,
        r"\bnach " + _DE_N + r" " + _DE_LONG + r"\b": -1.5,
        r"warteschleife": -1.5,
        r"(zu|viel zu|so) lange?\b": -2.0,
        # A promise told outside "wie versprochen" is one that was broken.
        r"wie (versprochen|vereinbart|angekündigt)|termingerecht": 1.5,
        r"versprochen\w*|zugesagt\w*": -1.5,
        r"keine antwort|ohne antwort|keine rückmeldung|keine reaktion": -2.0,
        # Nobody acting.
        r"\bniemand\w*( (\w+ ){0,3}(geholfen|geantwortet|zurückgerufen|gemeldet|reagiert|"
        r"angerufen)\b)?|\bkeiner (\w+ )?(hat|kann|konnte|weiß|wusste|ruft|meldet|hilft|"
        r"half|antwortet)": -2.0,
        # Negated negatives, and what the service did not do.
        r"ohne (\w+ )?(probleme?|umstände|schwierigkeiten|ärger|stress|nachfragen|"
        r"rückfragen|diskussion\w*|aufwand|wartezeit)|unkompliziert|"
        r"reibungslos|\bkein(e|en|erlei)? (probleme?|ärger|stress|schwierigkeiten)\b|"
        r"\bnie (\w+ )?(probleme?|ärger)\b": 2.0,
        r"\bnicht (\w+ ){0,2}(geholfen|gelöst|behoben|erstattet|geantwortet|gemeldet|"
        r"zurückgerufen|angekommen|geliefert|erreichbar|gekommen|erschienen|aufgetaucht|"
        r"bearbeitet|informiert|benachrichtigt)|(hilft|half|halfen) (\w+ ){0,2}"
        r"nicht\b": -2.0,
        # Repeated effort.
        r"\bzum " + _ORDINAL["de"] + r" mal\b": -1.5,
        r"(\b(zwei|drei|vier|fünf|sechs|sieben|acht|neun|zehn|x|\d+)(-| )?mal|mehrmals|"
        r"mehrfach) (\w+ ){0,4}(anrufen|angerufen|schreiben|geschrieben|nachgefragt|"
        r"nachfragen|nachhaken|nachgehakt|reklamieren|reklamiert|kontaktieren|kontaktiert|"
        r"mahnen|gemahnt|gemeldet|versucht|weitergeleitet|verbunden|erklärt|abgebrochen|"
        r"fehlgeschlagen|abgelehnt|abgebucht)": -2.0,
        r"weitergeleitet|weiterverbunden": -1.5,
        # What failed, got lost, broke, is wrong or missing.
        r"zu spät|verspät\w*": -2.0,
        r"\bnicht (mehr )?(da|vorrätig|verfügbar|bereit|abholbereit|auf lager)\b|"
        r"ausverkauft": -2.0,
        r"meldet (mich|uns) (\w+ ){0,3}ab\b|rausgeworfen|rausgeschmissen|ausgeloggt": -2.0,
        r"\bzu (klein|groß|eng|weit|kurz|schmal|breit)\b": -1.5,
        r"für nichts|vergeblich|vergebens|kostet (\w+ )?mehr als|\bzu ?viel\b|"
        r"verbesserungswürdig|könnte besser sein|muss besser werden": -1.5,
        r"katastroph\w+|albtraum|alptraum|frechheit|zumutung|abzocke|\bchaos\b|"
        r"ein witz": -2.5,
        r"(dauert|dauerte|dauern|gedauert) (\w+ ){0,2}" + _DE_N + r" (wochen?|monat(e|en)?)": -1.5,
        r"beschädigt\w*|zerdrückt\w*|kaputt\w*|gesprungen\w*|gerissen\w*|zerkratzt\w*|"
        r"\w*kratzer\b|zerbrochen\w*|undicht": -2.0,
        r"stürzt\w* (\w+ )*ab\b|absturz|hängt sich auf": -2.0,
        r"aufgehört zu funktionieren|funktioniert nicht mehr|defekt\w*": -2.0,
        r"\bverloren\w*|verschwunden|\bfehl(t|te|ten|en|end\w*)\b|\bfalsch\w*|"
        r"abgebrochen|fehlgeschlagen|abgelehnt|gesperrt|\w*fehler(n|meldung\w*)?\b": -2.0,
        r"(funktioniert|geht|klappt|lädt|passt|stimmt)\w* (\w+ )?nicht\b|"
        r"(kann|konnte|können|konnten) (\w+ ){0,3}nicht (erklären|helfen|sagen|finden|"
        r"einloggen|anmelden|bezahlen|erreichen)": -2.0,
        r"verwirrend|kompliziert|umständlich|unübersichtlich": -1.5,
        r"hört\w* nicht zu|nicht zugehört": -2.0,
        r"viel zu teuer|zu teuer|überteuert": -2.0,
        r"preis (ist |hat sich )?(\w+ )*(gestiegen|erhöht)": -1.5,
        r"schlechte qualität|miserabel": -2.5,
        r"zweimal (\w+ )*abgebucht|doppelt abgebucht": -2.0,
        r"(entsprach|entspricht) nicht der beschreibung|nicht wie beschrieben": -2.0,
        r"storniert": -1.5,
        r"ignoriert": -2.0,
        r"aufgelegt": -2.0,
        r"im regen": -1.5,
        # Praise a general lexicon misses: speed, a fix, a promise kept.
        r"(einen|zwei) tage? früher": 1.5,
        r"(innerhalb|in) (von )?(wenigen |zwei |fünf |\d+ )?(minuten|sekunden)|"
        r"\bsofort\b|\bumgehend\b|(noch )?am (selben|gleichen|nächsten) tag|"
        r"\bnur (einen|ein paar|wenige|zwei|\d+) (tag|tage|stunden?|minuten)\b|"
        r"\bschnell\b|\bzügig\b|\b(schon|bereits) (nach|am|in|innerhalb)\b|"
        r"(mit )?(einem|einen) klick|auf anhieb": 1.5,
        r"problem (gelöst|behoben)|(gelöst|behoben)": 2.0,
        r"\b(geklärt|erledigt|ersetzt|ausgetauscht|umgetauscht|erstattet|"
        r"gutgeschrieben|korrigiert)\b": 1.5,
        r"\bdank\b": 1.5,
        r"\bgerne?\b": 1.5,
        r"(ein|einen|eine) (neues|neuen|neue) (\w+ )?(geschickt|bekommen|erhalten|"
        r"zugeschickt)|kam (\w+ )?(ein|einen|eine) (neues|neuer|neue)|\bersatz\w*": 1.5,
        r"(alle )?(meine |unsere )?fragen (\w+ )?beantwortet": 2.0,
        r"(ihr|sein|das|jeden) (geld|cent|euro|preis) wert": 2.0,
        r"übersichtlich|verständlich|\bklar\b|transparent": 1.5,
        r"\bsuper\b|\bklasse\b|\bspitze\b|\btop\b|\bgenial\b|\bprima\b|\bperfekt\w*": 2.0,
        r"\bbeste(n|r|s|m)?\b": 2.0,
        r"wie beschrieben": 1.0,
        r"gut verpackt": 1.5,
        r"preis-leistungs-verhältnis": 1.5,
        r"schnelle lieferung|lieferung war schnell|schnelle antwort": 1.5,
        r"pünktlich": 1.5,
        r"unhöflich|unfreundlich": -2.5,
        r"freundlich|hilfsbereit|höflich|geduldig|\bnett\b": 2.0,
        r"empfehlenswert|\bdanke\b|vielen dank": 2.0,
        r"zuverlässig": 1.5,
        r"zufrieden": 2.0,
        r"enttäuscht": -2.5,
        r"schrecklich|furchtbar": -2.5,
        # CX words textblob-de's lexicon does not hold.
        r"verzöger\w*|\bteuer\w*|langsam\w*|\blahm\w*": -1.5,
        r"schmutzig\w*|dreckig\w*|unbrauchbar\w*|inkompetent\w*": -2.0,
        r"\bsauber\w*|\bprofessionell\w*|\bkompetent\w*|\bbesser\b|verbessert|"
        r"kinderleicht|(ganz|sehr|super|total) (einfach|leicht)\b|zeit (\w+ )?genommen": 1.5,
        # A wait told in minutes or hours, outside "innerhalb von Minuten" (praise, above).
        r"\b([2-9]\d|\d{3,}|zwanzig|dreißig|vierzig|fünfzig|sechzig|neunzig) minuten\b|"
        r"\b(\d+|zwei|drei|vier|fünf|sechs|mehrere) stunden\b": -1.5,
    },
    "fr": {
        # Never, and what is still not there.
        r"plus jamais": -2.5,
        r"((ne |n')[\w']+ )?(\w+ )?jamais (été )?(reçu|arrivé|venu|rappelé|répondu|"
        r"livré|remboursé|crédité)\w*|toujours pas de remboursement": -2.5,
        r"\btoujours (pas|rien|aucun\w*|en attente|sans)\b": -2.0,
        # Waiting told as a duration.
        r"\bdepuis " + _FR_N + r" " + _FR_TIME + r"\b": -2.0,
        r"\battend\w* (\w+ ){0,2}" + _FR_N + r" " + _FR_TIME + r"\b": -2.0,
        r"\b(au bout d'|au bout de |après )" + _FR_N + r" " + _FR_LONG + r"\b": -1.5,
        r"en attente|attente (interminable|beaucoup trop longue|trop longue)|attendu": -1.5,
        r"trop longue?s?": -2.0,
        # A promise told outside "comme promis" is one that was broken.
        r"comme (promis|prévu|convenu)|dans les (temps|délais)": 1.5,
        r"\bpromis\w*": -1.5,
        # Nobody acting.
        r"sans réponse|pas de (réponse|nouvelles|retour|solution)|aucune (réponse|"
        r"nouvelle|solution|explication|aide)|personne n'a (décroché|répondu)": -2.0,
        r"\bpersonne (ne |n')([\w']+ ){0,2}(aidé|répondu|rappelé|décroché|recontacté|"
        r"prévenu|venu)\w*|\bpersonne (ne|n')": -2.0,
        # Negated negatives, and what the service did not do.
        r"sans (aucune? )?(souci|problème|relance|question|difficulté|attente|"
        r"discussion|justification)s?|\b(aucun|aucune|pas de|jamais eu de) "
        r"(souci|soucis|problème|problèmes|difficulté|difficultés|accroc)\b": 2.0,
        r"(ne |n')[\w']+ (\w+ )?(pas|jamais|plus) (été )?(aidé|résolu|réglé|répondu|"
        r"rappelé|remboursé|livré|reçu)\w*|(ne |n')[\w']+ (\w+ )?pas (su|pu)\b": -2.0,
        # Repeated effort.
        r"\bpour la " + _ORDINAL["fr"] + r" fois\b": -1.5,
        r"(appel|écri|relanc|rappel|contact|transf|essay|expliqu|renvoy|échou|refus)\w* "
        r"(\w+ ){0,3}(\d+|deux|trois|quatre|cinq|six|dix|plusieurs|maintes|x) fois\b": -2.0,
        # What failed, got lost, broke, is wrong or missing.
        r"en retard|de retard": -2.0,
        r"\bn'(y )?(était|est|étaient|sont) pas (là|prête?s?|disponibles?)|"
        r"\bn'y (était|est|étaient|sont) pas|en rupture( de stock)?|épuisée?s?": -2.0,
        r"\b(me |nous )?déconnecte\w*": -2.0,
        r"toujours (\w+ )?(prélevée?s?|débitée?s?|facturée?s?)|continu\w+ (de|à) (me |"
        r"nous )?(prélever|débiter|facturer)": -2.0,
        r"\btrop (petit|grand|serré|large|court|étroit)e?s?\b": -1.5,
        r"(ne )?sert à rien|pour rien|coûte\w* plus (cher )?que|plus cher que|"
        r"\btrop d(e |')|à améliorer|pourrait être mieux|peut mieux faire": -1.5,
        r"déplorable|exécrable|\bnul(le)?s?\b": -2.5,
        r"catastroph\w+|cauchemar\w*|\bhonte\w*|arnaque\w*|n'importe quoi|une blague|"
        r"scandal\w+": -2.5,
        r"(prend|prendra|prendre|a pris|ont pris|met|mettra|a mis) (\w+ ){0,2}"
        + _FR_N
        + r" (semaines?|mois)": -1.5,
        r"abîmé\w*|endommagé\w*|écrasé\w*|cassé\w*|fêlé\w*|rayé\w*|rayure\w*|"
        r"déchiré\w*": -2.0,
        r"plante|bloque": -2.0,
        r"cessé de fonctionner|ne fonctionne plus|défectueu(x|se)": -2.0,
        r"\bperdu\w*|disparu\w*|\bmanqu(e|ent|ant|ait|aient|ante|antes|ants)\b|"
        r"\bfaux\b|\bfausses?\b|\bmauvais\w* (article|taille|produit|couleur|pointure|"
        r"adresse|commande|modèle)|échou\w+|\béchec\b|\berreurs?\b|refusé\w*|rejeté\w*|"
        r"\bbug\w*": -2.0,
        r"\bne (marche|fonctionne|s'ouvre|charge|passe) (pas|plus)\b|impossible d": -2.0,
        r"compliqué\w*|\bconfus\w*|déroutant\w*|pas clair\w*": -1.5,
        r"beaucoup trop cher|trop cher|hors de prix": -2.0,
        r"prix a (encore )?augmenté": -1.5,
        r"qualité (aussi |très )?médiocre|mauvaise qualité|lamentable": -2.5,
        r"débité deux fois|facturé deux fois": -2.0,
        r"pas conforme": -2.0,
        r"transféré": -1.5,
        r"annulée? sans": -2.0,
        r"ignorée?": -2.0,
        r"raccroché": -2.0,
        r"sous la pluie": -1.5,
        # Praise a general lexicon misses: speed, a fix, a promise kept.
        r"en avance": 1.5,
        r"en (quelques|\d+|deux|cinq|dix) (minutes|secondes)|rapidement|tout de suite|"
        r"aussitôt|immédiatement|sans attendre|le jour même|le lendemain|du premier coup|"
        r"\brapides?\b|(en |d')un (seul )?clic|"
        r"(ne |n')[\w']+ (\w+ )?qu'(une?|deux|quelques) (jour|journée|heure|minute)s?": 1.5,
        r"problème (résolu|réglé)|(réglé|résolu) mon problème": 2.0,
        r"\b(réglé|résolu|corrigé|remplacé|échangé|remboursé|crédité)e?s?\b": 1.5,
        r"grâce à": 1.5,
        r"\bpas mal\b": 1.5,
        r"(envoyé|renvoyé|reçu|expédié) (\w+ ){0,2}(un|une) (nouveau|nouvelle|nouvel)|"
        r"\bremplacement\b": 1.5,
        r"répondu à (toutes )?(mes|nos) questions": 2.0,
        r"vaut (largement |bien )?(son prix|le coup|la peine|chaque centime)": 2.0,
        r"\bclaire?s?\b|\blisible\b|\btransparente?s?\b": 1.5,
        r"conforme": 1.0,
        r"bien emballée?": 1.5,
        r"rapport qualité-prix": 1.5,
        r"livraison rapide|réponse rapide": 1.5,
        r"à l'heure": 1.5,
        r"\bimpolie?\b|désagréable": -2.5,
        r"serviable|aimable|\bpolie?\b|\bpatiente?\b|gentil": 2.0,
        r"je recommande|recommanderai|merci": 2.0,
        r"fiable": 1.5,
        r"content(e)?\b": 2.0,
        r"déçue?": -2.5,
        r"horrible": -2.5,
        # CX words textblob-fr's lexicon does not hold.
        r"lenteur\w*|\blente?s?\b|lentement|\bretardée?s?\b|\binutiles?\b": -1.5,
        r"incompétente?s?|inefficaces?|décevante?s?": -2.0,
        r"\bcompétente?s?\b|\befficaces?\b|\bprofessionnel\w*|\btop\b|\bmieux\b|"
        r"\baidée?s?\b|jeu d'enfant": 1.5,
        # A wait told in minutes or hours, outside "en quelques minutes" (praise, above).
        r"\b([2-9]\d|\d{3,}|vingt|trente|quarante|cinquante|soixante) minutes\b|"
        r"\b(\d+|deux|trois|quatre|cinq|plusieurs) heures\b": -1.5,
    },
    "es": {
        # Never, and what is still not there.
        r"nunca más": -2.5,
        r"\bnunca (\w+ ){0,2}(lleg\w+|recib\w+|contest\w+|respond\w+|respondi\w+|"
        r"devolv\w+|devolvi\w+|llam\w+|reembols\w+|aparec\w+)|sigo sin reembolso|"
        r"sin reembolso": -2.5,
        r"\b(todavía|aún|aun) (no|nada|sin)\b|\bsig(o|ue|uen|uimos) (sin|esperando)\b": -2.0,
        # Waiting told as a duration.
        r"\bdesde hace " + _ES_N + r" " + _ES_TIME + r"\b": -2.0,
        r"\bllev(o|amos) (\w+ )?" + _ES_N + r" " + _ES_TIME + r"\b": -2.0,
        r"\besper\w+ (\w+ ){0,2}" + _ES_N + r" " + _ES_TIME + r"\b": -2.0,
        r"\b(después de|tras|al cabo de) " + _ES_N + r" " + _ES_LONG + r"\b": -1.5,
        r"en espera|espera interminable|esperando": -1.5,
        r"demasiado tiempo": -2.0,
        # A promise told outside "como prometieron" is one that was broken.
        r"como (se )?promet\w+|a tiempo|en el plazo|puntual\w*": 1.5,
        r"\bpromet\w+|\bprometid\w+": -1.5,
        # Nobody acting.
        r"sin (ninguna )?(respuesta|noticias|solución|explicación|ayuda)|ninguna "
        r"(respuesta|solución|explicación)|nadie (contestó|contestaba|respondió)": -2.0,
        r"\bnadie\b( (me |nos |le |les )?(\w+ )?(ayud\w+|contest\w+|respond\w+|llam\w+|"
        r"atend\w+))?": -2.0,
        # Negated negatives, and what the service did not do.
        r"\b(ningún|ningun|ninguna|sin (ningún |ninguna )?|nunca (he )?tenido (ningún |"
        r"un )?)(problema|inconveniente|queja|complicación|pega|pregunta|espera|traba)s?\b": 2.0,
        r"\bno (me |nos |le |les )?(ayud\w+|resolv\w+|solucion\w+|atend\w+|contest\w+|"
        r"respond\w+|devolv\w+)|\bno (supo|supieron|pudo|pudieron|sabe|saben)\b": -2.0,
        # Repeated effort.
        r"\bpor " + _ORDINAL["es"] + r" vez\b": -1.5,
        r"(llam|escrib|reclam|contact|pas|transfer|intent|explic|fall|rechaz|envi)\w* "
        r"(\w+ ){0,3}(\d+|dos|tres|cuatro|cinco|seis|diez|varias|muchas) veces\b": -2.0,
        r"de un departamento a otro": -2.0,
        # What failed, got lost, broke, is wrong or missing.
        r"llegó tarde|\btarde\b|retraso": -2.0,
        r"\bno (estaba|está|estaban|están)( allí| ahí| list[ao]s?| disponibles?)?"
        r"(?=\s*[.,;!?]|\s*$)|agotad[ao]s?|sin (stock|existencias)": -2.0,
        r"cuesta\w* más que|más car[ao]s? que|deberían mejorar|tienen que mejorar|"
        r"debe mejorar|a mejorar": -1.5,
        r"demasiado (pequeñ|grande|ajustad|estrech|cort|anch)\w*|\bme (queda|quedan|"
        r"quedaba|quedaban) (muy |un poco )?(pequeñ|grande|chic|ancho|estrech)\w*": -1.5,
        r"\bno (está|estaba|es|era|fue|estuvo) (nada )?mal\b": 1.5,
        r"(me |nos )?cierra (la )?sesión|me (saca|echa) de la (app|aplicación|cuenta)": -2.0,
        r"sig(o|ue|uen) (\w+ )?(cobrando|cobrándome)|(todavía|aún) me cobran": -2.0,
        r"(tarda|tardará|tardó|tardan|tardarán|tardaron) (\w+ ){0,2}"
        + _ES_N
        + r" (semanas?|mes|meses)": -1.5,
        r"dañad\w+|aplastad\w+|\brot[ao]s?\b|se rompió|agrietad\w+|rajad\w+|rayad\w+|"
        r"arañazo\w*": -2.0,
        r"se cierra sola|se bloquea": -2.0,
        r"dejó de funcionar|no funciona|defectuos[ao]": -2.0,
        r"\bperdi(do|da|dos|das)\b|se perdió|extraviad\w+|desaparec\w+|"
        r"\bfalta(ba|ban|n|ron)?\b|equivocad\w+|incorrect\w+|\bfall(ó|a|aron|ido|o)\b|"
        r"\berror(es)?\b|rechazad\w+|bloquead\w+|\bno (funcionó|sirve|carga|abre|deja)\b|"
        r"imposible": -2.0,
        r"\bconfus[ao]s?\b|complicad\w+|difícil de": -1.5,
        r"demasiado caro|muy caro": -2.0,
        r"precio subió": -1.5,
        r"mala calidad|calidad tan mala|pésim[ao]": -2.5,
        r"cobraron dos veces|cobrado dos veces": -2.0,
        r"no era como se describe|no es como se describe": -2.5,
        r"cancelaron": -1.5,
        r"ignorad[ao]": -2.0,
        r"me colgó": -2.0,
        r"bajo la lluvia": -1.5,
        # Praise a general lexicon misses: speed, a fix, a promise kept.
        r"un día antes": 1.5,
        r"en (pocos|pocas|un[ao]|\d+|dos|tres|cinco|diez|media) (minutos|segundos|"
        r"horas?)|rápidamente|\brápid[ao]s?\b|(en )?un (solo )?clic|al instante|"
        r"al momento|enseguida|en seguida|de inmediato|inmediatamente|el mismo día|"
        r"al día siguiente|a la primera|\b(solo|sólo|apenas) (un|una|dos|unos|unas) "
        r"(día|días|hora|horas|minutos)\b": 1.5,
        r"(resolvió|solucionó) mi problema|problema resuelto": 2.0,
        r"\b(resolvi\w+|resuelt\w+|solucion(ó|aron|ado|ada)|arregl\w+|cambiaron|corrigi\w+|"
        r"reemplaz\w+|sustitu\w+|reembolsaron)\b": 1.5,
        r"gracias a": 1.5,
        r"(mandaron|enviaron|envió|mandó) (\w+ ){0,2}(un|una) (\w+ )?nuev[ao]|reemplazo|"
        r"sustitución": 1.5,
        r"respondi\w* a (todas )?(mis|nuestras) (dudas|preguntas)": 2.0,
        r"vale (lo que cuesta|la pena|cada (euro|céntimo))|merece la pena": 2.0,
        r"\bclar[ao]s?\b|transparente|gratis|gratuit[ao]s?|fácil\w*|facil[ií]sim\w+|"
        r"sencill[ao]s?": 1.5,
        r"\b(el|la|los|las) mejor(es)?\b": 2.0,
        r"excelente\w*|estupend\w+|genial\w*|perfect\w+|fantástic\w+|maravill\w+|"
        r"me encant\w+|encantador\w*|simpátic\w+|\bprecios[ao]s?\b": 2.0,
        r"como se describe": 1.0,
        r"bien embalad[ao]": 1.5,
        r"relación calidad-precio": 1.5,
        r"entrega (fue )?rápida|respuesta rápida": 1.5,
        r"groser[ao]|maleducad[ao]": -2.5,
        r"amab(le|les|ilidad)|servicial|educad[ao]|paciente": 2.0,
        r"lo recomiendo|gracias|siempre cumple": 2.0,
        r"content[ao]": 2.0,
        r"decepcionad[ao]": -2.5,
        r"horrible|terrible|desastre|lamentable|fatal\b|pesadilla|vergüenza|estafa|"
        r"\btimo\b|\bcaos\b|una broma": -2.5,
        # Opinion words in every gender and number: the Spanish model reads "lento" and
        # "atento" but not "lenta" and "atenta".
        r"\blent[ao]s?\b|lentísim\w+|lentitud|\bcar[ao]s?\b|molest\w+": -1.5,
        r"\bmal[ao]s?\b|\bmal\b|inútil\w*|incompetent\w*|ineficient\w*|\bsuci[ao]s?\b|"
        r"incómod\w*": -2.0,
        r"decepcionante\w*": -2.5,
        r"\bbuen[ao]s?\b|\bcompetent\w*|\batent[ao]s?\b|\bfiable\w*|\bconfiable\w*|"
        r"\beficient\w*|\bprofesional\w*|\bcómod[ao]s?\b|\blimpi[ao]s?\b|\bmejor\w*|"
        r"\bayud\w+": 1.5,
        r"\bdemasiad[oa]s?\b": -1.5,
        # A wait told in minutes or hours, outside "en pocos minutos" (praise, above).
        r"\b([2-9]\d|\d{3,}|veinte|treinta|cuarenta|cincuenta|sesenta) minutos\b|"
        r"\b(\d+|dos|tres|cuatro|cinco|varias) horas\b": -1.5,
    },
}
