"""Web articles saved as text (seeds 002, 003): title, headings, paragraphs; page chrome removed.

Copying a web page keeps its chrome: menus, breadcrumbs, share buttons,
newsletter boxes, cookie banners, "À lire aussi" lists, comment forms. Each
non-blank line is scored by a small linear classifier (``WEIGHTS``) on

- **what it says**: chrome vocabulary in French and English (``CUES``: words
  anywhere, ``LABELS``: how a chrome line opens, ``FORMULAS``: phrases only
  page chrome writes), and how much of the line that vocabulary covers;
- **its shape**: length, final punctuation, separators (``Accueil > Tech``),
  links and handles, a lone duration, date or figure;
- **where it sits**: before the first or after the last body paragraph,
  among other chrome lines of its block, in a run of one-to-three-word lines
  (a menu), in a list opened by "Lire aussi" / "Related" / "Sommaire" /
  "À propos de l'auteur" or between durations; or, lowering the score, just
  above a paragraph (a heading) or a byline (the title).

The context features are recomputed from the previous round's decisions
until they settle (at most ``ROUNDS``). A line scoring ``THRESHOLD`` or more
is chrome: removed and counted by reason (``doc.metadata["removed"]`` and the
parse report). The reason is, first found: the category of a label or formula
it matches, of chrome words filling it, its shape ("durations", "dates",
"counters", "separators", "links"), the list it is in, the category of chrome
words in it, else its place ("navigation" in a menu run or before the body,
"trailing page chrome" after it).

A long line ending like a sentence is body whatever words it contains;
only formulas can outweigh that. A hard-wrapped paragraph is body as a
whole. Bylines ("Par Léa Moreau", "Written by … on January 9, 2025") and
dates ("Publié le … | Mis à jour le …", a lone date before the body) become
``doc.participants``, ``doc.date`` and ``doc.metadata`` and are counted as
"byline (metadata)" / "date (metadata)"; "Tags : …" lists go to
``doc.metadata["tags"]``. Paragraphs after a comment-section header
("3 commentaires") are kept with ``meta["comment"]`` and the author named
on the "X dit :" line above them.

What is left becomes units as before: the title (first line, short, no final
period, possibly wrapped on two or three lines), headings (short lines
without final period, or led by a roman numeral, ``1)``, "Conclusion :") as
``heading`` units and the ``section`` of what follows, and paragraphs (a
hard-wrapped block is one paragraph, otherwise one per line).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime
from itertools import pairwise

from ..types import Document, Unit
from .base import Line, blocks, split_lines
from .common import (
    PERSON_NAME,
    Removals,
    collapse,
    finish,
    is_hard_wrapped,
    joined,
    sniff_sample,
    span_unit,
    title_from_text,
)

name = "article"
kind = "article"

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
# Patterns are matched on ``fold_in_place`` text: lower case, no accents, typographic apostrophes as "'".

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
        r"pour (?:vous )?(?:desinscrire|desabonner)", r"cliquez ici", r"click here", r"by signing up",
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
#: out of context (``html``). This loader scores lines with the classifier above instead.
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


_CUES = {reason: _words_re(words) for reason, words in CUES.items()}
_LABELS = {reason: re.compile(_LEAD + r"(?:" + "|".join(p) + r")") for reason, p in LABELS.items()}
_FORMULAS = {reason: re.compile(r"(?<!\w)(?:" + "|".join(p) + r")(?!\w)") for reason, p in FORMULAS.items()}
# One scan says whether any cue or formula is in a line at all (most body lines hold none).
_ANY_CUE = re.compile("|".join(p.pattern for p in _CUES.values()))
_ANY_FORMULA = re.compile("|".join(p.pattern for p in _FORMULAS.values()))
_LIST_HEADERS = [(re.compile(_LEAD + r"(?:" + p + r")\s*:?\s*$"), reason) for p, reason in LIST_HEADERS.items()]

_TERMINAL = re.compile(r"[.!?…»\"”)]\s*$")
_SENTENCE_END = re.compile(r"[.!…][\s\"”»)]*$")
_SEPARATOR = re.compile(r"\s*[|·•›>∙]\s*")
_LINK = re.compile(r"^(?:https?://\S+|www\.\S+|@\w+|[\w.+-]+@[\w-]+\.[\w.]+|\S+\.(?:com|fr|org|net|io|eu|example)\S*)$")
_DURATION = re.compile(r"^\(?(?:\d{1,2}:)?\d{1,2}:\d{2}\)?$|^\d+ ?(?:min|mn|s|sec|h)(?: ?\d+ ?(?:s|min)?)?$")
_NUMBER = re.compile(r"^[\d\s.,()+/%kKM-]*\d[\d\s.,()+/%kKM-]*$")
_TIMESTAMPED = re.compile(r"^\(?(?:\d{1,2}:)?\d{1,2}:\d{2}\)?\s+\S")
_DASH_ITEM = re.compile(r"^[-–—*]\s")
_COMMENT_AUTHOR = re.compile(r"^((?:[A-ZÀ-Ý][\w.'’-]*)(?: [A-ZÀ-Ý][\w.'’-]*){0,3}) (?:dit|a dit|says|said) ?:?$")
_COMMENTS_HEADER = re.compile(
    r"^(?:(\d+|un|une|deux|trois|quatre|cinq|one|two|three|four|five) )?"
    r"(?:commentaires?|comments?|reponses?|responses?|reactions?)(?: ?\((\d+)\))? ?:?$|^(\d+) (?:thoughts|reflexions) (?:on|sur)\b"
)
_WRAP_WORDS = frozenset(("à", "a", "au", "aux", "de", "des", "du", "d'", "et", "en", "la", "le", "les", "l'", "un", "une",
                         "par", "pour", "sur", "dans", "avec", "the", "of", "to", "in", "and", "for", "on", "with", "by"))

# -- dates and bylines --------------------------------------------------------------------------------------------------

_MONTHS = {
    "jan": 1, "fev": 2, "feb": 2, "mar": 3, "avr": 4, "apr": 4, "mai": 5, "may": 5, "juin": 6, "jun": 6,
    "juil": 7, "jul": 7, "aou": 8, "aug": 8, "sep": 9, "oct": 10, "nov": 11, "dec": 12,
}
_MONTH = (r"(janv(?:ier)?|fevr?(?:ier)?|mars|avr(?:il)?|mai|juin|juil(?:let)?|aout|sept?(?:embre)?|oct(?:obre)?"
          r"|nov(?:embre)?|dec(?:embre)?|jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?"
          r"|aug(?:ust)?|september|october|november|december)\.?")
_DATE_FORMS = (
    ("dmy", re.compile(rf"(?<!\d)(\d{{1,2}})(?:er|st|nd|rd|th)? {_MONTH},? (\d{{4}})(?!\d)")),
    ("mdy", re.compile(rf"(?<!\w){_MONTH} (\d{{1,2}})(?:st|nd|rd|th)?,? (\d{{4}})(?!\d)")),
    ("iso", re.compile(r"(?<!\d)(\d{4})-(\d{2})-(\d{2})(?!\d)")),
    ("num", re.compile(r"(?<!\d)(\d{1,2})[/.](\d{1,2})[/.](\d{4})(?!\d)")),
)
_TIME = re.compile(r"(?<![\d:])(\d{1,2}) ?(?:h|:) ?(\d{2})?(?: ?(a\.?m\.?|p\.?m\.?))?(?!\d)")
_DATE_FILLER = re.compile(
    r"(?<!\w)(?:le|on|at|a|et|ct|pt|gmt|utc|cet|cest|min|h|am|pm|lundi|mardi|mercredi|jeudi|vendredi|samedi"
    r"|dimanche|monday|tuesday|wednesday|thursday|friday|saturday|sunday)(?!\w)|[\s,.·•|:–—-]"
)
_DATE_PREFIX = re.compile(
    r"^(?:(mis a jour|mise a jour|modifie|actualise|updated|last updated|date de mise a jour)|publie|diffuse|poste"
    r"|posted|published|first published|cree|date de (?:publication|mise en ligne)|mis en ligne|date ?:)\b"
)
_DATELINE = re.compile(r"^[a-z][\w' -]{1,30}, le ")
_BYLINE = re.compile(r"^(?:par|by|written by|redige par|ecrit par|posted by|auteur ?:|author ?:|texte ?:) ")
_NAME_SPLIT = re.compile(r"\s*(?:,|\bet\b|\band\b|&)\s*")
_NAME = re.compile(rf"^(?:{PERSON_NAME}|[A-ZÀ-Ý][\w’'-]+ [A-ZÀ-Ý]\.)$")


class _FoldTable(dict):
    """``str.translate`` table filled on first sight of each character: its folded form."""

    def __missing__(self, code: int) -> str:
        char = chr(code)
        base = unicodedata.normalize("NFD", char)[0].lower()[:1] or char
        self[code] = folded = "'" if base in "’‘`" else base
        return folded


_FOLD_TABLE = _FoldTable()


def fold_in_place(text: str) -> str:
    """Lower case without accents, typographic apostrophes as ``'``, one character for one (offsets kept)."""
    return text.translate(_FOLD_TABLE)


