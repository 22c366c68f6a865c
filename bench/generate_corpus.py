"""A deterministic French corpus for veille's benchmarks, in the formats veille reads.

Four kinds of file, mixed by volume, each 20–500 KB:

- ``chat_*.txt``: a thread copied out of a web chat page (hard-wrapped message
  paragraphs, each followed by its author's name, UI words, channel titles);
- ``emission_*.txt``: a TV show page (description naming host and guests, then
  ``MM:SS`` lines glued to 2–6-word fragments, then recommended durations);
- ``article_*.txt``: a web article saved as text (title, headings, paragraphs,
  share/comment boilerplate at the end);
- ``posts_*.txt``: LinkedIn-style posts copied from a feed (``hashtag#Mot``,
  emoji-numbered items, reaction lines).

Sentences are built from a hand-written vocabulary on AI, compute, energy and
sovereignty, with elisions (``l’IA``, ``d’énergie``), accents and figures in
French formats (``3,5 M€``, ``100 000 GPU``, ``12 %``). Names are invented.
The same seed and size give byte-identical files.

    python bench/generate_corpus.py --mb 50 --out bench/out/corpus
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
from dataclasses import asdict, dataclass
from pathlib import Path

DEFAULT_SEED = 20250304
KB = 1000

#: Share of the corpus bytes per kind, and the (min, max) size of one file in KB.
MIX: dict[str, tuple[float, tuple[int, int]]] = {
    "chat": (0.30, (20, 470)),
    "transcript": (0.25, (20, 95)),
    "article": (0.30, (20, 470)),
    "post": (0.15, (20, 60)),
}
PREFIX = {"chat": "chat", "transcript": "emission", "article": "article", "post": "posts"}

# -- vocabulary ----------------------------------------------------------------
# (text, plural) subjects; objects carry their article; verbs are (singular, plural).
SUBJECTS: list[tuple[str, bool]] = [
    ("l’IA générative", False), ("la France", False), ("l’Europe", False), ("l’État", False),
    ("le gouvernement", False), ("Bruxelles", False), ("la Commission européenne", False),
    ("notre équipe", False), ("le cloud souverain", False), ("la filière nucléaire", False),
    ("EDF", False), ("Mistral AI", False), ("Scaleway", False), ("OVHcloud", False), ("Nvidia", False),
    ("OpenAI", False), ("le ministère des Armées", False), ("Bpifrance", False), ("chaque opérateur", False),
    ("le marché des puces", False), ("l’industrie des semi-conducteurs", False), ("le réseau électrique", False),
    ("RTE", False), ("l’Allemagne", False), ("la Chine", False), ("l’Inde", False), ("Taïwan", False),
    ("notre client", False), ("l’ANSSI", False), ("la région", False),
    ("les hyperscalers", True), ("les start-up françaises", True), ("les opérateurs de data centers", True),
    ("les fonds d’investissement", True), ("les grands modèles de langage", True), ("les industriels", True),
    ("les collectivités", True), ("les chercheurs", True), ("les clients", True), ("les acteurs européens", True),
    ("les États-Unis", True), ("les énergéticiens", True), ("les fabricants de puces", True),
    ("les armées", True), ("les banques", True), ("les hôpitaux", True),
]
VERBS: list[tuple[str, str]] = [
    ("finance", "financent"), ("sécurise", "sécurisent"), ("accélère", "accélèrent"), ("réduit", "réduisent"),
    ("consomme", "consomment"), ("veut relocaliser", "veulent relocaliser"), ("doit maîtriser", "doivent maîtriser"),
    ("sous-estime", "sous-estiment"), ("négocie", "négocient"), ("prépare", "préparent"), ("renforce", "renforcent"),
    ("mutualise", "mutualisent"), ("optimise", "optimisent"), ("déploie", "déploient"), ("achète", "achètent"),
    ("construit", "construisent"), ("planifie", "planifient"), ("mesure", "mesurent"),
    ("subventionne", "subventionnent"), ("externalise", "externalisent"), ("contrôle", "contrôlent"),
    ("anticipe", "anticipent"), ("évalue", "évaluent"), ("mise sur", "misent sur"),
    ("investit dans", "investissent dans"), ("travaille sur", "travaillent sur"),
    ("s’appuie sur", "s’appuient sur"), ("parie sur", "parient sur"), ("s’interroge sur", "s’interrogent sur"),
    ("a sous-dimensionné", "ont sous-dimensionné"), ("va doubler", "vont doubler"),
    ("pourrait mutualiser", "pourraient mutualiser"), ("cherche à sécuriser", "cherchent à sécuriser"),
]
OBJECTS: list[str] = [
    "la puissance de calcul", "l’entraînement des modèles", "l’inférence à grande échelle", "des supercalculateurs",
    "les centres de données", "la chaîne d’approvisionnement", "les puces d’IA", "l’accès à l’énergie",
    "la souveraineté numérique", "le refroidissement liquide", "les coûts d’exploitation",
    "la consommation d’électricité", "les réacteurs nucléaires", "les petits réacteurs modulaires",
    "l’hébergement des données sensibles", "le cloud de confiance", "les données de santé", "la cybersécurité",
    "les modèles ouverts", "les talents", "la régulation de l’IA", "l’AI Act", "les GPU de dernière génération",
    "la facture énergétique", "l’empreinte carbone", "le raccordement au réseau", "les capacités de stockage",
    "la formation des ingénieurs", "les usages militaires de l’IA", "la recherche publique",
    "le calcul haute performance", "les fermes de serveurs", "la latence", "l’efficacité énergétique",
    "les émissions de CO2", "les contrats d’électricité", "la récupération de chaleur", "les licences logicielles",
    "l’intégration des agents", "les jeux de données en français", "la qualification SecNumCloud",
    "l’ordinateur quantique", "les câbles sous-marins", "l’approvisionnement en eau", "les terres rares",
    "la fabrication des wafers", "la gravure à 2 nanomètres", "les coûts d’entraînement", "le prix du mégawattheure",
    # the long tail: rarer subjects, so that query terms range from very common to rare
    "la photonique", "les mémoires HBM", "le packaging avancé", "les interconnexions optiques",
    "le stockage par batteries", "l’hydrogène vert", "les éoliennes en mer", "la géothermie profonde",
    "les barrages hydroélectriques", "le marché de capacité", "les tarifs réglementés", "l’ARENH",
    "les appels d’offres publics", "la commande publique", "le plan France 2030", "les gigafactories",
    "les semi-conducteurs de puissance", "l’architecture RISC-V", "les processeurs ARM", "la lithographie EUV",
    "les centres de calcul du GENCI", "le supercalculateur Jean Zay", "les modèles de fondation",
    "l’apprentissage par renforcement", "les données synthétiques", "le droit d’auteur",
    "la protection des données personnelles", "le RGPD", "le Cloud Act", "l’extraterritorialité du droit américain",
    "l’audit des algorithmes", "les biais des modèles", "la désinformation", "les hypertrucages", "la robotique",
    "les véhicules autonomes", "l’informatique en périphérie", "la chaleur fatale", "les réseaux de chaleur urbains",
    "le recyclage des serveurs", "l’économie circulaire", "la sobriété numérique", "les quotas carbone",
    "la taxe sur les services numériques", "les brevets logiciels", "la traduction automatique",
    "la reconnaissance vocale", "les assistants de code", "la fusion nucléaire", "les lanceurs spatiaux",
    "les constellations de satellites", "le bouclier tarifaire", "les délais de raccordement",
]
PLACES: list[str] = [
    "d’ici 2030", "dès l’an prochain", "en Europe", "sur le territoire national", "à moyen terme", "sans attendre",
    "pour rester compétitifs", "face à la concurrence américaine", "malgré les contraintes budgétaires",
    "avant la fin de la décennie", "dans les Hauts-de-France", "près de Marseille", "à Saclay",
    "en Île-de-France", "pour les années à venir", "dans la vallée du Rhône", "autour de Grenoble",
    "en Normandie", "à Dunkerque", "au premier semestre", "d’ici la fin de l’année", "sur dix ans",
]
SOURCES: list[str] = [
    "l’Agence internationale de l’énergie", "RTE", "un rapport du Sénat", "nos propres estimations",
    "la Cour des comptes", "un cabinet de conseil", "les chiffres de l’Arcep", "l’Ademe", "un analyste de Bernstein",
    "la direction financière", "le dernier rapport de la Commission", "une note interne",
]
OPENERS_CHAT: list[str] = [
    "Oui, ", "Franchement, ", "Bonne remarque. ", "D’accord avec toi, mais ", "Pour rappel, ", "Petite précision : ",
    "Totalement d’accord. ", "Attention quand même : ", "Je pense que ", "À mon avis, ", "Honnêtement, ", "",
    "", "", "Sur ce point, ", "Et surtout, ", "Pour être concret, ", "Bref, ",
]
OPENERS_TALK: list[str] = [
    "alors ", "en fait ", "voilà, ", "c’est-à-dire que ", "bon, ", "et là ", "mais ", "donc ", "écoutez, ",
    "", "", "", "", "et puis ", "effectivement, ", "tu vois, ",
]
CONNECTORS: list[str] = [
    "Par ailleurs, ", "En outre, ", "Cependant, ", "Néanmoins, ", "Ainsi, ", "De plus, ", "En revanche, ",
    "Autrement dit, ", "Dans ce contexte, ", "À l’inverse, ", "Concrètement, ", "", "", "", "",
]
CONSEQUENCES: list[str] = [
    "on restera dépendants des fournisseurs américains", "les coûts vont exploser",
    "le projet prendra deux ans de retard", "on perdra nos meilleurs ingénieurs",
    "la facture d’électricité deviendra intenable", "les clients iront chez la concurrence",
    "le réseau ne suivra pas", "la souveraineté restera un slogan",
]
HEADING_NOUNS: list[str] = [
    "Le mur énergétique", "La bataille des puces", "Souveraineté et cloud de confiance", "Financer le calcul",
    "Le nucléaire comme atout", "Former les talents", "Refroidir sans gaspiller", "Le rôle de l’État",
    "Ce que disent les chiffres", "Les risques géopolitiques", "Vers un cloud européen", "L’inférence, nouveau front",
    "Réguler sans freiner", "Le coût réel d’un campus", "Les leçons de l’échec", "Et maintenant ?",
]
HASHTAGS: list[str] = [
    "IA", "Souveraineté", "DataCenter", "Nucléaire", "Cloud", "GPU", "Énergie", "SouverainetéNumérique",
    "Géopolitique", "Semiconducteurs", "Innovation", "FrenchTech", "Cybersécurité", "HPC", "Climat", "Europe",
]
POST_EMOJI: list[str] = ["📔", "⚡", "🚀", "👉", "🔎", "💡", "🇫🇷", "📊", "🧠", "🔋", "⚠️", "✅"]
#: Words a post may turn into hashtags (nouns and names of the vocabulary).
TAGGABLE = frozenset(
    w for phrase in OBJECTS + [s for s, _ in SUBJECTS] for w in phrase.split(" ")
    if w.isalpha() and (len(w) > 4 or w.isupper()) and w not in ("dernière", "grande", "petits", "chaque", "notre")
)
KEYCAPS: list[str] = [f"{d}\ufe0f\u20e3" for d in "123456789"] + ["🔟"]

FIRST_NAMES: list[str] = [
    "Camille", "Yanis", "Élodie", "Hugo", "Inès", "Théo", "Chloé", "Karim", "Sofia", "Étienne", "Margaux", "Noé",
    "Amandine", "Bastien", "Céline", "Damien", "Fatou", "Grégoire", "Héloïse", "Ismaël", "Jeanne", "Loïc",
    "Manon", "Nathan", "Océane", "Pierre-Louis", "Rania", "Sébastien", "Tiphaine", "Victor", "Zoé", "Anaïs",
]
LAST_NAMES: list[str] = [
    "Verdier", "Boukhari", "Roussel", "Marchetti", "Lambert", "Garnier", "Dumas", "Haddad", "Rinaldi", "Morel",
    "Lefèvre", "Castel", "Aubry", "Benhamou", "Carpentier", "Delorme", "Esposito", "Faure", "Guillot", "Hervé",
    "Jacquet", "Kowalski", "Leroux", "Mercier", "Nguyen", "Perrin", "Quéré", "Rey", "Tessier", "Vasseur",
]
ROLES: list[str] = [
    "fondatrice d’une start-up de calcul", "directeur technique d’un opérateur cloud",
    "chercheuse en apprentissage automatique", "économiste de l’énergie", "député spécialiste du numérique",
    "directeur des infrastructures d’un groupe industriel",
    "associée dans un fonds de capital-risque", "ancien conseiller au ministère de l’Économie",
    "responsable de la stratégie IA d’une banque", "ingénieure nucléaire",
]
SHOWS: list[str] = ["Cap Numérique", "Le Grand Débrief", "Silicium & Cie", "Data Soir", "L’Heure du Calcul"]
CHANNELS: list[str] = [
    "Sécurité des données", "Projet campus 1 GW", "Veille énergie", "Achats GPU", "Stratégie cloud", "Réglementation",
]
WEEKDAYS = ["lundi", "mardi", "mercredi", "jeudi", "vendredi"]
MONTHS = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "septembre", "octobre", "novembre",
          "décembre"]
VOWELS = set("aeiouyhéèêàâîïôûAEIOUYHÉÈÊÀÂÎÏÔÛ")
UI_LINES = ["Rechercher", "Vente", "Copier", "Répondre", "Partager", "Modifier"]


def zipf(items: list, exponent: float = 1.0) -> tuple[list, list[float]]:
    """The items with cumulative Zipf weights (rank r weighs 1/r^exponent): a few common, a long tail."""
    total, cumulative = 0.0, []
    for rank in range(1, len(items) + 1):
        total += rank ** -exponent
        cumulative.append(total)
    return items, cumulative


# Word choice follows Zipf's law, as in real text: list order is frequency order.
_OBJECTS_Z = zipf(OBJECTS)
_SUBJECTS_Z = zipf(SUBJECTS, 0.8)
_VERBS_Z = zipf(VERBS, 0.8)
_PLACES_Z = zipf(PLACES, 0.8)


def elide(word: str, following: str) -> str:
    """``que`` + ``l’IA`` → ``qu’``; ``de`` + ``EDF`` → ``d’`` (French elision before a vowel)."""
    if following[:1] in VOWELS and word in ("que", "de", "le", "la", "je", "ne", "se"):
        return word[:-1] + "’"
    return word + " "


def of(phrase: str) -> str:
    """``de`` + a noun phrase with its article: ``du cloud``, ``des puces``, ``de l’énergie``."""
    if phrase.startswith("le "):
        return "du " + phrase[3:]
    if phrase.startswith("les "):
        return "des " + phrase[4:]
    if phrase.startswith("des "):
        return "de " + phrase[4:]
    return elide("de", phrase) + phrase


def capital(text: str) -> str:
    return text[:1].upper() + text[1:]


class FrenchText:
    """Sentences, paragraphs and figures drawn from the vocabulary with one random generator."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def pick(self, table: tuple[list, list[float]]):  # noqa: ANN201 - the items' own type
        """One item of a Zipf table."""
        items, cumulative = table
        return self.rng.choices(items, cum_weights=cumulative)[0]

    def obj(self) -> str:
        return self.pick(_OBJECTS_Z)

    def subject(self) -> tuple[str, bool]:
        return self.pick(_SUBJECTS_Z)

    def verb(self, plural: bool) -> str:
        return self.pick(_VERBS_Z)[1 if plural else 0]

    def place(self) -> str:
        return self.pick(_PLACES_Z)

    # -- figures in French formats ---------------------------------------------
    def number(self, low: int, high: int) -> str:
        """An integer with French thousands separators (``100 000``), now and then a narrow no-break space."""
        value = self.rng.randint(low, high)
        if value >= 10_000 or (value >= 1000 and self.rng.random() < 0.7):
            sep = "\u202f" if self.rng.random() < 0.15 else " "
            return f"{value:,}".replace(",", sep)
        return str(value)

    def decimal(self, low: float, high: float) -> str:
        return f"{self.rng.uniform(low, high):.1f}".replace(".", ",").replace(",0", "")

    def money(self) -> str:
        r = self.rng.random()
        if r < 0.25:
            return f"{self.decimal(1, 99)} M€"
        if r < 0.5:
            return f"{self.number(2, 950)} millions d’euros"
        if r < 0.7:
            return f"{self.decimal(1, 40)} milliards d’euros"
        if r < 0.85:
            return f"{self.number(5_000, 900_000)} €"
        low = self.rng.randint(1, 8) * 1000
        return f"entre {low:,} et {low + self.rng.randint(1, 4) * 1000:,} milliards de dollars".replace(",", " ")

    def capacity(self) -> str:
        """Installed power: ``1 GW``, ``~10 GW``, ``40 MW``."""
        if self.rng.random() < 0.5:
            return f"{self.rng.choice(['', '', '~'])}{self.rng.randint(1, 12)} GW"
        return f"{self.rng.randint(5, 400)} MW"

    def energy(self) -> str:
        """Energy over a year: ``7,5 TWh``, ``300 GWh``, ``4 500 MWh``."""
        r = self.rng.random()
        if r < 0.5:
            return f"{self.decimal(0.5, 90)} TWh"
        if r < 0.8:
            return f"{self.number(20, 900)} GWh"
        return f"{self.number(1000, 90_000)} MWh"

    def percent(self) -> str:
        sep = "\u00a0" if self.rng.random() < 0.2 else " "
        return f"{self.decimal(1, 95)}{sep}%"

    def hardware(self) -> str:
        count = self.number(500, 250_000)
        return f"{count} {self.rng.choice(['GPU', 'puces H100', 'accélérateurs', 'serveurs', 'cartes graphiques'])}"

    def figure_sentence(self) -> str:
        rng = self.rng
        subject, plural = self.subject()
        obj = self.obj()
        forms = (
            lambda: (f"Selon {rng.choice(SOURCES)}, la facture pour {obj} atteindrait {self.money()} "
                     f"{self.place()}."),
            lambda: (f"On parle de {self.hardware()} pour un seul campus, soit {self.capacity()} "
                     "de puissance installée."),
            lambda: (f"{capital(subject)} {'prévoient' if plural else 'prévoit'} {self.money()} "
                     f"d’investissement {self.place()}."),
            lambda: f"La consommation atteint déjà {self.energy()} par an, en hausse de {self.percent()}.",
            lambda: f"Le coût d’un data center de {self.capacity()} se situe autour de {self.money()}.",
            lambda: f"Cela représente {self.percent()} {of(obj)}, d’après {rng.choice(SOURCES)}.",
            lambda: (f"Chaque kWh produit en France émet environ {rng.randint(20, 80)} grammes de CO2, "
                     f"contre {rng.randint(250, 450)} grammes ailleurs."),
            lambda: f"Il faudrait {self.hardware()} et {self.capacity()} pour entraîner le prochain modèle.",
            lambda: f"Le budget passe de {self.money()} à {self.money()} en deux ans.",
        )
        return rng.choice(forms)()

    # -- sentences ----------------------------------------------------------------
    def clause(self) -> str:
        rng = self.rng
        subject, plural = self.subject()
        place = self.place() if rng.random() < 0.6 else ""
        return f"{subject} {self.verb(plural)} {self.obj()}{' ' + place if place else ''}"

    def sentence(self, style: str = "written") -> str:
        """One sentence; ``style`` is ``written``, ``chat`` or ``talk``."""
        rng = self.rng
        r = rng.random()
        if r < 0.22:
            return self.figure_sentence()
        if r < 0.32:
            subject, plural = self.subject()
            return (f"Est-ce {elide('que', subject)}{subject} {self.verb(plural)} {self.obj()} "
                    f"{self.place()} ?")
        if r < 0.42:
            clause = self.clause()
            return f"Le problème, c’est {elide('que', clause)}{clause}, et {rng.choice(CONSEQUENCES)}."
        if r < 0.5:
            return (f"{capital(self.obj())} reste le point faible, "
                    f"surtout quand {self.clause()}.")
        opener = {"chat": OPENERS_CHAT, "talk": OPENERS_TALK}.get(style, CONNECTORS)
        lead = rng.choice(opener)
        clause = self.clause()
        if lead.endswith(" que "):
            lead = lead[:-4] + elide("que", clause)
        text = lead + clause
        return capital(text) + rng.choice([".", ".", ".", " !", "…"])

    def paragraph(self, low: int, high: int, style: str = "written") -> str:
        return " ".join(self.sentence(style) for _ in range(self.rng.randint(low, high)))

    def person(self) -> str:
        return f"{self.rng.choice(FIRST_NAMES)} {self.rng.choice(LAST_NAMES)}"


