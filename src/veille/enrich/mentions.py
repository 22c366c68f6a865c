"""Mentions: the people, organisations and places a text names.

A rule-based extractor written for French text (no model): a mention is a run of
capitalised words ("Jean-Baptiste Kempf", "Banque de France", "Côte d'Ivoire") or
an acronym ("EDF", "CNIL"). A capitalised word that opens a sentence is taken only
when the same text names it elsewhere, not at a sentence start, or when a small
gazetteer knows it. Capitalised function words, months and days are never names.

Each mention is typed when a cue tells: a known first name or a title ("M.",
"président") makes a person; a gazetteer entry or a word such as "Banque",
"Agence", "Technology" an organisation; a known country or city, or "à"/"en"
before it, a place. Otherwise its kind is None.

``bench/mentions_quality.py`` scores it against hand-labelled text (and spaCy's
French model, when installed).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable

from ..text.fold import fold_name

PERSON = "person"
ORGANISATION = "organisation"
PLACE = "place"


@dataclass(frozen=True, slots=True)
class Mention:
    """One name found in a text: as written, its kind when known, where it is."""

    text: str
    kind: str | None
    start: int
    end: int


def _folded_set(words: str) -> frozenset[str]:
    return frozenset(fold_name(w) for w in words.split())


# Capitalised words that are not names, or not on their own: French function words, sentence openers,
# greetings, months and days (French and English). Compared folded.
_NOT_NAMES = _folded_set("""
    le la les l un une des du de d au aux ce cet cette ces celui celle ceux celles ça ca cela ceci
    je j tu il elle on nous vous ils elles me moi toi lui eux leur leurs mon ma mes ton ta tes son sa ses
    notre nos votre vos qui que qu quoi quel quelle quels quelles dont où ou et mais donc or ni car
    si sinon alors puis ensuite enfin ainsi aussi pourtant cependant toutefois néanmoins bref
    pour par sur sous dans avec sans selon chez entre vers contre pendant depuis avant après lors
    comme quand lorsque parce puisque afin dès malgré voici voilà pourquoi comment combien
    oui non ok okay merci bonjour bonsoir salut coucou bravo super top parfait absolument exactement
    eh ah oh bah ben bon euh hein hmm ha haha
    c s n m t y en tout tous toute toutes rien chacun plusieurs certains certaines autre autres même
    très plus moins bien mal peu beaucoup trop tant déjà encore toujours jamais souvent parfois
    ici là maintenant aujourd hui demain hier
    notamment également surtout seulement évidemment finalement justement effectivement actuellement
    vraiment clairement totalement simplement aujourd'hui d'ailleurs ailleurs désormais dernièrement
    premier première premiers deuxième troisième quatrième cinquième dernier dernière
    catégorie partager laisser rechercher vente nouveau nouvelle
    janvier février mars avril mai juin juillet août septembre octobre novembre décembre
    lundi mardi mercredi jeudi vendredi samedi dimanche
    january february march april may june july august september october november december
    monday tuesday wednesday thursday friday saturday sunday
    the a an of and or to in on for with by at is it this that we you they i he she my our your
    """)

# Words often capitalised mid-sentence that name nothing on their own ("l'État", "Internet").
_NOT_ALONE = _folded_set("état etat internet web net etats")

# Capitals of words that are not names even mid-sentence.
_NOT_ACRONYMS = _folded_set("""
    ia ai gpu gpus cpu cpus tpu npu api apis cto ceo cfo coo pdg dg drh rh ok tv pc pdf url http https
    www faq fyi etc ps nb cf vs ht ttc tva pib r d rd ia ml llm llms vr ar usb wifi sms mms gps
    kw mw gw tw kwh mwh gwh twh co2 km cm mm kg go mo ko to tb gb mb
    pme eti tpe ong pue smr epr cuda gpt gpts rgpd gdpr dma dsa tco roi kpi saas paas iaas iot rse esg b2b b2c r&d rd
    ii iii iv vi vii viii ix xi xii xiii xiv xv xvi xvii xviii xix xx xxi
    nouveau important urgent attention info infos news update
    """)

# Words that join two capitalised words into one name ("Banque de France", "Côte d'Ivoire", "Tech & Co").
_PARTICLES = frozenset({"de", "du", "des", "d", "von", "van", "der", "di", "da", "del", "&"})

_TITLES = _folded_set("""
    m. mme mlle mr mrs ms dr pr me monsieur madame mademoiselle docteur professeur maître
    président présidente directeur directrice ministre député députée sénateur sénatrice maire
    m pdg ceo cto fondateur fondatrice cofondateur co-fondateur co-créateur cocréateur
    journaliste chercheur chercheuse économiste patron patronne chef porte-parole
    """)

# A few hundred first names (French first, then common international ones): a name that starts with one
# is a person.
_FIRST_NAMES = _folded_set("""
    adam adrien agathe agnès alain alexandre alexander alexandra alexis alice aline amélie anaïs andré andrea
    angèle anne annie anthony antoine arnaud arthur audrey aurélie aurélien axel baptiste barbara bastien
    benjamin benoît bernard bertrand brad brigitte bruno camille caroline catherine cécile céline charles
    charlotte chloé christian christine christophe claire clara claude clément colette corinne cyril damien
    daniel david delphine denis didier dominique édouard élisabeth elise élodie elon emma emmanuel emmanuelle
    éric estelle étienne eva fabien fabrice fanny florence florian francis françois françoise frédéric
    frédérique gabriel gaël gaëlle geneviève georges gérard gilles guillaume hélène henri hugo inès isabelle
    jacques jean jeanne jérôme joël joseph julie julien juliette justine karim karine kevin laetitia laura
    laure laurence laurent léa léo louis louise luc lucas lucie manon marc marcel margaux marguerite marie
    marine marion martin martine mathieu mathilde matthieu maxime mélanie michel michèle mira mohamed
    monique muriel nadia natalie nathalie nicolas nina noémie océane olivier pascal pascale patrice patricia
    patrick paul pauline philippe pierre quentin rachel raphaël rémi renaud richard robert romain rose
    sabine sam samuel sandrine sarah sébastien serge simon simone sophie stéphane stéphanie suzanne sylvain
    sylvia sylvie thierry thomas tristan valentin valérie vincent virginie xavier yann yannick yves zoé
    ada alan andrew ben bill bob brian chris dario demis elizabeth emily geoffrey greg hayden jack james
    jane jeff jennifer jensen jessica joe john jonathan kate larry lisa mark mary michael mike mustafa
    peter ray sarah satya sergey steve steven sundar tim tom tony walter william ilya jan lina ken marco
    """)

# Surnames of people the corpus talks about: a name holding one is a person.
_SURNAMES = _folded_set("""
    trump biden obama macron poutine putin zelensky xi jinping musk altman zuckerberg bezos gates jobs
    nadella pichai huang lecun hassabis amodei sutskever hinton bengio karpathy wang son ellison cook
    merkel scholz meloni sunak starmer lagarde breton vestager borne attal barnier bayrou
    """)

_ORGANISATION_WORDS = _folded_set("""
    banque groupe agence institut université universite école ministère ministere commission conseil
    cour assemblée sénat senat parlement gouvernement société compagnie fondation association syndicat
    office autorité autorite centre caisse fédération federation union comité comite observatoire
    laboratoire labo académie academie musée hôpital
    inc corp corporation ltd llc sa sas sarl gmbh ag plc co technology technologies labs lab systems
    telecom télécom software group bank capital ventures partners media news press times journal
    airlines motors energy énergie électricité electricite cloud ai
    """)

_PLACE_WORDS = _folded_set("""
    saint sainte rue avenue boulevard place lac mont mer océan ocean golfe île ile région departement
    département ville province comté county valley vallée
    """)

_ORGANISATIONS = {fold_name(n) for n in """
    OpenAI|Google|Alphabet|Microsoft|Amazon|AWS|Apple|Meta|Facebook|Instagram|WhatsApp|Nvidia|Intel|AMD|IBM|
    Oracle|Anthropic|Mistral|Mistral AI|Kyutai|Hugging Face|DeepMind|DeepSeek|xAI|Tesla|SpaceX|Twitter|
    Samsung|TSMC|ASML|Arm|Qualcomm|Huawei|Alibaba|Tencent|Baidu|ByteDance|TikTok|SoftBank|Dell|HP|Cisco|
    Salesforce|Netflix|Uber|Airbnb|Roblox|Scaleway|OVH|OVHcloud|Orange|Free|SFR|Bouygues|Thales|Atos|
    Capgemini|Dassault|Airbus|Safran|TotalEnergies|Engie|EDF|RTE|Enedis|SNCF|RATP|La Poste|
    CNIL|CNRS|Inria|CEA|ANSSI|Bpifrance|BNP Paribas|Société Générale|Crédit Agricole|Arcep|Arcom|
    INSEE|Insee|OCDE|OECD|ONU|UN|OTAN|NATO|FMI|IMF|OMS|WHO|UE|EU|BCE|ECB|Commission européenne|
    Bloomberg|Reuters|CNBC|CNN|BBC|AFP|Le Monde|Les Echos|Le Figaro|Libération|BFM|BFM Business|BFMTV|
    France Inter|France Télévisions|Radio France|Mediapart|Politico|Wired|Stargate|Blue Ocean|
    Octo|OCTO|OCTO Technology|Théodocloud|French Tech|Station F|GitHub|Slack|Discord|Telegram|Signal
    """.split("|") if n.strip()}

_PLACES = {fold_name(n) for n in """
    France|Allemagne|Espagne|Italie|Portugal|Belgique|Suisse|Luxembourg|Pays-Bas|Royaume-Uni|Angleterre|
    Irlande|Écosse|Pologne|Autriche|Suède|Norvège|Danemark|Finlande|Grèce|Roumanie|Hongrie|Tchéquie|
    Ukraine|Russie|Turquie|Chine|Japon|Corée|Corée du Sud|Taïwan|Taiwan|Inde|Pakistan|Indonésie|Vietnam|
    Singapour|Australie|Canada|Québec|Mexique|Brésil|Argentine|Chili|Colombie|Pérou|Maroc|Algérie|
    Tunisie|Égypte|Sénégal|Côte d'Ivoire|Nigeria|Kenya|Afrique du Sud|Israël|Iran|Irak|Arabie saoudite|
    Émirats|Émirats arabes unis|Qatar|États-Unis|Etats-Unis|USA|US|Amérique|Europe|Asie|Afrique|
    Moyen-Orient|Océanie|Antarctique|Paris|Marseille|Lyon|Toulouse|Nice|Nantes|Strasbourg|Montpellier|
    Bordeaux|Lille|Rennes|Reims|Grenoble|Dijon|Angers|Brest|Le Havre|Angoulême|Saclay|Bretagne|
    Normandie|Provence|Alsace|Occitanie|Île-de-France|Corse|Londres|Berlin|Madrid|Rome|Bruxelles|
    Genève|Amsterdam|Lisbonne|Vienne|Varsovie|Moscou|Pékin|Shanghai|Shenzhen|Tokyo|Séoul|New York|
    Washington|D.C.|San Francisco|Los Angeles|Seattle|Boston|Austin|Texas|Californie|Floride|Montréal|
    Silicon Valley|Dubaï|Abu Dhabi|Riyad|Tel Aviv|Bangalore|Nouvelle-Aquitaine|Hauts-de-France|Oregon|
    Virginie|Arizona|Nevada|Ohio|Irlande du Nord|Lorraine|Bourgogne|Auvergne|Savoie|Alpes
    """.split("|") if n.strip()}

#: Known acronyms and names written out: a mention of either is found by either (a filter on "EDF"
#: finds "Électricité de France").
ALIASES: dict[str, tuple[str, ...]] = {fold_name(a): tuple(fold_name(b) for b in bs) for a, bs in {
    "EDF": ("Électricité de France",),
    "RTE": ("Réseau de transport d'électricité",),
    "CNIL": ("Commission nationale de l'informatique et des libertés",),
    "SNCF": ("Société nationale des chemins de fer français",),
    "CNRS": ("Centre national de la recherche scientifique",),
    "CEA": ("Commissariat à l'énergie atomique",),
    "ANSSI": ("Agence nationale de la sécurité des systèmes d'information",),
    "UE": ("Union européenne", "EU"),
    "EU": ("Union européenne", "UE"),
    "USA": ("États-Unis", "US"),
    "US": ("États-Unis", "USA"),
    "ONU": ("Nations unies", "UN"),
    "OTAN": ("NATO",),
    "NATO": ("OTAN",),
    "AWS": ("Amazon Web Services",),
}.items()}
for _short, _longs in list(ALIASES.items()):
    for _long in _longs:
        ALIASES.setdefault(_long, ())
        ALIASES[_long] = tuple(dict.fromkeys(ALIASES[_long] + (_short,)))

# A word ("Jean-Baptiste"), an elided word with its apostrophe ("d'", "L'", "qu'"), or "&".
_TOKEN = re.compile(r"[^\W\d_]{1,2}['’]|[^\W\d_][^\W_]*(?:-[^\W_]+)*|&")
# A run of capitalised words, with what may join them: "Jean-Baptiste Kempf", "Banque de France",
# "Côte d'Ivoire", "Tech & Co", "R&D", "l'Union Européenne". Only the text inside runs is looked at word
# by word: most words of a text are not capitalised (looking at every word cost 70 % of parse+chunk time
# on bench/generate_corpus.py's corpus; runs, about 25 %).
# Capitals of the Latin, Greek and Cyrillic scripts as ranges (a class of every capital of Unicode makes the
# scan ten times slower); Latin Extended holds small letters too: ``_is_name_word`` checks each word again.
_CAPITALISED = r"[A-ZÀ-ÖØ-ÞĀ-ɏΆ-ΫЀ-Я][^\W_]*(?:-[^\W_]+)*"
# the first capital is matched before the look-behind (not in the middle of a word): a pattern that starts
# with a character class is searched for much faster
_RUN = re.compile(r"[A-ZÀ-ÖØ-ÞĀ-ɏΆ-ΫЀ-Я](?<![^\W_].)[^\W_]*(?:-[^\W_]+)*"
                  rf"(?:(?: (?:(?:de|du|des|von|van|der|di|da|del|&) )*(?:d['’])?|&| ?& ?){_CAPITALISED})*")
# Text where capitals are not names: links, e-mail addresses, @handles, #hashtags.
_MASKED = re.compile(r"https?://\S+|www\.\S+|[\w.+-]*@\S+|#\w+")
# A line's speaker label, after an optional time: "[00:12:05] Jean-Baptiste Kempf : ", "Mira Miruta: ".
_SPEAKER = re.compile(r"^(\[[0-9:]+\] ?)?([^\n:\[\]]{1,80})(: )", re.M)
_SENTENCE_END = frozenset(".!?…:;\n]|")
_OPENERS = frozenset(" \t\"'«»“”‘’()[]*•·-–—>")
_PLACE_CUE = frozenset({"a", "en", "au", "aux"})


class MentionExtractor:
    """Names in text, typed when a cue tells (see the module's docstring)."""

    def __init__(self, people: Iterable[str] = ()) -> None:
        """``people``: names of people to take even at a sentence start (a document's participants),
        whole or by their first name."""
        self.known = {fold_name(n) for n in people if n}
        self.people = self.known | {_first_word(n) for n in self.known if " " in n}

    def extract(self, text: str, context: Iterable[str] = ()) -> list[Mention]:
        """Mentions in ``text`` in order; ``context``: other texts of the same document, whose
        mid-sentence names make the same words count at a sentence start here."""
        return self.for_texts([text, *context])[0]

    def for_texts(self, texts: list[str]) -> list[list[Mention]]:
        """Mentions of each text; the texts are one document's chunks (a name written mid-sentence in one
        counts at a sentence start in all)."""
        found = [self._candidates(t) for t in texts]
        known = set(self.people)
        people: set[str] = set()  # surnames of the people named in full
        for candidates in found:
            for c in candidates:
                key = fold_name(c.text)
                if not c.opens:
                    known.add(key)
                if " " in key and self._kind(c, key) == PERSON:
                    people.add(key.rsplit(" ", 1)[1])
        out = []
        for candidates in found:
            mentions = []
            for c in candidates:
                key = fold_name(c.text)
                if c.opens and not (key in known or key in _ORGANISATIONS or key in _PLACES or key in ALIASES
                                    or c.acronym
                                    or _first_word(key) in _FIRST_NAMES and " " in key):
                    continue
                kind = self._kind(c, key) or (PERSON if key in people else None)
                mentions.append(Mention(c.text, kind, c.start, c.end))
            out.append(mentions)
        return out

    def names_of(self, texts: list[str]) -> list[list[Mention]]:
        """The distinct mentions of each text, in order of first appearance; a name also found in a longer one
        of the same text ("Altman" beside "Sam Altman") is left out."""
        return [_distinct(mentions) for mentions in self.for_texts(texts)]

    def distinct(self, texts: list[str]) -> list[Mention]:
        """The distinct mentions of a document's texts taken together (see ``names_of``)."""
        return _distinct([m for mentions in self.for_texts(texts) for m in mentions])

    def names(self, text: str, context: Iterable[str] = ()) -> list[str]:
        """The distinct names ``text`` mentions (see ``names_of``)."""
        return [m.text for m in _distinct(self.extract(text, context))]

    def _candidates(self, text: str) -> list["_Candidate"]:
        masked = text
        if "@" in text or "#" in text or "http" in text or "www." in text:
            masked = _MASKED.sub(lambda m: " " * len(m.group()), text)
        if self.known and ":" in text:  # "Sylvia Viedemehr : …" opening a chat line says who wrote, not who is named
            masked = _SPEAKER.sub(lambda m: (m.group(1) or "") + " " * len(m.group(2)) + m.group(3)
                                  if fold_name(m.group(2)) in self.known else m.group(), masked)
        tokens = [(m.group(), run.start() + m.start(), run.start() + m.end())
                  for run in _RUN.finditer(masked) for m in _TOKEN.finditer(run.group())]
        out: list[_Candidate] = []
        i = 0
        while i < len(tokens):
            if not _is_name_word(tokens[i][0]):
                i += 1
                continue
            last, j = i, i + 1
            while j < len(tokens):
                gap = masked[tokens[j - 1][2]:tokens[j][1]]
                if gap != " " and not (gap == "" and tokens[j - 1][0][-1:] in "'’&" or tokens[j][0] == "&"):
                    break
                word = tokens[j][0]
                if _is_name_word(word) and not _stop(word) and word[-1:] not in "'’":
                    last = j
                elif word != "&" and fold_name(word) not in _PARTICLES:
                    break  # a particle is kept only when a name word follows it
                j += 1
            words = tokens[i:last + 1]
            i = last + 1
            opens = _opens_sentence(masked, words[0][1])
            while words and (_stop(words[0][0]) or words[0][0][-1:] in "'’" or _adverb(words[0][0])
                             or not _is_name_word(words[0][0])  # "&" left first once "DE" went
                             or len(words) > 1 and fold_name(words[0][0]) in _NOT_ACRONYMS):
                words = words[1:]  # "Selon Sam Altman", "L'État", "La Chine": the opener is not part of the name
                opens = False
            if not words:
                continue
            surface = text[words[0][1]:words[-1][2]]
            folded = fold_name(surface)
            if (folded.replace(" ", "") in _NOT_ACRONYMS or folded in _NOT_ALONE
                    or len(words) > 1 and folded.endswith(" act")):  # "Cloud Act": a law
                continue
            acronym = _acronym(surface)
            before = _word_before(masked, words[0][1])
            if (len(words) == 1 and before in _ARTICLES and _DEMONYM.search(surface)
                    and fold_name(surface) not in _PLACES):
                continue  # "les Chinois", "des Américains": people of a place, not a name
            out.append(_Candidate(surface, words[0][1], words[-1][2], opens, acronym, before))
        return out

    def _kind(self, c: "_Candidate", key: str) -> str | None:
        words = key.split()
        if key in self.people:
            return PERSON
        if key in _ORGANISATIONS or key in ALIASES and not ({key, *ALIASES[key]} & _PLACES):
            return ORGANISATION
        if key in _PLACES:
            return PLACE
        if words[0] in _FIRST_NAMES and len(words) > 1 and not any(w in _ORGANISATION_WORDS for w in words):
            return PERSON
        if any(w in _SURNAMES for w in words):
            return PERSON
        if c.before in _TITLES:
            return PERSON
        if any(w in _ORGANISATION_WORDS for w in words):
            return ORGANISATION
        if words[0] in _PLACE_WORDS:
            return PLACE
        if c.acronym:
            return ORGANISATION
        if c.before in _PLACE_CUE and len(words) <= 2:
            return PLACE
        if len(words) == 1 and words[0] in _FIRST_NAMES:
            return PERSON
        return None


def _distinct(mentions: list[Mention]) -> list[Mention]:
    """Each name once, in order of first appearance, with the first kind found for it; a name that is whole
    words of a longer one found too ("Altman" beside "Sam Altman", "Kempf") is left out."""
    seen: dict[str, Mention] = {}
    for mention in mentions:
        key = fold_name(mention.text)
        if key not in seen or seen[key].kind is None:
            seen[key] = mention if key not in seen else Mention(seen[key].text, mention.kind, seen[key].start,
                                                                    seen[key].end)
    return [m for k, m in seen.items() if not any(o != k and f" {k} " in f" {o} " for o in seen)]


@dataclass(frozen=True, slots=True)
class _Candidate:
    """A run of capitalised words, before it is kept or left out as a mention."""

    text: str
    start: int
    end: int
    opens: bool  # at a sentence start
    acronym: bool
    before: str  # the word before, folded


def _is_name_word(word: str) -> bool:
    """A capitalised word, not one shouted in capitals ("NOUVEAU"), not "China-safe"."""
    if not word[:1].isupper() or (len(word) > 6 and word.isupper()):
        return False
    return "-" not in word or not word.rsplit("-", 1)[1][:1].islower()


_ARTICLES = frozenset({"le", "la", "les", "l", "des", "aux", "un", "une"})
_DEMONYM = re.compile(r"(?:ains?|aines?|ais|aises?|ois|oises?|iens?|iennes?|ands?|andes?|ols?|oles?)$")


def _adverb(word: str) -> bool:
    """A sentence opener such as "Notamment", "Finalement" (not "Clément")."""
    folded = fold_name(word)
    return folded.endswith("ment") and len(folded) > 6 and folded not in _FIRST_NAMES


def _stop(word: str) -> bool:
    return fold_name(word) in _NOT_NAMES


def _acronym(word: str) -> bool:
    letters = word.replace("&", "").replace(" ", "")
    return 2 <= len(letters) <= 6 and letters.isupper() and letters.isalpha()


def _first_word(key: str) -> str:
    return key.split(" ", 1)[0]


def _opens_sentence(text: str, start: int) -> bool:
    """Whether the word at ``start`` opens a sentence, a line or a text."""
    i = start - 1
    while i >= 0:
        ch = text[i]
        if ch in _SENTENCE_END:
            return not (ch == "." and _abbreviation(text, i))
        if ch in _OPENERS or ch.isdigit() or not ch.isprintable() or ord(ch) > 0x2000 and not ch.isalpha():
            i -= 1
            continue
        return False
    return True


_ABBREVIATIONS = frozenset({"m", "mm", "mme", "mmes", "mlle", "dr", "pr", "me", "st", "ste", "mr", "mrs", "ms"})


def _abbreviation(text: str, dot: int) -> bool:
    """Whether the dot at ``dot`` ends a title or an initial ("M. Dupont", "J. Dupont"), not a sentence."""
    match = re.search(r"(?:^|[\s(])([^\W\d_]+)$", text[max(0, dot - 6):dot])
    return bool(match) and (match.group(1).lower() in _ABBREVIATIONS or
                            len(match.group(1)) == 1 and match.group(1).isupper())


def _word_before(text: str, start: int) -> str:
    """The word just before ``start`` (a dot or a comma between them is passed over), folded; "" when none."""
    i = start - 1
    while i >= 0 and text[i] in " \t,.":
        i -= 1
    end = i + 1
    while i >= 0 and text[i].isalpha():
        i -= 1
    return fold_name(text[i + 1:end]) if end > i + 1 else ""


def mention_key(names: Iterable[str]) -> str:
    """The folded filter key of a chunk's mentions, their known aliases included: ``|edf|electricite de france|``."""
    keys: dict[str, None] = {}
    for name in names:
        folded = fold_name(name)
        if folded:
            keys[folded] = None
            for alias in ALIASES.get(folded, ()):
                keys[alias] = None
    return "|" + "|".join(keys) + "|"


def matches_mention(wanted: str, key_part: str) -> bool:
    """Whether a filter value names this mention: the whole name or whole words of it ("kempf")."""
    wanted = fold_name(wanted)
    return bool(wanted) and f" {wanted} " in f" {key_part} "