def find_date(text: str) -> tuple[datetime | None, list[tuple[int, int]]]:
    """The first date written in ``text`` (French or English, with its time when given) and the spans of all."""
    folded = fold_in_place(text)
    found: list[tuple[int, int, datetime]] = []
    for form, pattern in _DATE_FORMS:
        for match in pattern.finditer(folded):
            when = _date_of(form, match.groups())
            if when and not any(s < match.end() and match.start() < e for s, e, _ in found):
                found.append((match.start(), match.end(), when))
    if not found:
        return None, []
    found.sort()
    start, end, when = found[0]
    spans = [(s, e) for s, e, _ in found]
    time = _TIME.search(folded, end)
    if time is None or time.start() - end > 12:
        time = next((t for t in _TIME.finditer(folded[:start]) if start - t.end() <= 12), None)
    if time and (time.group(2) or time.group(3)):
        hour, minute = int(time.group(1)), int(time.group(2) or 0)
        if time.group(3) and time.group(3).startswith("p") and hour < 12:
            hour += 12
        if hour < 24 and minute < 60:
            when = when.replace(hour=hour, minute=minute)
            spans.append(time.span())
    return when, spans


def _date_of(form: str, groups: tuple[str, ...]) -> datetime | None:
    if form == "dmy":
        day, month, year = int(groups[0]), _month(groups[1]), int(groups[2])
    elif form == "mdy":
        month, day, year = _month(groups[0]), int(groups[1]), int(groups[2])
    elif form == "iso":
        year, month, day = map(int, groups)
    else:
        day, month, year = map(int, groups)
        if month > 12:
            day, month = month, day
    try:
        return datetime(year, month, day) if 1900 < year < 2200 else None
    except ValueError:
        return None


