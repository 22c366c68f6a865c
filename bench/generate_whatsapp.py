"""A deterministic French WhatsApp group export for veille's chat parsing benchmark.

One group of about twenty people talking about AI, data centres and energy, as
WhatsApp writes it to ``.txt`` ("Exporter la discussion", without media):

- a header per message in one of several layouts, French Android by default
  (``12/03/2024 14:05 - Camille Martin: texte``), or iOS bracketed
  (``[12/03/2024 14:05:33] Camille Martin: texte``), ``à`` between date and time,
  English iOS (``[12/03/2024, 14:05:33] ``), US 12-hour with a narrow no-break
  space before ``PM``, dotted German, ISO, and French Android encoded as UTF-16;
- messages written here from a vocabulary of fragments (short replies, questions,
  figures such as ``3,5 M€``, ``100 000 GPU``, ``12 %``, links, emoji), with
  elisions typed both ways (``l'IA``, ``d’énergie``: each person keeps one habit);
- multi-line messages (continuation lines, now and then a blank line inside),
  ``<Médias omis>`` placeholders, deleted messages, system lines without an
  author (``Les messages et les appels sont chiffrés de bout en bout…``,
  ``Camille Martin a ajouté Karim Haddad``); timestamps only move forward.

Names are invented; one participant is a bare phone number and one has an emoji
in the name, as unsaved and decorated contacts appear in real exports. System
lines have no author in every layout (real iOS exports put the group's name and
a U+200E mark before them). A JSON sidecar next to the file records what was
written: messages (every line with an author, placeholders and deleted messages
included), system lines, placeholders, multi-line messages. The same seed and
parameters give byte-identical files.

    python bench/generate_whatsapp.py --mb 100 [--layout fr-android] [--out bench/out/whatsapp]
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import generate_corpus as corpus  # noqa: E402  (the French sentence vocabulary)

DEFAULT_SEED = 20250312
MB = 1_000_000
VERSION = 1  # bump when the output changes, so cached files are regenerated
GROUP = "Veille IA & énergie 🔌"
NNBSP = "\u202f"


# -- layouts -------------------------------------------------------------------------
def _us_header(when: datetime) -> str:
    hour = when.hour % 12 or 12
    return f"{when.month}/{when.day}/{when:%y}, {hour}:{when:%M}{NNBSP}{'PM' if when.hour >= 12 else 'AM'} - "


@dataclass(frozen=True)
class Layout:
    """How one locale and platform writes a message header, and its system strings."""

    name: str
    example: str
    header: Callable[[datetime], str]
    lang: str = "fr"
    encoding: str = "utf-8"
    ios: bool = False


LAYOUTS: dict[str, Layout] = {layout.name: layout for layout in (
    Layout("fr-android", "12/03/2024 14:05 - ", lambda t: f"{t:%d/%m/%Y %H:%M} - "),
    Layout("fr-android-a", "12/03/2024 à 14:05 - ", lambda t: f"{t:%d/%m/%Y} à {t:%H:%M} - "),
    Layout("fr-ios", "[12/03/2024 14:05:33] ", lambda t: f"[{t:%d/%m/%Y %H:%M:%S}] ", ios=True),
    Layout("en-ios", "[12/03/2024, 14:05:33] ", lambda t: f"[{t:%d/%m/%Y, %H:%M:%S}] ", lang="en", ios=True),
    Layout("us-12h", "3/12/24, 2:05\u202fPM - ", _us_header, lang="en"),
    Layout("de-dotted", "12.03.24, 14:05 - ", lambda t: f"{t:%d.%m.%y}, {t:%H:%M} - ", lang="de"),
    Layout("iso", "2024-03-12 14:05 - ", lambda t: f"{t:%Y-%m-%d %H:%M} - "),
    Layout("fr-android-utf16", "12/03/2024 14:05 - (UTF-16 with BOM)", lambda t: f"{t:%d/%m/%Y %H:%M} - ",
           encoding="utf-16"),
)}

#: What WhatsApp writes itself, per language of the phone.
SYSTEM: dict[str, dict[str, str]] = {
    "fr": {
        "encrypted": "Les messages et les appels sont chiffrés de bout en bout. Aucun tiers, pas même WhatsApp, "
                     "ne peut les lire ou les écouter. Appuyez pour en savoir plus.",
        "created": "{a} a créé le groupe « {g} »",
        "added": "{a} a ajouté {b}",
        "left": "{b} est parti",
        "removed": "{a} a retiré {b}",
        "subject": "{a} a modifié le sujet du groupe en « {g} »",
        "icon": "{a} a changé l’icône de ce groupe",
        "deleted": "Ce message a été supprimé",
        "media": "<Médias omis>",
        "media_ios": "image absente",
    },
    "en": {
        "encrypted": "Messages and calls are end-to-end encrypted. No one outside of this chat, not even WhatsApp, "
                     "can read or listen to them. Tap to learn more.",
        "created": "{a} created group \"{g}\"",
        "added": "{a} added {b}",
        "left": "{b} left",
        "removed": "{a} removed {b}",
        "subject": "{a} changed the subject to \"{g}\"",
        "icon": "{a} changed this group's icon",
        "deleted": "This message was deleted",
        "media": "<Media omitted>",
        "media_ios": "image omitted",
    },
    "de": {
        "encrypted": "Nachrichten und Anrufe sind Ende-zu-Ende-verschlüsselt. Niemand außerhalb dieses Chats, "
                     "nicht einmal WhatsApp, kann sie lesen oder anhören. Tippe, um mehr zu erfahren.",
        "created": "{a} hat die Gruppe „{g}“ erstellt",
        "added": "{a} hat {b} hinzugefügt",
        "left": "{b} hat die Gruppe verlassen",
        "removed": "{a} hat {b} entfernt",
        "subject": "{a} hat den Betreff zu „{g}“ geändert",
        "icon": "{a} hat das Gruppenbild geändert",
        "deleted": "Diese Nachricht wurde gelöscht",
        "media": "<Medien ausgeschlossen>",
        "media_ios": "Bild weggelassen",
    },
}
SUBJECTS_LATER = ["Veille IA & énergie ⚡", "IA, data centers et électricité", "Veille calcul & énergie 🔋"]

# -- what people write ----------------------------------------------------------------
SHORT_REPLIES: list[str] = [
    "Ok 👍", "Merci !", "Merci pour le partage 🙏", "Je regarde ça ce soir.", "+1", "Exactement.",
    "Tu as la source ?", "Intéressant 🤔", "Pas sûr que ce soit si simple…", "C’est énorme.", "On en parle demain ?",
    "Vu, merci.", "Haha 😂", "Bonne question.", "Je transfère à l’équipe.", "Dispo pour un call à 14h30 ?",
    "Et côté refroidissement ?", "À suivre de près 👀", "C’est ce que je disais la semaine dernière.",
    "Trop cher pour nous.", "Top !", "Bien vu.", "Je n’y crois pas trop.", "Source : RTE", "Ça dépend du prix du MWh.",
    "Quelqu’un a le rapport complet ?", "Oui", "Non, pas encore.", "Je confirme.", "Ah oui quand même 😳",
    "On a eu le même souci l’an dernier.", "C’est l’éternel débat.", "Lien cassé chez moi",
    "Je relis et je reviens vers toi.",
    "Bonne nouvelle pour l’écosystème 🇫🇷", "Encore un effet d’annonce…", "Ça bouge vite 🚀", "D’accord 👌",
    "Je n’ai pas accès à l’article, il est payant.", "Tu peux le repartager ?", "Merci, très clair.",
    "Rdv jeudi à 9h pour en parler ?", "Hmm", "😂😂", "👍", "🙏", "🔥🔥", "Sacré chantier.",
]
FOLLOW_UPS: list[str] = [
    "Et ça ne compte même pas le refroidissement.", "Il faut lire l’annexe, c’est là que tout se joue.",
    "Le vrai sujet reste le raccordement.", "Personne ne parle de l’eau.", "À comparer avec l’an dernier.",
    "Je mets le rapport dans le drive.", "Chiffres à prendre avec des pincettes.", "On en reparle à la réunion.",
]
QUESTIONS: list[Callable[[corpus.FrenchText], str]] = [
    lambda g: f"Quelqu’un sait ce que coûte vraiment {g.obj()} ?",
    lambda g: f"Vous avez vu les chiffres sur {g.obj()} ?",
    lambda g: f"Est-ce qu’on a une estimation pour {g.obj()} {g.place()} ?",
    lambda g: f"Qui suit {g.obj()} chez vous ?",
    lambda g: f"On parle de combien de MW pour un campus de {g.hardware()} ?",
    lambda g: f"C’est {g.percent()} de la consommation nationale, vous confirmez ?",
]
LIST_TITLES: list[str] = [
    "Résumé de la réunion :", "Points à retenir :", "Ce que je retiens du rapport :", "Ordre du jour de jeudi :",
    "Les chiffres clés :", "Pour résumer :",
]
FIELDS: list[tuple[str, Callable[[corpus.FrenchText], str]]] = [
    ("Capacité", lambda g: g.capacity()), ("Coût", lambda g: g.money()), ("Consommation", lambda g: g.energy()),
    ("Matériel", lambda g: g.hardware()), ("Part du budget", lambda g: g.percent()),
    ("Mise en service", lambda g: str(g.rng.randint(2025, 2031))),
]
SITES: list[str] = ["exemple-actu.fr", "veille-energie.example.org", "journal-du-calcul.example.fr",
                    "data-centers.example.com", "blog.exemple-ia.fr"]
EMOJI: list[str] = ["👍", "😅", "🔥", "⚡", "🤔", "👀", "💡", "🇫🇷", "😂", "🙏", "✅", "📉", "📈", "🚀", "😬", "🤯"]


def _slug(text: str) -> str:
    table = str.maketrans("àâäéèêëîïôöùûüçœ’'", "aaaeeeeiioouuuco--")
    return "-".join(text.lower().translate(table).split())[:60]


# -- the export ---------------------------------------------------------------------------
@dataclass
class ExportInfo:
    """One generated export and what it holds (the JSON sidecar)."""

    path: str
    layout: str
    encoding: str
    bytes: int
    messages: int  # lines with an author: text, media placeholders and deleted messages
    system: int  # lines without an author
    media: int
    deleted: int
    multiline: int  # messages with continuation lines
    lines: int
    first: str  # first and last header (system lines included)
    last: str
    first_message: str  # first and last message with an author, to the minute
    last_message: str
    participants: list[str] = field(default_factory=list)
    params: dict[str, object] = field(default_factory=dict)


class GroupChat:
    """Writes one group's messages in order; counts what it wrote."""

    def __init__(self, rng: random.Random, layout: Layout, start: datetime, mean_gap_minutes: float) -> None:
        self.rng = rng
        self.layout = layout
        self.strings = SYSTEM[layout.lang]
        self.text = corpus.FrenchText(rng)
        self.when = start
        self.mean_gap = mean_gap_minutes * 60
        self.people = self._participants()
        self.ascii_apostrophe = {p: rng.random() < 0.6 for p in self.people}  # phone keyboards differ
        weights = [1 / (rank + 1) ** 0.8 for rank in range(len(self.people))]  # a few talk a lot
        self.talk_weights = weights
        self.counts = dict.fromkeys(("messages", "system", "media", "deleted", "multiline", "lines"), 0)
        self.first_message: datetime | None = None
        self.last_message: datetime | None = None

    def _participants(self) -> list[str]:
        rng = self.rng
        names: list[str] = []
        while len(names) < 18:
            name = f"{rng.choice(corpus.FIRST_NAMES)} {rng.choice(corpus.LAST_NAMES)}"
            if name not in names:
                names.append(name)
        phone = f"+33 6 {rng.randint(10, 99)} {rng.randint(10, 99)} {rng.randint(10, 99)} {rng.randint(10, 99)}"
        names.insert(7, phone)  # a contact not in the address book
        names.insert(11, f"{rng.choice(corpus.FIRST_NAMES)} 🌱")  # a contact saved with an emoji
        return names

    # -- lines ----------------------------------------------------------------------------
    def _tick(self) -> datetime:
        self.when += timedelta(seconds=int(self.rng.expovariate(1 / self.mean_gap)))
        return self.when

    def system(self, key: str, group: str = GROUP, **names: str) -> str:
        self.counts["system"] += 1
        self.counts["lines"] += 1
        return self.layout.header(self._tick()) + self.strings[key].format(g=group, **names) + "\n"

    def message(self) -> str:
        rng = self.rng
        author = rng.choices(self.people, weights=self.talk_weights)[0]
        r = rng.random()
        if r < 0.03:
            body = self.strings["media_ios" if self.layout.ios else "media"]
            self.counts["media"] += 1
        elif r < 0.035:
            body = self.strings["deleted"]
            self.counts["deleted"] += 1
        else:
            body = self._body(author)
            if self.ascii_apostrophe[author]:
                body = body.replace("’", "'")
        self.counts["messages"] += 1
        lines = body.count("\n") + 1
        self.counts["lines"] += lines
        if lines > 1:
            self.counts["multiline"] += 1
        when = self._tick()
        self.first_message = self.first_message or when
        self.last_message = when
        return f"{self.layout.header(when)}{author}: {body}\n"

    def _body(self, author: str) -> str:
        rng, g = self.rng, self.text
        r = rng.random()
        if r < 0.28:
            text = rng.choice(SHORT_REPLIES)
        elif r < 0.42:
            text = g.figure_sentence()
        elif r < 0.50:
            text = rng.choice(QUESTIONS)(g)
        elif r < 0.55:
            obj = g.obj()
            text = (f"{rng.choice(['À lire', 'Intéressant', 'Voilà l’article', 'Pour info'])} : "
                    f"https://{rng.choice(SITES)}/{rng.randint(2019, 2025)}/{_slug(obj)}-{rng.randint(1000, 99999)}")
        elif r < 0.63:
            return self._multiline()
        else:
            text = " ".join(g.sentence("chat") for _ in range(rng.choice((1, 1, 1, 2, 2, 3))))
        if rng.random() < 0.06:
            other = rng.choice([p for p in self.people if p != author]).split(" ")[0]
            text = f"@{other} {text}" if rng.random() < 0.5 else f"{other}, {text[:1].lower()}{text[1:]}"
        if rng.random() < 0.15:
            text += " " + rng.choice(EMOJI)
        return text

    def _multiline(self) -> str:
        rng, g = self.rng, self.text
        r = rng.random()
        if r < 0.4:
            items = [f"- {g.sentence('chat')}" for _ in range(rng.randint(2, 5))]
            return "\n".join([rng.choice(LIST_TITLES), *items])
        if r < 0.6:
            fields = rng.sample(FIELDS, rng.randint(2, 4))
            return "\n".join(f"{label} : {value(g)}" for label, value in fields)
        paragraphs = [g.sentence("chat") for _ in range(rng.randint(2, 4))]
        if rng.random() < 0.3:
            paragraphs[-1] = "\n" + rng.choice(FOLLOW_UPS)  # a blank line inside the message
        return "\n".join(paragraphs)

    def events(self) -> str:
        """Now and then a member joins, leaves or renames the group."""
        rng = self.rng
        admin = self.people[0]
        other = rng.choice(self.people[1:])
        kind = rng.choice(("added", "added", "left", "removed", "subject", "icon"))
        if kind == "subject":
            return self.system(kind, group=rng.choice(SUBJECTS_LATER), a=admin)
        return self.system(kind, a=admin, b=other)

    def opening(self) -> str:
        out = [self.system("encrypted"), self.system("created", a=self.people[0])]
        out += [self.system("added", a=self.people[0], b=p) for p in self.people[1:12]]
        return "".join(out)