def wrap(text: str, width: int) -> list[str]:
    """Greedy hard wrap at ``width`` characters, as a chat page copies a bubble."""
    lines: list[str] = []
    line: list[str] = []
    size = 0
    for word in text.split(" "):
        if line and size + 1 + len(word) > width:
            lines.append(" ".join(line))
            line, size = [], 0
        size += len(word) + (1 if line else 0)
        line.append(word)
    if line:
        lines.append(" ".join(line))
    return lines


# -- one file per kind -------------------------------------------------------------
def make_chat(rng: random.Random, target: int) -> str:
    """A web chat thread: ``Rechercher`` on top, wrapped messages each followed by the author's name."""
    gen = FrenchText(rng)
    authors = [gen.person() for _ in range(rng.randint(3, 6))]
    width = rng.randint(78, 92)
    out: list[str] = ["", rng.choice(["Rechercher", "Rechercher", "Nouvelle discussion"]), ""]
    size = 0
    previous = ""
    while size < target:
        before = len(out)
        author = rng.choice([a for a in authors if a != previous] or authors)
        text = gen.paragraph(1, 5, "chat")
        if rng.random() < 0.25:
            text = text.replace(". ", f". {rng.choice(FIRST_NAMES)}, ", 1) if ". " in text else text
        paragraphs = [text] + ([gen.paragraph(1, 3, "chat")] if rng.random() < 0.15 else [])
        for n, para in enumerate(paragraphs):
            if n:
                out.append("")
            out.extend(wrap(para, width))
        out += ["", author, ""]
        if rng.random() < 0.04:  # a collapsed message: the name alone
            out += [rng.choice(authors), ""]
        if rng.random() < 0.03:  # a channel title left by the page
            out += [" " + rng.choice(CHANNELS), ""]
        if rng.random() < 0.03:
            out += [rng.choice(UI_LINES), ""]
        size += sum(len(line) + 1 for line in out[before:])
        previous = author
    return "\n".join(out) + "\n"


