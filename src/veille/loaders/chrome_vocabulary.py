"""The chrome classifier's tables: feature weights and threshold, the page-chrome vocabulary of French and English
web pages per reason (``CUES``, ``LABELS``, ``FORMULAS``, ``LIST_HEADERS``) with its compiled forms, and the patterns
of line shapes (sentence ends, separators, links, durations, figures) and of comment lines.

``BOILERPLATE`` is the whole-line list for loaders that judge a line out of context (``html``).
"""

from __future__ import annotations

import re

# -- the classifier's weights --------------------------------------------------------------------------------------

#: Feature weights. A line is chrome when its score reaches ``THRESHOLD``. Why these values: one chrome word in a
#: short unpunctuated line is not enough (1 + 1 + 0.5 < 3: a heading may say "cookies"), a line made of chrome
#: words is (1 + 2 + 1 + 0.5); a label or a formula nearly is on its own; a sentence of eight words or more
#: (-2.5) or of 120+ characters (-3) stays body unless formulas say otherwise. Context only moves lines under
#: ``FRAGMENT_CHARS`` characters, by less than a label does.
WEIGHTS: dict[str, float] = {
    # what the line says
    "formula": 4.0,  # per phrase only page chrome writes, at most two ("ne sera pas publiée", "we use cookies")
    "label": 3.0,  # opens with a chrome label ("Lire aussi", "Temps de lecture", "Partager sur", "Photo :")
    "cue": 1.0,  # chrome vocabulary somewhere in the line ("newsletter", "commentaires", "Accueil")
    "covered": 2.0,  # share of its letters in chrome vocabulary: 1 from 75 %, else half the share
    # its shape
    "short": 1.0,  # six words or fewer
    "open": 0.5,  # no final sentence punctuation
    "sentence": -2.5,  # eight words or more ending with . ! or … (questions are often titles)
    "long": -3.0,  # 120 characters or more
    "separated": 1.5,  # short items between | · • › > ∙ ("Accueil > Tech > IA", "CGU · Contact")
    "links": 1.0,  # mostly URLs, @handles, e-mail addresses (alone in the body they may be content)
    "duration": 2.5,  # only a duration ("12:34", "1:02:03", "3 min")
    "date": 2.5,  # only a date, perhaps with a time
    "number": 1.5,  # only figures ("12", "(3)")
    "no_letters": 2.5,  # neither letter nor digit ("|", "•")
    # where it sits (lines under FRAGMENT_CHARS only, but a list opened by an author-box header)
    "head": 0.75,  # before the first body paragraph
    "tail": 2.5,  # after the last body paragraph, without final punctuation
    "neighbour": 0.5,  # per chrome line among the two before and two after it in its block
    "menu": 1.0,  # in a run of three or more lines of one to three words
    "listed": 2.5,  # in a list of related articles or a table of contents (or its header), or between durations
    "author_box": 10.0,  # in an author box (or its header): decides alone, a biography reads like body
    "heading": -1.0,  # title-like and followed by a body paragraph free of chrome labels and formulas
    "titled": -1.5,  # title-like and just above a byline or date line: the article's title
}
THRESHOLD = 3.0
FORMULAS_COUNTED = 2
#: Lines shorter than this may be moved by their context; longer ones are judged on their own.
FRAGMENT_CHARS = 100
ROUNDS = 4

# -- the chrome vocabulary, per reason ------------------------------------------------------------------------------
# Patterns are matched on ``datelines.fold_in_place`` text: lower case, no accents, typographic apostrophes as "'".