def _month(word: str) -> int:
    word = word.rstrip(".")
    return _MONTHS.get(word[:4], 0) or _MONTHS.get(word[:3], 0)


def only_date(text: str) -> bool:
    """Whether ``text`` says nothing but a date (with weekday and time)."""
    when, spans = find_date(text)
    if when is None:
        return False
    folded = fold_in_place(text)
    for start, end in spans:
        folded = folded[:start] + " " * (end - start) + folded[end:]
    return not any(c.isalnum() for c in _DATE_FILLER.sub(" ", folded))


def _names(text: str) -> list[str]:
    """Person names of a byline remainder ("Léa Moreau et Yanis Haddad"), or none when something else is there."""
    names = [part.strip(" .") for part in _NAME_SPLIT.split(text.strip()) if part.strip()]
    return names if names and all(_NAME.match(n) for n in names) else []


@dataclass
class ArticleMeta:
    """What a metadata line says: when, and who wrote."""

    date: datetime | None = None
    updated: datetime | None = None
    authors: list[str] = field(default_factory=list)

    @property
    def reason(self) -> str:
        return "byline (metadata)" if self.authors else "date (metadata)"


def metadata_of(text: str) -> ArticleMeta | None:
    """The date and authors a byline or date line gives ("Publié le … par …", "By … and …", "Name · date · …")."""
    if len(text) > 160:
        return None
    folded = fold_in_place(text)
    prefix = _DATE_PREFIX.match(folded)
    if prefix or _DATELINE.match(folded):
        meta = ArticleMeta(authors=_byline_tail(text, folded))
        for part in re.split(r"\s*[|·•]\s*|\s+[–—-]\s+", text):
            when, _ = find_date(part)
            if when is None:
                continue
            update = _DATE_PREFIX.match(fold_in_place(part))
            if update and update.group(1):
                meta.updated = meta.updated or when
            else:
                meta.date = meta.date or when
        return meta if meta.date or meta.updated else None
    if _BYLINE.match(folded):
        rest = text[_BYLINE.match(folded).end():]
        head = re.split(r"\s+(?:le|on|[|·•–—-])\s+|,\s*(?:le|on)?\s*(?=\d)|\s+(?:le|on)\s+(?=\d)", rest, maxsplit=1)
        names = _names(head[0])
        if not names or (_SENTENCE_END.search(text) and len(text.split()) > 8):
            return None
        when, _ = find_date(rest)
        return ArticleMeta(date=when, authors=names)
    return _segmented_byline(text)


def _byline_tail(text: str, folded: str) -> list[str]:
    """Names after "par" / "by" in a date line."""
    match = re.search(r"(?<!\w)(?:par|by) ", folded)
    if not match:
        return []
    return _names(re.split(r"\s*[|·•]\s*", text[match.end():])[0])


def _segmented_byline(text: str) -> ArticleMeta | None:
    """ "Julien Carpentier · 18 janvier 2025 · 6 min de lecture", "March 18, 2025 · 4 min read · Product".

    Parts between separators: a date, and names, a reading time or a short rubric.
    """
    parts = [p for p in re.split(r"\s+[·•|–—]\s+", text) if p]
    if len(parts) < 2:
        return None
    when, authors, extras = None, [], 0
    for part in parts:
        if only_date(part):
            when = when or find_date(part)[0]
        elif not authors and _names(part):
            authors = _names(part)
        elif _LABELS["reading time"].match(fold_in_place(part)) or (len(part.split()) <= 3 and not _TERMINAL.search(part)):
            extras += 1
        else:
            return None
    return ArticleMeta(date=when, authors=authors) if when and (authors or extras) else None