_GLUED = re.compile(r"(?<=\d) (?=\d{3}\b)| (?=[?!:;%€])")


def spoken_words(sentence: str) -> list[str]:
    """Words of a sentence for transcript lines; a number or a ``?`` never starts a line."""
    return [w.replace("\x00", " ") for w in _GLUED.sub("\x00", sentence).split(" ")]


def _clock(seconds: int) -> str:
    return f"{seconds // 60:02d}:{seconds % 60:02d}"


def make_transcript(rng: random.Random, target: int) -> str:
    """A TV show page: description, ``MM:SS`` fragments, then recommended-video durations."""
    gen = FrenchText(rng)
    host, guests = gen.person(), [gen.person() for _ in range(rng.randint(1, 3))]
    roles = rng.sample(ROLES, len(guests))
    show = rng.choice(SHOWS)
    invited = ", ".join(f"{g}, {r}" for g, r in zip(guests, roles, strict=True))
    ago = rng.choice(["il y a 2 jours", "il y a 5 heures", "il y a 1 semaine", f"il y a {rng.randint(3, 6)} jours"])
    lines = [
        f"- {ago}",
        f"Ce {rng.choice(WEEKDAYS)} {rng.randint(1, 28)} {rng.choice(MONTHS)}, {host} a reçu {invited}, "
        f"dans l'émission {show}. L'émission revient chaque soir de la semaine, à revoir en replay et en podcast.",
        "Catégorie",
        "📺",
        "TVTranscription",
    ]
    clock = 0
    size = sum(len(line) + 1 for line in lines)
    speech = [f"Bonsoir à tous, bienvenue dans {show}.", f"Avec nous ce soir {', '.join(guests)}."]
    speech += [f"Bonsoir {g.split()[0]}." for g in guests]
    while size < target and clock < 59 * 60 + 30:
        if not speech:
            speech = [gen.sentence("talk") for _ in range(rng.randint(1, 4))]
            if rng.random() < 0.15:
                speech.append(f"Merci {rng.choice(guests).split()[0]}.")
        words = spoken_words(speech.pop(0))
        while words:
            take = min(len(words), rng.randint(2, 6))
            fragment = " ".join(words[:take])
            words = words[take:]
            line = f"{_clock(clock)}{fragment}"
            lines.append(line)
            size += len(line) + 1
            clock += rng.choice((0, 1, 1, 1, 2, 2, 3))
    lines += ["Recommandations", _clock(rng.randint(20 * 60, 59 * 60)), "|", "À suivre",
              f"1:{rng.randint(0, 59):02d}:{rng.randint(0, 59):02d}"]
    lines += [_clock(rng.randint(20 * 60, 59 * 60)) for _ in range(rng.randint(10, 24))]
    return "\n".join(lines) + "\n"