#: Words and phrases of page chrome, anywhere in a line.
CUES: dict[str, tuple[str, ...]] = {
    "comments": (r"commentaires?", r"comments", r"commenter", r"reagir", r"reagissez", r"repondre", r"reply",
                 r"replies", r"signaler", r"discussion"),
    "sharing": (r"partager", r"partagez", r"partage", r"share", r"shares", r"tweet(?:er)?", r"imprimer", r"print",
                r"copier le lien", r"copy link", r"facebook", r"twitter", r"x", r"linkedin", r"whatsapp",
                r"telegram", r"pinterest", r"reddit", r"bluesky", r"mastodon", r"threads", r"flipboard",
                r"messenger", r"instagram", r"youtube", r"tiktok", r"e-?mail", r"courriel"),
    "newsletter": (r"newsletters?", r"infolettres?", r"abonnez-vous", r"s'abonner", r"m'abonne", r"abonnement",
                   r"inscrivez-vous", r"s'inscrire", r"subscribe", r"subscribed", r"sign up", r"unsubscribe",
                   r"desinscri\w*", r"desabonn\w*", r"abonnes"),
    "cookies": (r"cookies?", r"consentement", r"consent", r"traceurs", r"trackers", r"confidentialite", r"privacy",
                r"rgpd", r"gdpr", r"accepter", r"refuser", r"parametrer", r"donnees personnelles"),
    "navigation": (r"accueil", r"home", r"menu", r"rubriques", r"sections?", r"precedent", r"suivant", r"previous",
                   r"next", r"retour en haut", r"back to top", r"plan du site", r"sitemap", r"mentions legales",
                   r"legal notice", r"cgu", r"cgv", r"conditions generales", r"terms(?: of (?:use|service))?",
                   r"contact(?:ez-nous)?", r"contact us", r"a propos", r"about(?: us)?", r"qui sommes-nous",
                   r"rechercher", r"search", r"accessibilite", r"plan d'acces", r"nous contacter", r"se connecter", r"connexion", r"log ?in", r"sign ?in",
                   r"mon compte", r"my account", r"sommaire", r"table des matieres", r"table of contents",
                   r"chapitres", r"chapters", r"latest", r"a la une", r"archives?", r"blog", r"espace (?:presse|abonnes?)"),
    "related articles": (r"recommandations", r"recommended", r"a suivre", r"up next", r"most read", r"les plus lus",
                         r"populaires?", r"popular", r"trending", r"tendances"),
    "credits": (r"afp", r"reuters", r"getty(?: images)?", r"shutterstock", r"unsplash", r"associated press",
                r"tous droits reserves", r"all rights reserved", r"copyright"),
    "ads": (r"publicite", r"advertisement", r"advertising", r"sponsorise", r"sponsored", r"adchoices", r"promoted"),
    "app banner": (r"app store", r"google play", r"l'application", r"the app"),
    "social": (r"suivez-nous", r"follow us", r"rejoignez-nous"),
    "counters": (r"vues", r"views", r"likes", r"restacks?", r"reposts?", r"republications?"),
}

_LEAD = r"^[\s\-–—•·*>(\[«\"“]*"  # bullets, dashes and brackets a label may follow