# -- the rows under classification --------------------------------------------------------------------------------------


@dataclass
class Row:
    """One non-blank line under classification, with its intrinsic features and the decision on it."""

    line: Line
    text: str
    block: int
    features: dict[str, float] = field(default_factory=dict)  # intrinsic: what the line says, its shape
    context: dict[str, float] = field(default_factory=dict)  # where it sits, recomputed each round
    strong: str | None = None  # category of a label or formula it matches
    covered_cue: str | None = None  # category of chrome words covering it
    cue: str | None = None  # category of the chrome words it holds
    shape: str | None = None  # reason its shape alone gives
    listed: str | None = None  # reason of the list it is in
    title_like: bool = False
    wrapped: bool = False  # inside a hard-wrapped paragraph: body
    meta: ArticleMeta | None = None
    label: str = "body"  # body | chrome | meta
    reason: str | None = None

    @property
    def intrinsic(self) -> float:
        return sum(WEIGHTS[name] * value for name, value in self.features.items())

    @property
    def score(self) -> float:
        return self.intrinsic + sum(WEIGHTS[name] * value for name, value in self.context.items())

    @property
    def fragment(self) -> bool:
        return len(self.text) < FRAGMENT_CHARS

    @property
    def paragraph(self) -> bool:
        """Body that reads as a paragraph: long, or a sentence of six words or more."""
        return self.label == "body" and (
            self.wrapped or len(self.text) >= FRAGMENT_CHARS
            or bool(_TERMINAL.search(self.text) and len(self.text.split()) >= 6))


def _intrinsic(row: Row) -> None:
    """Features of what the line says and of its shape."""
    folded = fold_in_place(row.text)
    covered = [False] * len(folded)
    _vocabulary(row, folded, covered)
    letters = sum(map(str.isalnum, folded))
    share = 0.0
    if letters and any(covered):
        share = sum(1 for c, on in zip(folded, covered) if on and c.isalnum()) / letters
    if share:
        row.features["covered"] = 1.0 if share >= 0.75 else share / 2
        row.covered_cue = row.cue if share >= 0.75 else None
    _shape(row, row.text, letters)


def _vocabulary(row: Row, folded: str, covered: list[bool]) -> None:
    """Formulas, labels and cue words of ``folded``; marks the characters they cover."""
    strongest: tuple[int, int, str] = (0, 0, "")  # (formula 2 / label 1, length, reason)
    formulas = 0
    for reason, pattern in _FORMULAS.items() if _ANY_FORMULA.search(folded) else ():
        for match in pattern.finditer(folded):
            formulas += 1
            _cover(covered, match.span())
            strongest = max(strongest, (2, match.end() - match.start(), reason))
    labelled = False
    for reason, pattern in _LABELS.items():
        match = pattern.match(folded)
        if match:
            labelled = True
            _cover(covered, match.span())
            strongest = max(strongest, (1, match.end() - match.start(), reason))
    if _COMMENT_AUTHOR.match(row.text):  # "Nadia B. dit :", checked on the original for its capitals
        labelled = True
        strongest = max(strongest, (1, len(row.text), "comments"))
    if formulas:
        row.features["formula"] = float(min(formulas, FORMULAS_COUNTED))
    if labelled:
        row.features["label"] = 1.0
    row.strong = strongest[2] or None
    cue_chars: dict[str, int] = {}
    for reason, pattern in _CUES.items() if _ANY_CUE.search(folded) else ():
        for match in pattern.finditer(folded):
            _cover(covered, match.span())
            cue_chars[reason] = cue_chars.get(reason, 0) + match.end() - match.start()
    if cue_chars:
        row.features["cue"] = 1.0
        row.cue = max(cue_chars, key=lambda r: cue_chars[r])


def _cover(covered: list[bool], span: tuple[int, int]) -> None:
    covered[span[0]:span[1]] = [True] * (span[1] - span[0])


#: Longest line read as a date alone ("Publié le mercredi 12 mars 2025 à 14 h 05, mis à jour à 16 h 30").
DATE_LINE_CHARS = 100