def _minute(when: datetime | None) -> str:
    return when.strftime("%Y-%m-%d %H:%M") if when else ""


def _sidecar(path: Path) -> Path:
    return path.with_name(path.name + ".json")


def load_info(path: str | Path) -> ExportInfo:
    """The sidecar of a generated export."""
    return ExportInfo(**json.loads(_sidecar(Path(path)).read_text("utf-8")))


def generate(path: str | Path, layout: str = "fr-android", megabytes: float | None = None,
             messages: int | None = None, seed: int = DEFAULT_SEED, mean_gap_minutes: float = 4.0,
             start: datetime = datetime(2019, 1, 7, 8, 0, 0)) -> ExportInfo:
    """Write an export of at least ``megabytes`` MB (10⁶ bytes) or ``messages`` messages; reuse it when present.

    The sidecar ``<file>.json`` records the parameters and the counts of what was written.
    """
    if (megabytes is None) == (messages is None):
        raise ValueError("give either megabytes or messages")
    path = Path(path)
    style = LAYOUTS[layout]
    params = {"layout": layout, "megabytes": megabytes, "messages": messages, "seed": seed,
              "mean_gap_minutes": mean_gap_minutes, "start": start.isoformat(), "version": VERSION}
    if path.is_file() and _sidecar(path).is_file():
        info = load_info(path)
        if info.params == params and info.bytes == path.stat().st_size:
            return info
    path.parent.mkdir(parents=True, exist_ok=True)
    rng = random.Random(f"{seed}:whatsapp")  # the same people and messages in every layout
    chat = GroupChat(rng, style, start, mean_gap_minutes)
    first = chat.when
    goal_bytes = int(megabytes * MB) if megabytes is not None else None
    # bytes are counted in the file's own encoding (UTF-16: 2 bytes of BOM, then code units)
    count_encoding = "utf-16-le" if style.encoding == "utf-16" else style.encoding
    size = 2 if style.encoding == "utf-16" else 0
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "w", encoding=style.encoding, newline="\n") as out:
        batch = [chat.opening()]
        while True:
            if goal_bytes is not None and size >= goal_bytes:
                break
            if messages is not None and chat.counts["messages"] >= messages:
                break
            entry = chat.events() if rng.random() < 0.002 else chat.message()
            batch.append(entry)
            size += len(entry.encode(count_encoding))
            if len(batch) >= 2000:
                out.write("".join(batch))
                batch.clear()
        out.write("".join(batch))
    tmp.replace(path)
    info = ExportInfo(path=str(path), layout=layout, encoding=style.encoding, bytes=path.stat().st_size,
                      first=first.isoformat(" "), last=chat.when.isoformat(" "),
                      first_message=_minute(chat.first_message), last_message=_minute(chat.last_message),
                      participants=chat.people,
                      params=params, **chat.counts)
    _sidecar(path).write_text(json.dumps(asdict(info), ensure_ascii=False, indent=1), "utf-8")
    return info