def make_article(rng: random.Random, target: int) -> str:
    """A web article: title, lead, numbered or plain headings, paragraphs, boilerplate tail."""
    gen = FrenchText(rng)
    title = rng.choice([
        f"{capital(gen.obj())} : {gen.subject()[0]} face au mur du calcul",
        f"Pourquoi {gen.obj()} devient un enjeu de souveraineté",
        f"{capital(gen.subject()[0])} et {gen.obj()} : ce qui change {gen.place()}",
    ])
    blank = rng.random() < 0.6  # some sites keep blank lines between paragraphs, others not
    sep = "\n\n" if blank else "\n"
    parts = [title, f"Publié le {rng.randint(1, 28)} {rng.choice(MONTHS)} 2025 · {rng.randint(3, 14)} min de lecture",
             gen.paragraph(2, 4)]
    size = sum(len(p) for p in parts)
    numbered = rng.random() < 0.5
    section = 0
    while size < target:
        section += 1
        heading = rng.choice(HEADING_NOUNS)
        parts.append(f"{section}) {heading}" if numbered else heading)
        for _ in range(rng.randint(2, 6)):
            para = gen.paragraph(3, 8)
            if rng.random() < 0.1:
                para += f" https://exemple-{rng.randint(1, 99)}.fr/{rng.choice(['rapport', 'etude', 'note'])}"
            parts.append(para)
            size += len(para) + 2
    parts.append(rng.choice([
        "- Partager l’article :\nLaisser un commentaire",
        "No responses yet\n\nLaisser un commentaire\n\nVotre adresse e-mail ne sera pas publiée. "
        "Les champs obligatoires sont indiqués avec *\n\nLatest Comments\n\nAucun commentaire à afficher.",
        "Partager l’article :\nFacebook\nX\nLinkedIn\nLaisser un commentaire",
    ]))
    return sep.join(parts) + "\n"