def _shape(row: Row, text: str, alnum: int) -> None:
    """Features of the line's shape, and the reason a telling shape gives."""
    words = text.split()
    if len(words) <= 6:
        row.features["short"] = 1.0
    if not _TERMINAL.search(text):
        row.features["open"] = 1.0
    if len(words) >= 8 and _SENTENCE_END.search(text):
        row.features["sentence"] = 1.0
    if len(text) >= 120:
        row.features["long"] = 1.0
    items = [item for item in _SEPARATOR.split(text) if item]
    if _SEPARATOR.search(text) and len(items) >= 2 and all(len(item.split()) <= 4 for item in items):
        row.features["separated"] = 1.0
        row.shape = "navigation"
    if words and sum(1 for w in words if _LINK.match(w.strip("()<>,;"))) >= max(1, len(words) / 2):
        row.features["links"] = 1.0
        row.shape = "links"
    if _DURATION.match(text):
        row.features["duration"] = 1.0
        row.shape = "durations"
    elif _NUMBER.match(text):
        row.features["number"] = 1.0
        row.shape = "counters"
    elif len(text) <= DATE_LINE_CHARS and only_date(text):
        row.features["date"] = 1.0
        row.shape = "dates"
    if not alnum:
        row.features["no_letters"] = 1.0
        row.shape = "separators"
    row.title_like = _title_like(text, words) and row.shape in (None, "navigation")


def _title_like(text: str, words: list[str]) -> bool:
    """Could be a title: a few words with letters, opening with a capital, a digit or a quote, no final period."""
    return (len(words) <= 16 and len(text) < 120 and sum(map(str.isalpha, text)) >= 3
            and not text.endswith((".", ",", ";")) and (text[0].isupper() or text[0].isdigit() or text[0] in "«\"“'"))


def _rows(lines: list[Line]) -> list[Row]:
    """Non-blank lines with their block number; hard-wrapped blocks marked as body."""
    rows: list[Row] = []
    block = 0
    previous_blank = True
    for line in lines:
        text = line.text.strip()
        if not text:
            previous_blank = True
            continue
        if previous_blank and rows:
            block += 1
        previous_blank = False
        rows.append(Row(line=line, text=text, block=block))
    for group in _grouped(rows):
        if _wrapped_paragraph([r.text for r in group]):
            for row in group:
                row.wrapped = True
    return rows


def _grouped(rows: list[Row]) -> list[list[Row]]:
    groups: list[list[Row]] = []
    for row in rows:
        if groups and groups[-1][-1].block == row.block:
            groups[-1].append(row)
        else:
            groups.append([row])
    return groups


def _wrapped_paragraph(texts: list[str]) -> bool:
    """Lines of one paragraph wrapped at a fixed width: similar widths, and most breaks cut a sentence."""
    if len(texts) < 2:
        return False
    lengths = [len(t) for t in texts[:-1]]
    widest = max(lengths)
    if widest < 40 or widest > 140 or any(n < 0.6 * widest for n in lengths):
        return False
    cuts = 0
    for text, nxt in pairwise(texts):
        last = fold_in_place(text.split()[-1])
        if nxt[:1].islower() or text.endswith((",", ";", "-", "(")) or last in _WRAP_WORDS or last.endswith("'"):
            cuts += 1
    return cuts >= 0.5 * (len(texts) - 1)


def classify(lines: list[Line]) -> list[Row]:
    """Every non-blank line with its decision: body, chrome (with a reason) or metadata."""
    rows = _rows(lines)
    first_long = next((i for i, r in enumerate(rows) if len(r.text) >= FRAGMENT_CHARS), len(rows))
    for i, row in enumerate(rows):
        if row.wrapped:
            continue
        _intrinsic(row)
        row.meta = metadata_of(row.text)
        if row.meta is None and i < first_long and row.shape == "dates":
            row.meta = ArticleMeta(date=find_date(row.text)[0])
    _pair_name_and_date(rows, first_long)
    for row in rows:
        row.label = _decide(row)
    for _ in range(ROUNDS):
        _context(rows)
        labels = [_decide(row) for row in rows]
        if labels == [row.label for row in rows]:
            break
        for row, label in zip(rows, labels):
            row.label = label
    for row in rows:
        row.reason = _reason(row) if row.label == "chrome" else row.meta.reason if row.meta else None
    return rows


def _pair_name_and_date(rows: list[Row], first_long: int) -> None:
    """A lone name above a lone date before the body, perhaps with buttons between ("Follow", "7 min read"): a byline."""
    for i, row in enumerate(rows[:first_long]):
        if row.meta is not None or len(row.text.split()) > 4 or not _names(row.text):
            continue
        for nxt in rows[i + 1:min(i + 5, first_long)]:
            if nxt.block != row.block:
                break
            if nxt.meta is not None:
                if not nxt.meta.authors:
                    row.meta = ArticleMeta(authors=_names(row.text))
                break
            if nxt.intrinsic < THRESHOLD:
                break