#: How chrome lines open (matched at the start of the line, after bullets); ``$`` marks whole-line labels.
LABELS: dict[str, tuple[str, ...]] = {
    "comments": (
        r"laisse[rz] un commentaire", r"leave a (?:comment|reply)", r"ajouter un commentaire", r"annuler la reponse",
        r"cancel reply", r"(?:\d+|no|aucun|zero|un|une) (?:commentaires?|comments?|responses?|reponses?|reactions?)\b",
        r"(?:commentaires?|comments?) ?\(\d+\)", r"soyez le premier", r"be the first", r"\d+ (?:thoughts|reflexions) (?:on|sur)\b",
        r"connectez-vous pour", r"log in to (?:reply|comment)", r"post comment", r"publier (?:le |un )?commentaire",
        r"envoyer le commentaire", r"vos (?:reactions|commentaires)\b", r"qui etes-vous ?\?",
        (r"(?:votre |your )?(?:nom|name|e-?mail|adresse e-?mail|email address|site web|website|commentaire|comment"
         r"|message|pseudo)(?: ?:)? ?\*"), r"(?:site web|website|comment)$", r"signaler (?:un abus|ce commentaire)",
    ),
    "sharing": (
        r"partager (?:sur|l'article|cet article|la publication|ce contenu|par)\b", r"partager ?:",
        r"partagez (?:cet|l'|sur)", r"share (?:this|on|via|the (?:article|story))\b", r"share ?:", r"j'aime chargement",
        r"like this ?:", r"like loading", r"(?:x|e-?mail|enregistrer|save)$", r"telecharger\b", r"imprimer\b",
        r"(?:ajouter a (?:mes|vos) )?favoris$", r"bookmark\b", r"save for later",
        r"envoyer (?:par e-?mail|a un ami|cet article)",
    ),
    "newsletter": (
        r"abonnez-vous", r"inscrivez-vous", r"je m'abonne", r"s'abonner", r"s'inscrire", r"subscribe", r"sign up",
        r"recevez (?:notre|nos|la|les|chaque|gratuitement|tous)", r"restez informe", r"stay (?:informed|up to date)",
        r"deja abonne", r"already a subscriber", r"(?:cet article est )?reserve aux abonnes", r"subscribers? only",
        r"votre adresse (?:e-?mail|electronique)$", r"(?:enter|type) your email", r"your email(?: address)?$",
        r"(?:email|e-mail) address$", r"adresse e-?mail$", r"(?:work|business|professional) e-?mail(?: address)?", r"pour (?:lire|continuer a lire|voir) la suite",
        r"pour acceder", r"pour rester informe", r"continue reading\b",
    ),
    "cookies": (
        r"tout accepter", r"tout refuser", r"accept all", r"reject all", r"accepter et fermer",
        r"continuer sans accepter", r"parametrer", r"gerer (?:mes|les) (?:choix|preferences|cookies)",
        r"manage (?:preferences|cookies|consent|settings)", r"cookie settings", r"politique de confidentialite",
        r"privacy policy", r"privacy & cookies", r"parametres des cookies",
    ),
    "navigation": (
        r"accueil ?[>›»/|]", r"home ?[>›»/|]", r"aller au contenu", r"skip to", r"retour en haut", r"back to top",
        r"haut de page", r"[←«]? ?(?:article |post )?(?:precedent|suivant|previous|next)(?: (?:article|post))? ?[→»]?$",
        r"page \d+ (?:sur|of) \d+", r"voir (?:tous|toutes) (?:les|ses)", r"see all", r"afficher plus",
        r"voir plus", r"load more", r"show more", r"plus d'articles", r"(?:article|post) (?:precedent|suivant)\b",
        r"(?:previous|next) (?:article|post)\b", r"[←→]", r"taille (?:du texte|des caracteres)", r"text size",
    ),
    "reading time": (
        r"temps de lecture", r"duree de lecture", r"lecture ?: ?\d", r"\d+ ?min(?:utes?)?(?: de lecture| read)",
        r"reading time", r"\d+[- ]min(?:ute)? read", r"ecouter (?:cet |l')article",
        r"listen to (?:this )?(?:article|story)", r"(?:listen|ecouter)$",
    ),
    "related articles": (
        r"(?:a )?lire (?:aussi|egalement)", r"voir aussi", r"see also", r"sur le meme (?:sujet|theme)",
        r"dans la meme rubrique", r"articles? (?:similaires|lies|connexes|recommandes|correspondants)",
        r"related(?: (?:articles|posts|stories|content))?\b", r"read (?:more|next|also)\b", r"lire la suite",
        r"en savoir plus", r"vous aimerez (?:aussi|peut-etre)", r"you (?:may|might) (?:also )?like",
        r"recommand\w+ pour vous", r"recommended(?: for you)?", r"more (?:from|stories|on)\b", r"les plus lus",
        r"most (?:read|popular)", r"a suivre", r"up next", r"recommandations",
        r"dernier(?:e?s)? (?:actualites|infos|articles)", r"latest (?:news|stories|posts)", r"a decouvrir\b",
        r"en (?:images|videos?)$",
    ),
    "credits": (r"photos? ?:", r"credits?(?: photos?)? ?:", r"images? ?:", r"illustrations? ?:", r"©", r"\(c\) ",
                r"copyright"),
    "tags": (r"tags? ?:", r"etiquettes? ?:", r"mots[- ]cles ?:", r"themes? ?:", r"categories? ?:", r"rubriques? ?:",
             r"topics? ?:", r"filed under\b", r"posted in\b", r"classe dans\b", r"tagged\b"),
    "ads": (r"publicite$", r"advertisement$", r"sponsorise$", r"sponsored\b", r"contenu (?:sponsorise|partenaire)",
            r"partner content", r"annonce$", r"pub$"),
    "app banner": (r"telechargez", r"telecharger l'app", r"download (?:our|the) app", r"get the app",
                   r"disponible sur (?:l'app store|google play|android|ios)", r"available on", r"get it on",
                   r"ouvrir dans l'app", r"open in (?:the )?app"),
    "social": (r"suivez-nous", r"follow us", r"rejoignez-nous", r"join us on", r"retrouvez-nous sur",
               r"\+? ?(?:follow|suivre)$"),
    "donations": (r"(?:je )?fai(?:s|tes) un don", r"faire un don", r"soutenez(?:-nous| \w+)", r"donate\b",
                  r"support (?:us|our)\b"),
    "counters": (r"\d[\d\s.,]*k? ?(?:vues|views|likes|j'aime|partages|shares|restacks?|reposts?|followers|abonnes)$",
                 r"\d[\d\s.,]*k? ?subscribers$"),
}