def make_posts(rng: random.Random, target: int) -> str:
    """LinkedIn-style posts copied from a feed: emoji lead, ``hashtag#Mot``, 1️⃣ items, reactions."""
    gen = FrenchText(rng)

    def tag(text: str) -> str:
        words = text.split(" ")
        for _ in range(rng.randint(0, 2)):
            i = rng.randrange(len(words))
            if words[i] in TAGGABLE:
                words[i] = "hashtag#" + words[i]
        return " ".join(words)

    posts: list[str] = []
    size = 0
    while size < target:
        lines = [f"{rng.choice(POST_EMOJI)}{tag(gen.sentence())} {gen.sentence()} "
                 + " ".join("hashtag#" + t for t in rng.sample(HASHTAGS, rng.randint(1, 3)))]
        for keycap in KEYCAPS[: rng.randint(3, 9)]:
            lines.append(keycap + tag(gen.paragraph(1, 3)))
        lines.append(f"{rng.choice(POST_EMOJI)}{gen.sentence()}")
        lines.append(f"👍❤️💡 {gen.number(12, 4800)} · {rng.randint(1, 240)} commentaires · "
                     f"{rng.randint(0, 90)} republications")
        post = "\n".join(lines)
        posts.append(post)
        size += len(post) + 2
    return "\n\n".join(posts) + "\n"