def _decide(row: Row) -> str:
    if row.wrapped:
        return "body"
    if row.meta is not None:
        return "meta"
    return "chrome" if row.score >= THRESHOLD else "body"


def _context(rows: list[Row]) -> None:
    """Features of where each line sits, from the current decisions."""
    body = [i for i, r in enumerate(rows) if r.paragraph]
    first, last = (body[0], body[-1]) if body else (len(rows), -1)
    menu = _menu_rows(rows)
    _mark_lists(rows, menu, first)
    for i, row in enumerate(rows):
        row.context = {}
        if row.wrapped:
            continue
        if row.listed == "author box":
            row.context["author_box"] = 1.0
        elif row.listed and row.fragment:
            row.context["listed"] = 1.0
        if not row.fragment:
            continue
        if body and i < first:  # without a paragraph there is no head nor tail to speak of
            row.context["head"] = 1.0
        if body and i > last and "open" in row.features:
            row.context["tail"] = 1.0
        near = [r for r in rows[max(0, i - 2):i] + rows[i + 1:i + 3] if r.block == row.block]
        chrome = sum(1 for r in near if r.label == "chrome")
        if chrome:
            row.context["neighbour"] = float(chrome)
        if i in menu:
            row.context["menu"] = 1.0
        if row.title_like and row.strong is None and not row.listed:  # chrome labels and list items are no titles
            if i + 1 < len(rows) and rows[i + 1].label == "meta":
                row.context["titled"] = 1.0
            elif _followed_by_paragraph(rows, i):
                row.context["heading"] = 1.0


def _followed_by_paragraph(rows: list[Row], i: int) -> bool:
    """Whether the next line (past metadata) is a paragraph with no chrome label or formula in it."""
    for row in rows[i + 1:]:
        if row.label == "meta":
            continue
        return row.paragraph and row.strong is None
    return False


def _menu_rows(rows: list[Row]) -> set[int]:
    """Indexes of lines in runs of three or more consecutive lines of one to three words, in one block."""
    found: set[int] = set()
    run: list[int] = []
    for i, row in enumerate(rows):
        fits = (len(row.text.split()) <= 3 and "open" in row.features and not _DASH_ITEM.match(row.text)
                and row.shape in (None, "navigation") and not _TIMESTAMPED.match(row.text))
        if fits and run and rows[run[-1]].block == row.block:
            run.append(i)
            continue
        if len(run) >= 3:
            found.update(run)
        run = [i] if fits else []
    if len(run) >= 3:
        found.update(run)
    return found


def _mark_lists(rows: list[Row], menu: set[int], first: int) -> None:
    """Set ``listed`` on the items under a list header, and on title lines between durations.

    An author box opens only after the first paragraph ("Written by …" above the body is a byline).
    """
    for row in rows:
        row.listed = None
    i = 0
    while i < len(rows):
        reason = _list_header(rows[i])
        if reason is None or (reason == "author box" and i < first):
            i += 1
            continue
        i = _mark_items(rows, i, reason, menu)
    for i, row in enumerate(rows):
        if row.listed is None and row.title_like and row.fragment and "duration" not in row.features:
            near = [r for r in (rows[i - 1] if i else None, rows[i + 1] if i + 1 < len(rows) else None)
                    if r is not None and r.block == row.block]
            if any("duration" in r.features for r in near):
                row.listed = "related articles"


def _list_header(row: Row) -> str | None:
    if row.wrapped or len(row.text.split()) > 6:
        return None
    folded = fold_in_place(row.text)
    return next((reason for pattern, reason in _LIST_HEADERS if pattern.match(folded)), None)


def _mark_items(rows: list[Row], i: int, reason: str, menu: set[int]) -> int:
    """Mark the items after the header at ``i``, up to a menu run; return the index after the list."""
    header = rows[i]
    j = i + 1
    alone = j < len(rows) and rows[j].block != header.block  # the header ends its block: the list is the next one
    block = rows[j].block if alone else header.block
    if alone and not all(_item_like(r, reason) for r in rows[j:] if r.block == block):
        return j
    count = 0
    if alone or (j < len(rows) and rows[j].block == block and _item_like(rows[j], reason)):
        header.listed = reason
    while j < len(rows) and rows[j].block == block:
        row = rows[j]
        nested = _list_header(row)
        if nested and nested != reason:
            return j
        if (not _item_like(row, reason) or (reason == "author box" and count >= AUTHOR_BOX_LINES)
                or (j in menu and j - 1 not in menu and reason != "author box")):  # a footer menu begins
            break
        row.listed = reason
        count += 1
        j += 1
    return j


def _item_like(row: Row, reason: str) -> bool:
    if row.wrapped:
        return False
    if reason == "author box":
        return len(row.text) < 300
    return (row.title_like or row.shape in ("dates", "durations", "separators") or bool(_TIMESTAMPED.match(row.text))
            or row.intrinsic >= THRESHOLD)