#: Phrases only page chrome writes, anywhere in a line.
FORMULAS: dict[str, tuple[str, ...]] = {
    "comments": (
        r"votre adresse (?:e-?mail|de messagerie|electronique) ne sera pas publiee",
        r"your email address will not be published", r"champs obligatoires sont (?:indiques|marques)",
        r"required fields are marked", r"enregistrer mon nom", r"save my name", r"ce site utilise akismet",
        r"this site uses akismet", r"donnees de vos commentaires sont", r"comment data is processed",
        r"discussion about this post", r"pour creer des paragraphes",
    ),
    "newsletter": (
        r"dans votre boite (?:mail|e-?mail|aux lettres|de reception)", r"in your inbox",
        r"(?:notre|nos) (?:\w+ )?(?:newsletters?|lettres? d'information|infolettres?)", r"our (?:\w+ )?newsletters?",
        r"delivered (?:every|each) \w+", r"subscribe (?:for free|now|today)", r"thanks for reading",
        r"pour (?:vous )?desinscrire", r"pour (?:vous )?desabonner", r"cliquez ici", r"click here", r"by signing up",
        r"en vous inscrivant", r"unsubscribe at any time", r"desinscrire a tout moment",
        r"recevez (?:chaque|tous les|gratuitement)", r"articles? gratuits? ce mois", r"vous avez lu \d+",
        r"en illimite", (r"(?:inscrivez-vous|abonnez-vous|inscription) (?:a|aux?) (?:notre |nos |la |les )?"
                         r"(?:\w+ )?(?:newsletters?|lettres?|infolettres?)"),
        r"votre adresse (?:e-?mail|de messagerie|electronique) (?:est|sera) (?:uniquement|seulement) utilisee",
    ),
    "credits": (r"tous droits reserves", r"all rights reserved", r"n'engagent? que (?:leurs?|son|ses) auteurs?",
                r"(?<=[,|/] )photos? ?: "),
    "cookies": (
        r"(?:ce|notre) site (?:web )?utilise des cookies", r"nous utilisons des cookies", r"we use cookies",
        r"this (?:site|website) uses cookies", r"en poursuivant (?:votre|la) navigation",
        r"by continuing to (?:use|browse)", r"vous acceptez (?:l'utilisation|leur utilisation|nos|notre|les cookies)",
        r"you agree to (?:the|their|our) use", r"how to control cookies", r"(?:accepter|refuser) (?:les|tous les) cookies",
    ),
}

#: Headers that open a list: reason given to its items, and whether any line may be an item (author box).
LIST_HEADERS: dict[str, str] = {
    r"(?:a )?lire (?:aussi|egalement)|voir aussi|see also|sur le meme (?:sujet|theme)|dans la meme rubrique"
    r"|articles? (?:similaires|lies|connexes|recommandes|correspondants)|related(?: (?:articles|posts|stories|content))?"
    r"|vous aimerez (?:aussi|peut-etre)|you (?:may|might) (?:also )?like|recommand\w+(?: pour vous| for you)?"
    r"|les plus lus|most (?:read|popular)|a suivre|up next|read (?:more|next)|more stories"
    r"|(?:more|recommended) from [\w .'-]+": "related articles",
    r"sommaire|table des matieres|table of contents|contents|chapitres|chapters|dans cet article"
    r"|in this article": "navigation",
    r"a propos de l'auteur|about the author|l'auteur|the author|author bio|biographie"
    r"|(?:written|ecrit|redige) by [\w .'-]+|(?:ecrit|redige) par [\w .'-]+": "author box",
}
AUTHOR_BOX_LINES = 4