def describe(info: ExportInfo) -> str:
    return (f"{Path(info.path).name}: {info.bytes / MB:.1f} MB, {info.messages:,} messages "
            f"({info.multiline:,} multi-line, {info.media:,} media placeholders, {info.deleted:,} deleted), "
            f"{info.system:,} system lines, {info.lines:,} lines, {len(info.participants)} participants, "
            f"{info.first[:16]} → {info.last[:16]}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    size = parser.add_mutually_exclusive_group()
    size.add_argument("--mb", type=float, help="size in MB (10^6 bytes); default 10")
    size.add_argument("--messages", type=int, help="number of messages instead of a size")
    parser.add_argument("--layout", choices=sorted(LAYOUTS), default="fr-android",
                        help="header layout: " + "; ".join(f"{k}: {v.example!r}" for k, v in LAYOUTS.items()))
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--out", default=str(Path(__file__).resolve().parent / "out" / "whatsapp"),
                        help="output folder")
    args = parser.parse_args(argv)
    if args.messages is None and args.mb is None:
        args.mb = 10
    label = f"{args.messages}msg" if args.messages else f"{args.mb:g}MB"
    path = Path(args.out) / f"whatsapp_{args.layout}_{label}.txt"
    info = generate(path, args.layout, megabytes=args.mb, messages=args.messages, seed=args.seed)
    print(describe(info))
    print(f"written to {path} (counts in {_sidecar(path).name})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