MAKERS = {"chat": make_chat, "transcript": make_transcript, "article": make_article, "post": make_posts}


# -- the corpus ----------------------------------------------------------------------
@dataclass
class CorpusFile:
    """One generated file."""

    path: str
    kind: str
    bytes: int


def generate_corpus(out_dir: str | Path, megabytes: float = 50, seed: int = DEFAULT_SEED,
                    tag: str = "") -> list[CorpusFile]:
    """Write at least ``megabytes`` MB (10⁶ bytes) of files to ``out_dir``; reuse them when already there.

    A hidden ``.manifest.json`` records the parameters; files of an older run with other
    parameters are replaced. ``tag`` goes into the file names (to tell batches apart).
    """
    out = Path(out_dir)
    manifest = out / ".manifest.json"  # hidden: ingest skips it
    params = {"megabytes": megabytes, "seed": seed, "tag": tag, "version": 2}
    if manifest.exists():
        saved = json.loads(manifest.read_text("utf-8"))
        files = [CorpusFile(**f) for f in saved.get("files", [])]
        if saved.get("params") == params and all((out / f.path).is_file() for f in files):
            return files
    out.mkdir(parents=True, exist_ok=True)
    for old in out.glob("*.txt"):
        old.unlink()
    master = random.Random(f"{seed}:plan")
    kinds = list(MIX)
    written = dict.fromkeys(kinds, 0)
    goal = int(megabytes * KB * KB)
    total = 0
    files: list[CorpusFile] = []
    counts = dict.fromkeys(kinds, 0)
    while total < goal:
        # the kind furthest below its share of the bytes so far goes next
        kind = max(kinds, key=lambda k: MIX[k][0] * (total + 1) - written[k])
        low, high = MIX[kind][1]
        # log-uniform sizes: many small files, a few large ones
        target = int(low * KB * (high / low) ** master.random())
        counts[kind] += 1
        rng = random.Random(f"{seed}:{kind}:{counts[kind]}")
        data = MAKERS[kind](rng, target).encode("utf-8")
        name = f"{PREFIX[kind]}{tag}_{counts[kind]:04d}.txt"
        (out / name).write_bytes(data)
        files.append(CorpusFile(name, kind, len(data)))
        total += len(data)
        written[kind] += len(data)
    manifest.write_text(json.dumps({"params": params, "files": [asdict(f) for f in files]}, ensure_ascii=False,
                                   indent=1), "utf-8")
    return files


def describe(files: list[CorpusFile]) -> str:
    """One line per kind: files, MB, smallest and largest file."""
    lines = []
    for kind in MIX:
        sizes = [f.bytes for f in files if f.kind == kind]
        if sizes:
            lines.append(f"  {kind:<11} {len(sizes):4d} files {sum(sizes) / 1e6:7.1f} MB "
                         f"({min(sizes) / KB:.0f}–{max(sizes) / KB:.0f} KB)")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mb", type=float, default=50, help="corpus size in MB (10^6 bytes), default 50")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--out", default="bench/out/corpus", help="output folder")
    args = parser.parse_args(argv)
    files = generate_corpus(args.out, args.mb, args.seed)
    print(f"{len(files)} files, {sum(f.bytes for f in files) / 1e6:.1f} MB in {args.out}")
    print(describe(files))
    return 0


if __name__ == "__main__":
    sys.exit(main())