#: Whole-line patterns of page boilerplate (case-insensitive), French and English, for loaders that judge a line
#: out of context (``html``). The article loader scores lines with the classifier instead.
BOILERPLATE = (
    # comments
    r"laisser un commentaire|laissez un commentaire|leave a (?:comment|reply)|ajouter un commentaire",
    r"(?:no|\d+) (?:responses?|comments?)(?: yet)?|aucun commentaire(?: à afficher)?\.?",
    r"(?:\d+ )?commentaires?(?: \(\d+\))?|latest comments|derniers commentaires|recent comments",
    r"soyez le premier à (?:commenter|réagir).*|be the first to comment.*|répondre|reply|annuler la réponse",
    r"votre adresse (?:e-?mail|de messagerie|électronique) ne sera pas publiée.*",
    r"your email address will not be published.*|required fields are marked.*",
    r"les champs obligatoires sont (?:indiqués|marqués) (?:avec|par) \*?.*",
    r"(?:nom|name|e-?mail|site web|website|commentaire|comment)\s*\*?",
    r"enregistrer mon nom.*|save my name.*|(?:post|publier le|envoyer le) comment(?:aire)?",
    # sharing
    r"[-–—•]?\s*partager (?:l['’]article|cet article|sur \w+|la publication)\s*:?",
    r"(?:share|partager)(?: (?:this|on|sur)\b.*)?\s*:?|partagez.*|tweet|tweeter|imprimer|print",
    r"facebook|twitter|x|linkedin|whatsapp|telegram|pinterest|reddit|e-?mail|copier le lien|copy link",
    # reading aids and navigation
    r"temps de lecture\s*:?\s*\d+\s*min(?:utes?)?\.?|\d+\s*min(?:utes?)?\s*(?:de lecture|read)",
    r"reading time.*|lecture\s*:\s*\d+\s*min.*",
    r"(?:à )?lire aussi\b.*|sur le même (?:sujet|thème).*|articles? (?:similaires|liés|connexes).*",
    r"related (?:articles|posts|stories).*|you (?:may|might) also like.*|vous aimerez aussi.*",
    r"read more|lire la suite|en savoir plus|voir aussi|see also|retour en haut|back to top",
    r"sommaire|table des matières|menu|accueil|home|rechercher|search|publicité|advertisement",
    # newsletters, cookies, rights
    r".{0,60}newsletter.{0,60}|abonnez-vous.{0,80}|inscrivez-vous.{0,80}|subscribe.{0,80}",
    r"s['’]abonner|je m['’]abonne|recevez nos .{0,80}|follow us.{0,40}|suivez-nous.{0,40}",
    r".{0,80}\bcookies?\b.{0,80}|tout accepter|accept all|refuser|paramétrer|gérer mes choix",
    r"(?:©|copyright|tous droits réservés|all rights reserved).{0,80}",
    r"(?:tags?|étiquettes?|mots-clés|catégories?|categories?)\s*:.{0,120}",
    r"(?:publié|mis à jour|modifié|posted|published|updated) (?:le |on )?.{0,40}\d{4}.{0,20}",
    r"(?:\d+\s*)?(?:j['’]aime|likes?|partages?|shares?)",
)


# -- compiled forms ---------------------------------------------------------------------------------------------------