def _reason(row: Row) -> str:
    """Why a chrome line is chrome: its label or formula, its chrome words, its shape, its list, or its place."""
    if row.strong:
        return row.strong
    if row.covered_cue:
        return row.covered_cue
    if row.shape:
        return row.shape
    if row.listed:
        return row.listed
    if row.cue:
        return row.cue
    return "trailing page chrome" if "tail" in row.context and "menu" not in row.context else "navigation"


# -- the loader ----------------------------------------------------------------------------------------------------------

_NUMBERED = re.compile(
    r"^(?:[IVXLC]{1,6}[.)]|\d{1,2}[.)]|[A-Z][.)]|conclusion\s*:|introduction\s*:|chapitre \d+|partie \d+)\s*\S",
    re.IGNORECASE,
)
_NOT_HEADING_END = re.compile(r"[.,;:…]\s*$")
_NOT_HEADING_START = re.compile(r"^[-–—•*«\"“(\[]|https?://|www\.")
_URL = re.compile(r"https?://|www\.")
_BLANK = re.compile(r"\n[ \t]*\n")
_TERMINAL_END = re.compile(r"[.!?…»\"”)]\s*$")

HEADING_MAX_CHARS = 120
HEADING_MAX_WORDS = 20
QUESTION_HEADING_MAX_WORDS = 12
TITLE_MAX_CHARS = 150


def sniff(text: str, filename: str) -> tuple[float, str]:
    """Paragraphs with boilerplate lines, or more than three paragraphs of 200+ characters on average."""
    head = sniff_sample(text)
    paragraphs = _paragraph_lengths(head)
    if len(paragraphs) < 2:
        return (0.05 if paragraphs else 0.0), f"{len(paragraphs)} paragraphs of 80+ characters"
    lines = [line.strip() for line in head.split("\n") if 0 < len(line.strip()) < 200]
    boiler = sum(1 for line in lines if _is_boilerplate(line))
    headings = sum(1 for line in lines if _looks_like_heading(line))
    average = sum(paragraphs) / len(paragraphs) if paragraphs else 0.0
    if boiler and len(paragraphs) >= 2:
        confidence = 0.55 + 0.1 * (headings > 0) + 0.1 * (average > 200)
    elif len(paragraphs) > 3 and average > 200:
        confidence = 0.5 + 0.1 * (headings > 0)
    else:
        confidence = 0.05 if paragraphs else 0.0
    reason = (f"{len(paragraphs)} paragraphs of 80+ characters (average {average:.0f}), "
              f"{headings} heading lines, {boiler} boilerplate lines")
    return confidence, reason


def _is_boilerplate(line: str) -> bool:
    """Whether a line is chrome on what it says alone (a label, a formula, or chrome words filling it)."""
    row = Row(line=Line(line, 0, 0, len(line)), text=line, block=0)
    _intrinsic(row)
    return bool(row.strong or row.covered_cue) and row.intrinsic >= THRESHOLD


def _paragraph_lengths(text: str) -> list[int]:
    """Lengths of the paragraphs of 80+ characters: long lines, or whole wrapped blocks."""
    lengths: list[int] = []
    for block in _BLANK.split(text):
        rows = block.split("\n")
        if max(map(len, rows)) >= 150:
            lengths.extend(n for n in map(len, rows) if n >= 80)
        elif len(block) >= 80:
            lengths.append(len(block))
    return lengths


def parse(text: str, source: str) -> Document:
    """Title, headings with their sections, paragraphs; chrome removed and counted, metadata kept aside."""
    lines = split_lines(text)
    rows = classify(lines)
    removals = Removals()
    doc = Document(source=source, kind=kind, format=name, text=text)
    dropped = {row.line.number for row in rows if row.label != "body"}
    for row in rows:
        if row.reason:
            removals.add(row.text, row.reason)
    _apply_metadata(doc, rows)
    kept = [Line("", ln.number, ln.start, ln.start) if ln.number in dropped else ln for ln in lines]
    doc.units, title = _units(kept)
    _mark_comments(doc.units, rows)
    doc.title = title or _derived_title(doc.units)
    if removals.counts:
        doc.metadata["removed"] = dict(removals.counts)
    return finish(doc, removals)