def _words_re(patterns: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile(r"(?<!\w)(?:" + "|".join(patterns) + r")(?!\w)")


CUE_PATTERNS = {reason: _words_re(words) for reason, words in CUES.items()}
LABEL_PATTERNS = {reason: re.compile(_LEAD + r"(?:" + "|".join(p) + r")") for reason, p in LABELS.items()}
FORMULA_PATTERNS = {reason: re.compile(r"(?<!\w)(?:" + "|".join(p) + r")(?!\w)") for reason, p in FORMULAS.items()}
# One scan says whether any cue is in a line at all (most body lines hold none). One lookbehind before one
# alternation of every cue: three times faster than the reasons' patterns joined, each with its lookarounds.
ANY_CUE = _words_re(tuple(word for words in CUES.values() for word in words))


def required_text(pattern: str) -> str | None:
    """The longest run of plain text every match of ``pattern`` holds (groups, optional characters and
    escapes taken out), or None when none of four characters or more is left."""
    plain, before = pattern, None
    while plain != before:  # innermost groups first, lookarounds included
        before, plain = plain, re.sub(r"\((?:\?[:<!=]+)?[^()]*\)\??", "\0", plain)
    plain = re.sub(r"\\.[+*?]?|.\?", "\0", plain)
    runs = re.findall(r"[a-z0-9' -]{4,}", plain)
    return max(runs, key=len).strip() if runs else None


_FORMULA_TEXTS = [(a, required_text(a)) for alternatives in FORMULAS.values() for a in alternatives]
#: Text each formula must contain: a line holding none of them holds no formula (but the keyless ones).
FORMULA_KEYS = tuple(sorted({key for _, key in _FORMULA_TEXTS if key}))
_KEYLESS = [a for a, key in _FORMULA_TEXTS if not key]
KEYLESS_FORMULA = re.compile(r"(?<!\w)(?:" + "|".join(_KEYLESS) + r")(?!\w)") if _KEYLESS else None
#: Text every keyless formula holds (they are newsletter offers, their key an alternation): read by hand,
#: checked by tests/test_loaders_article.py. Searching the keyless pattern on every line cost 5 % of parsing.
KEYLESS_KEYS = ("lettre", "newsletter")


def may_hold_formula(folded: str) -> bool:
    """Whether ``folded`` can hold a formula: a cheap test before the formula patterns."""
    return any(key in folded for key in FORMULA_KEYS) or bool(
        KEYLESS_FORMULA and any(key in folded for key in KEYLESS_KEYS) and KEYLESS_FORMULA.search(folded))
LIST_HEADER_PATTERNS = [(re.compile(_LEAD + r"(?:" + p + r")\s*:?\s*$"), reason) for p, reason in LIST_HEADERS.items()]


# -- line shapes and comment lines -------------------------------------------------------------------------------------

_TERMINAL_MARKS = frozenset('.!?…»"”)')
_SENTENCE_MARKS = frozenset(".!…")
_CLOSERS = frozenset('"”»)')


def terminal(text: str) -> bool:
    """Whether ``text`` ends (white space aside) with a sentence mark, a closing quote or a bracket.

    Searching a pattern anchored at the end (``[.!?…»"”)]\\s*$``) tried every position of the line:
    on long lines that was a tenth of an article's parsing.
    """
    end = text.rstrip()[-1:]
    return end != "" and end in _TERMINAL_MARKS


def sentence_end(text: str) -> bool:
    """Whether ``text`` ends with ``.``, ``!`` or ``…``, then only closing quotes, brackets and white space."""
    i = len(text)
    while i and (text[i - 1].isspace() or text[i - 1] in _CLOSERS):
        i -= 1
    return i > 0 and text[i - 1] in _SENTENCE_MARKS


# A blank run is entered at its start only ((?<!\s)), or the mark is met right after one: from inside a long
# run of spaces a leading \s* was tried at every position (quadratic: 10 s on a 40 KB run).
SEPARATOR = re.compile(r"(?:(?<!\s)\s*|(?<=\s))[|·•›>∙]\s*")
LINK = re.compile(r"^(?:https?://\S+|www\.\S+|@\w+|[\w.+-]+@[\w-]+\.[\w.]+|\S+\.(?:com|fr|org|net|io|eu|example)\S*)$")
DURATION = re.compile(r"^\(?(?:\d{1,2}:)?\d{1,2}:\d{2}\)?$|^\d+ ?(?:min|mn|s|sec|h)(?: ?\d+ ?(?:s|min)?)?$")
NUMBER = re.compile(r"^[\d\s.,()+/%kKM-]*\d[\d\s.,()+/%kKM-]*$")
TIMESTAMPED = re.compile(r"^\(?(?:\d{1,2}:)?\d{1,2}:\d{2}\)?\s+\S")
DASH_ITEM = re.compile(r"^[-–—*]\s")
COMMENT_AUTHOR = re.compile(r"^((?:[A-ZÀ-Ý][\w.'’-]*)(?: [A-ZÀ-Ý][\w.'’-]*){0,3}) (?:dit|a dit|says|said) ?:?$")
COMMENTS_HEADER = re.compile(
    r"^(?:(\d+|un|une|deux|trois|quatre|cinq|one|two|three|four|five) )?"
    r"(?:commentaires?|comments?|reponses?|responses?|reactions?)(?: ?\((\d+)\))? ?:?$|^(\d+) (?:thoughts|reflexions) (?:on|sur)\b"
)
WRAP_WORDS = frozenset(("à", "a", "au", "aux", "de", "des", "du", "d'", "et", "en", "la", "le", "les", "l'", "un", "une",
                        "par", "pour", "sur", "dans", "avec", "the", "of", "to", "in", "and", "for", "on", "with", "by"))