def _apply_metadata(doc: Document, rows: list[Row]) -> None:
    """Dates, authors and tags from the metadata and tag lines."""
    authors: dict[str, None] = {}
    for row in rows:
        if row.label == "meta" and row.meta:
            doc.date = doc.date or row.meta.date
            if row.meta.updated and "updated" not in doc.metadata:
                doc.metadata["updated"] = row.meta.updated.isoformat(sep=" ", timespec="minutes")
            authors.update(dict.fromkeys(row.meta.authors))
        elif row.reason == "tags" and "tags" not in doc.metadata:
            tags = [t.strip() for t in re.split(r"[,;|#]", row.text.split(":", 1)[-1]) if t.strip()]
            if tags and ":" in row.text:
                doc.metadata["tags"] = tags
    if doc.date is None and "updated" in doc.metadata:
        doc.date = datetime.fromisoformat(doc.metadata["updated"])
    if authors:
        doc.participants = list(authors)
        doc.metadata["authors"] = list(authors)


def _units(kept: list[Line]) -> tuple[list[Unit], str | None]:
    units: list[Unit] = []
    title: str | None = None
    section: str | None = None
    first = True
    for block in blocks(kept):
        if first:
            first = False
            title_lines = _title_lines(block)
            if title_lines:
                title = joined(title_lines)
                units.append(span_unit(title_lines, title, "heading", section=title, meta={"title": True}))
                section = title
                block = block[len(title_lines):]
                if not block:
                    continue
        section = _add_block(units, block, section)
    return units, title


def _title_lines(block: list[Line]) -> list[Line]:
    """The lines of the title at the head of the first block: its first line, or the whole block when wrapped."""
    head = block[0].text.strip()
    if 1 < len(block) <= 3 and is_hard_wrapped(block) and _wrapped_paragraph([ln.text.strip() for ln in block]):
        whole = joined(block)
        if len(whole) <= TITLE_MAX_CHARS and not _NOT_HEADING_END.search(whole):
            return block
    wrapped = len(block) > 1 and block[1].text.lstrip()[:1].islower()
    return [block[0]] if _is_title(head) and not wrapped else []


def _mark_comments(units: list[Unit], rows: list[Row]) -> None:
    """Paragraphs after a comment-section header are comments, by the author of the "X dit :" line above."""
    events: list[tuple[int, str, str | None]] = []
    for row in rows:
        header = _COMMENTS_HEADER.match(fold_in_place(row.text)) if row.label == "chrome" else None
        if header:
            count = next((g for g in header.groups() if g), None)
            if count not in ("0", "zero"):
                events.append((row.line.number, "start", None))
        author = _COMMENT_AUTHOR.match(row.text) if row.label == "chrome" else None
        if author and events:
            events.append((row.line.number, "author", author.group(1)))
    if not events:
        return
    started, author, k = False, None, 0
    for unit in units:
        while k < len(events) and events[k][0] < unit.line_start:
            started = True
            if events[k][1] == "author":
                author = events[k][2]
            k += 1
        if started and unit.kind in ("paragraph", "heading"):
            unit.kind = "paragraph"
            unit.meta["comment"] = True
            if author:
                unit.author = author


def _add_block(units: list[Unit], block: list[Line], section: str | None) -> str | None:
    """Units of one block: headings alone, then one paragraph (wrapped) or one per line.

    Returns the section in force after the block.
    """
    rest: list[Line] = []

    def flush_rest() -> None:
        if not rest:
            return
        if is_hard_wrapped(rest):
            units.append(span_unit(rest, joined(rest), "paragraph", section=section))
        else:
            units.extend(span_unit([ln], collapse(ln.text), "paragraph", section=section) for ln in rest)
        rest.clear()

    for line in block:
        if _looks_like_heading(line.text.strip()) and not (rest and _continues(rest[-1], line)):
            flush_rest()
            section = collapse(line.text)
            units.append(span_unit([line], section, "heading", section=section))
        else:
            rest.append(line)
    flush_rest()
    return section


def _continues(previous: Line, line: Line) -> bool:
    """Whether ``line`` goes on with the sentence of ``previous`` (a wrapped line)."""
    return not _TERMINAL_END.search(previous.text) and len(previous.text) >= 40


def _looks_like_heading(line: str) -> bool:
    if not line or len(line) > HEADING_MAX_CHARS or _NOT_HEADING_START.search(line):
        return False
    if _NUMBERED.match(line):
        return len(line.split()) <= HEADING_MAX_WORDS
    if _NOT_HEADING_END.search(line) or _URL.search(line):
        return False
    first = line[0]
    size = len(line.split())
    if line.endswith(("?", "!")) and size > QUESTION_HEADING_MAX_WORDS:
        return False
    return (first.isupper() or first.isdigit()) and size <= HEADING_MAX_WORDS


def _is_title(line: str) -> bool:
    return bool(line) and len(line) <= TITLE_MAX_CHARS and not _NOT_HEADING_END.search(line) and not _URL.search(line)


def _derived_title(units: list[Unit]) -> str | None:
    for unit in units:
        if unit.kind == "paragraph":
            return title_from_text(unit.text)
    return None
