"""Slack exports: slack-export-viewer's real archive, an own French export, a property test."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from veille.errors import InputError
from veille.loaders import slack

from .loader_checks import DATA, check_units

SAMPLE = DATA / "slack" / "equipe-veille"
REAL = Path(__file__).resolve().parents[2] / "shared" / "realdata" / "slack-export"


def real(path: Path) -> Path:
    if not path.exists():
        pytest.fail(f"{path} not found: the tests need ../shared/realdata beside the project")
    return path


def folder_files(root: Path, prefix: str = "") -> dict[str, bytes]:
    """Every file under ``root`` by relative POSIX path, as kb hands a folder export over."""
    return {prefix + p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def zip_files(data: bytes) -> dict[str, bytes]:
    """Every member of a zip (directory entries included), as kb hands a zip export over."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {info.filename: archive.read(info) for info in archive.infolist()}


def utc(ts: str) -> datetime:
    return datetime.fromtimestamp(float(ts), UTC).replace(tzinfo=None)


def parse(files: dict[str, bytes], source: str = "export") -> dict[str, object]:
    docs = slack.parse_export(files, source)
    for doc in docs:
        check_units(doc)
    return {doc.metadata["slack_channel"]: doc for doc in docs}


def summary(doc) -> tuple:
    return (doc.source, doc.title, doc.text, doc.participants, doc.metadata, doc.report.as_dict(),
            [(u.kind, u.author, u.time, u.text, u.start, u.end, u.line_start, u.meta) for u in doc.units])


# --- real export (slack-export-viewer's test archive) ------------------------------------


def real_docs():
    return parse(folder_files(real(REAL / "unzipped")), "slack-export")


def test_real_zip_and_folder_agree():
    from_zip = parse(zip_files(real(REAL / "testarchive.zip").read_bytes()), "slack-export")
    from_folder = real_docs()
    assert list(from_folder) == ["enrique", "traveling-sailor"]
    assert [summary(d) for d in from_zip.values()] == [summary(d) for d in from_folder.values()]


def test_real_every_message_is_one_unit():
    docs = real_docs()
    users = {u["id"]: u["real_name"] for u in json.loads((REAL / "unzipped" / "users.json").read_text())}
    total = 0
    for channel, doc in docs.items():
        messages = {(f"{channel}/{day.name}", m["ts"]): m
                    for day in sorted((REAL / "unzipped" / channel).glob("*.json"))
                    for m in json.loads(day.read_text(encoding="utf-8"))}
        total += len(messages)
        assert len(doc.units) == len(messages) == doc.report.units
        assert {(u.meta["file"], u.meta["ts"]) for u in doc.units} == set(messages)
        assert doc.report.raw == 0 and doc.title == f"#{channel}"
        assert doc.report.notes == ["export file not read (not conversation data): integration_logs.json"]
        times = [u.time for u in doc.units]
        assert times == sorted(times)  # no threads here: plain time order
        for unit in doc.units:
            message = messages[unit.meta["file"], unit.meta["ts"]]
            assert unit.time == utc(message["ts"])
            assert "<@U" not in unit.text and "<http" not in unit.text and "&gt;" not in unit.text
            if message.get("subtype") == "channel_join":
                assert unit.kind == "system" and unit.author is None
                assert unit.meta["by"] == users[message["user"]]
                assert unit.text.startswith(f"{users[message['user']]} a rejoint le canal")
            elif message.get("subtype") == "bot_add":
                assert unit.kind == "system" and unit.author is None and unit.meta["by"] == "Hamza Faran"
            elif message.get("subtype") == "bot_message":
                assert unit.kind == "message" and unit.author == "github" and unit.meta["bot"] is True
            elif message.get("user"):
                assert unit.kind == "message" and unit.author == users[message["user"]]
    assert total == 158


def test_real_details():
    docs = real_docs()
    enrique, sailor = docs["enrique"], docs["traveling-sailor"]
    assert enrique.metadata == {"slack_channel": "enrique", "slack_channel_id": "C0JGLMMNX",
                                "slack_type": "channel", "day_files": 9}
    assert sailor.metadata["day_files"] == 8 and sailor.metadata["slack_channel_id"] == "C0JL6CGQ2"
    assert enrique.participants == ["heroeshannibal", "Hamza Faran", "Hermione Granger", "Harry Potter"]
    assert enrique.report.first == "2016-01-15 05:55" and enrique.date == utc("1452837318.000002")
    by_ts = {u.meta["ts"]: u for u in enrique.units}
    assert by_ts["1452837352.000006"].text == ("@Harry Potter: Created an issue for a setup.py so that it can "
                                               "be installed to a standard place")
    assert by_ts["1452837318.000003"].text == "Harry Potter a rejoint le canal (invitation de Hamza Faran)"
    assert by_ts["1452988746.000017"].kind == "system"
    assert by_ts["1452988746.000017"].text.startswith("Hamza Faran added an integration to this channel: github (")
    unfurl = by_ts["1452846025.000011"].text.split("\n")
    assert unfurl[0] == "Here's an example: https://github.com/hfaran/progressive/blob/master/setup.py"
    assert unfurl[2] == "> progressive - Colorful progress bars and trees for your terminal"
    commit = next(u for u in enrique.units if u.meta.get("bot"))
    assert commit.text.startswith("> [enrique:master] 1 new commit by Anthony Bilinski:\n> ed1acbe (https://")
    shares = [u for u in sailor.units if u.meta.get("subtype") == "file_share"]
    assert [u.meta["files"] for u in shares] == [["100_cities.js"], ["10_cities.js"], ["cities1000.js"]]
    assert shares[0].text == ("@Hermione Granger uploaded a file: 100 cities (https://mesos-magellan.slack.com/"
                              "files/U0BMS113R/F0VNAKDE2/100_cities.js)\n[pièce jointe : 100_cities.js]")
    comment = next(u for u in sailor.units if u.meta.get("subtype") == "file_comment")
    assert comment.author == "Hermione Granger"  # from the comment object: the message has no "user"
    edited = [u for u in sailor.units if u.meta.get("edited")]
    assert len(edited) == 1 and edited[0].text.startswith('```{"cities": {\n    "New York City"')


def test_real_is_export():
    with zipfile.ZipFile(real(REAL / "testarchive.zip")) as archive:
        assert slack.is_export(archive.namelist())
    assert slack.is_export(folder_files(REAL / "unzipped"))


# --- own French export -------------------------------------------------------------------


def sample_docs(prefix: str = ""):
    return parse(folder_files(SAMPLE, prefix), "equipe-veille")


GENERAL = [
    ("system", None, "Camille Martin a rejoint le canal"),
    ("system", None, "Hugo L. a rejoint le canal (invitation de Camille Martin)"),
    ("message", "Camille Martin", ("Bonjour à tous ! @Hugo L. as-tu lu le rapport de l'AIE sur l'électricité "
     "(https://www.iea.org/reports/electricity-2024) ? Les data centers pourraient consommer 1 000 TWh en 2026 😮")),
    ("message", "Hugo L.", ("Oui ! Deux points :\n- la consommation double d'ici 2026\n"
     "- l'IA & le refroidissement pèsent lourd > 40 %")),
    ("message", "Léa Dubois", "Question : qui suit le projet de campus IA à Fouju ? @here"),
    ("message", "Hugo L.", "Moi, j'ai l'étude d'impact. Voir #datacentres."),
    ("message", "Camille Martin",
     "Je l'ai aussi : 1 GW prévus, soit la consommation d'une ville de 500 000 habitants ⚡"),
    ("message", "zoe.lefevre", ("Article intéressant : https://www.lemonde.fr/economie/ia-energie.html "
     "(contact : presse@exemple.fr)\n> L'IA, gouffre énergétique ? (https://www.lemonde.fr/economie/ia-energie.html)"
     "\n> Les besoins en électricité des centres de données explosent.")),
    ("system", None, "message supprimé"),
    ("message", "Léa Dubois", "Voici le tableau de RTE & de l'ADEME 📎\n[pièce jointe : conso-dc-2023.pdf]"),
    ("message", "Veille RSS", ("> Nouvel article dans le flux « énergie »\n> Le nucléaire au secours de l'IA ? "
     "(https://exemple.fr/nucleaire-ia)\n> Les SMR pourraient alimenter des data centers dès 2030.")),
    ("message", "zoe.lefevre", "@U99INCONNU tu peux partager tes chiffres ? cc @energie @channel"),
]


def test_sample_general_units():
    doc = sample_docs()["general"]
    assert doc.source == "equipe-veille#general" and doc.title == "#general"
    assert doc.kind == "chat" and doc.format == "slack"
    assert [(u.kind, u.author, u.text) for u in doc.units[:-1]] == GENERAL
    assert doc.participants == ["Camille Martin", "Hugo L.", "Léa Dubois", "zoe.lefevre"]
    assert doc.metadata == {"slack_channel": "general", "slack_channel_id": "C01GENERAL", "slack_type": "channel",
                            "day_files": 3, "topic": "Veille IA & énergie",
                            "purpose": "Échanges de l'équipe sur les data centers, l'IA et l'énergie"}
    assert doc.date == utc("1710145805.000100") == datetime(2024, 3, 11, 8, 30, 5, 100)
    assert doc.report.first == "2024-03-11 08:30" and doc.report.last == "2024-03-12 12:00"
    assert doc.report.system == 3 and doc.report.raw == 1 and doc.report.units == 13
    assert doc.report.authors == ["Camille Martin", "Hugo L.", "Léa Dubois", "zoe.lefevre", "Veille RSS"]
    join, invited, _hello, points, question, reply, late, _article, deleted, share, bot, unknown, raw = doc.units
    assert join.meta == {"file": "general/2024-03-11.json", "ts": "1710145805.000100",
                         "subtype": "channel_join", "by": "Camille Martin"}
    assert invited.meta["by"] == "Hugo L."
    assert points.meta == {"file": "general/2024-03-11.json", "ts": "1710148530.000400", "edited": True}
    assert question.meta == {"file": "general/2024-03-11.json", "ts": "1710166800.000500"}
    assert reply.meta == {"file": "general/2024-03-11.json", "ts": "1710167538.000600",
                          "thread": "1710166800.000500", "reply_to": "Léa Dubois"}
    assert late.meta == {"file": "general/2024-03-12.json", "ts": "1710230744.000800",
                         "thread": "1710166800.000500", "reply_to": "Léa Dubois"}
    assert late.time == datetime(2024, 3, 12, 8, 5, 44, 800)
    assert deleted.meta == {"file": "general/2024-03-12.json", "ts": "1710234600.000900", "subtype": "tombstone",
                            "by": "Slackbot", "deleted": True}
    assert share.meta == {"file": "general/2024-03-12.json", "ts": "1710238951.001000", "subtype": "file_share",
                          "attachment": True, "files": ["conso-dc-2023.pdf"]}
    assert bot.meta == {"file": "general/2024-03-12.json", "ts": "1710241202.001100", "subtype": "bot_message",
                        "bot": True}
    assert unknown.meta["reactions"] == {"+1": 2}
    assert raw.kind == "raw" and raw.author is None and raw.time is None
    assert raw.meta == {"file": "general/2024-03-13.json"}
    assert raw.text.startswith("[\n") and "Réunion demain à 10 h pour préparer la note sur l'énergie" in raw.text
    assert doc.report.notes == [
        ("general/2024-03-13.json: truncated JSON: the text ends inside an object at line 10, column 15; "
        "its text kept as a raw unit"),
        "1 mentions or authors with a user id not in users.json, left as ids: U99INCONNU",
    ]


def test_sample_thread_reply_from_a_later_day_follows_its_parent():
    doc = sample_docs()["general"]
    expected = (
        "[2024-03-11 14:20] Léa Dubois : Question : qui suit le projet de campus IA à Fouju ? @here\n"
        "  ↳ [2024-03-11 14:32] Hugo L. : Moi, j'ai l'étude d'impact. Voir #datacentres.\n"
        "  ↳ [2024-03-12 08:05] Camille Martin : Je l'ai aussi : 1 GW prévus, soit la consommation d'une ville "
        "de 500 000 habitants ⚡\n\n"
        "[2024-03-11 16:45] zoe.lefevre : Article intéressant"
    )
    assert expected in doc.text
    question, reply, late = doc.units[4:7]
    assert doc.text[question.start:question.end].startswith("[2024-03-11 14:20] Léa Dubois : Question")
    assert doc.text[late.start:late.end] == (
        "[2024-03-12 08:05] Camille Martin : Je l'ai aussi : 1 GW prévus, soit la consommation d'une ville "
        "de 500 000 habitants ⚡")
    assert (reply.line_start, late.line_start) == (question.line_start + 1, question.line_start + 2)
    assert doc.text.startswith("[2024-03-11 08:30] — Camille Martin a rejoint le canal\n\n"
                               "[2024-03-11 08:31] — Hugo L. a rejoint le canal (invitation de Camille Martin)\n\n")
    assert ("[2024-03-11 09:15] Hugo L. : Oui ! Deux points :\n- la consommation double d'ici 2026\n"
            "- l'IA & le refroidissement pèsent lourd > 40 %\n\n") in doc.text


DATACENTRES = """\
[2024-03-12 08:06] — Léa Dubois a rejoint le canal

[2024-03-12 08:10] — Camille Martin a changé le sujet : Campus IA & nouveaux sites

[2024-03-12 08:26] Camille Martin : Le projet évoqué dans #general avance : 1,4 GW annoncés en Seine-et-Marne, \
et 300 grammes de CO2 par kWh évités ? À vérifier 🤔

[2024-03-12 08:43] Léa Dubois : [pièce jointe : carte-sites.png]

[illisible : datacentres/2024-03-14.json] note brute : réunion RTE reportée

[sans date] zoe.lefevre : Message sans horodatage, à replacer

[2024-03-14 08:00] Léa Dubois : Pour répondre à ta question de février : oui, l'appel d'offres est clos.

[2024-03-14 09:00] Camille Martin : Correction : 1,2 GW et non 1,4 GW"""


def test_sample_datacentres_text_and_notes():
    """A day file with a BOM, a topic change, a file without text, an orphan reply, an edit, odd items."""
    assert (SAMPLE / "datacentres" / "2024-03-12.json").read_bytes().startswith(b"\xef\xbb\xbf")
    doc = sample_docs()["datacentres"]
    assert doc.text == DATACENTRES
    assert [u.kind for u in doc.units] == ["system", "system", "message", "message", "raw", "message", "message",
                                           "message"]
    topic, files, raw, untimed, orphan, changed = (doc.units[i] for i in (1, 3, 4, 5, 6, 7))
    assert topic.meta["subtype"] == "channel_topic" and topic.meta["by"] == "Camille Martin"
    assert files.meta["files"] == ["carte-sites.png"] and files.text == "[pièce jointe : carte-sites.png]"
    assert raw.text == "note brute : réunion RTE reportée" and raw.meta == {"file": "datacentres/2024-03-14.json"}
    assert untimed.time is None and untimed.meta == {"file": "datacentres/2024-03-14.json"}
    assert orphan.meta["thread"] == "1709000000.000100" and "reply_to" not in orphan.meta
    assert changed.meta == {"file": "datacentres/2024-03-14.json", "ts": "1710406800.000200", "edited": True,
                            "subtype": "message_changed"}
    assert doc.participants == ["Camille Martin", "Léa Dubois"]
    assert doc.metadata["purpose"] == "Suivi des projets de data centers en France" and "topic" not in doc.metadata
    assert doc.report.notes == [
        "files in datacentres/ not read (not day files): notes.txt",
        "1 day-file items that are not message objects, kept as raw units",
        "1 messages without a usable ts, placed at the start of their day",
        "1 thread replies whose parent is not in the export, kept in time order",
    ]


def test_sample_direct_messages():
    doc = sample_docs()["D01CAMLEA"]
    assert doc.title == "Message direct : Camille Martin, Léa Dubois" and doc.metadata["slack_type"] == "dm"
    assert doc.source == "equipe-veille#D01CAMLEA"
    assert doc.text == ("[2024-03-12 14:00] Camille Martin : Léa, tu as le contact de l'exploitant du site "
                        "de Fouju ?\n\n[2024-03-12 14:05] Léa Dubois : Oui, je te l'envoie par mail 👍")


def test_sample_order_and_top_folder_in_a_zip():
    docs = sample_docs()
    assert [d.source for d in slack.parse_export(folder_files(SAMPLE), "equipe-veille")] == [
        "equipe-veille#D01CAMLEA", "equipe-veille#datacentres", "equipe-veille#general"]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path, data in folder_files(SAMPLE, "equipe-veille/").items():
            archive.writestr(path, data)
        archive.writestr("__MACOSX/equipe-veille/._users.json", b"\x00\x05")
    zipped = parse(zip_files(buffer.getvalue()), "equipe-veille")
    assert [summary(d) for d in zipped.values()] == [summary(d) for d in docs.values()]


# --- errors --------------------------------------------------------------------------------


def test_malformed_lists_name_the_file():
    files = folder_files(SAMPLE)
    with pytest.raises(InputError, match=r"users\.json: truncated JSON: the text ends inside ") as caught:
        slack.parse_export({**files, "users.json": files["users.json"][:50]}, "equipe.zip")
    assert caught.value.path == "equipe.zip/users.json"
    with pytest.raises(InputError, match=r"channels\.json: expected a JSON list, found \{\"general\""):
        slack.parse_export({**files, "channels.json": b'{"general": {}}'}, "equipe")
    with pytest.raises(InputError, match=r"dms\.json: not a list of objects"):
        slack.parse_export({**files, "dms.json": b'["D01CAMLEA"]'}, "equipe")
    with pytest.raises(InputError, match="no conversation folder with day files"):
        slack.parse_export({"users.json": b"[]", "channels.json": b"[]", "general/notes.txt": b"x"}, "vide")


def test_missing_users_and_unlisted_folder_are_noted():
    files = {"channels.json": b"[]", "veille/2024-03-12.json": json.dumps(
        [{"type": "message", "user": "U01CAMILLE", "text": "Salut <@U02HUGO> !", "ts": "1710252000.0001"}]).encode()}
    doc = slack.parse_export(files, "export")[0]
    assert doc.title == "#veille" and doc.units[0].author == "U01CAMILLE" and doc.units[0].text == "Salut @U02HUGO !"
    assert doc.report.notes == ["veille/ is in no conversation list (channels, groups, dms, mpims)",
                                ("2 mentions or authors with a user id not in users.json, left as ids: "
                                "U01CAMILLE, U02HUGO"),
                                "no users.json: user ids left as they are"]


def test_day_file_that_is_not_a_list_and_not_utf8():
    files = {"users.json": b"[]", "channels.json": b'[{"id": "C1", "name": "veille"}]',
             "veille/2024-03-12.json": b'{"messages": "ancien format"}',
             "veille/2024-03-13.json": b'[{"type": "message", "username": "Zo\xe9", "text": "caf\xe9",'
                                       b' "ts": "1710320000.000100"}]'}
    doc = slack.parse_export(files, "export")[0]
    check_units(doc)
    assert [(u.kind, u.author, u.text) for u in doc.units] == [
        ("raw", None, '{"messages": "ancien format"}'), ("message", "Zo\ufffd", "caf\ufffd")]
    assert doc.report.notes == [
        ('veille/2024-03-12.json: expected a JSON list, found {"messages": "ancien format"}; '
        "its text kept as a raw unit"),
        "veille/2024-03-13.json: not valid UTF-8 (bad bytes replaced)"]


# --- markup --------------------------------------------------------------------------------


def render(text: str) -> str:
    """The text of a one-message export whose message reads ``text``."""
    files = {"users.json": json.dumps([{"id": "U1", "name": "cam", "profile": {"real_name": "Camille Martin"}}]),
             "channels.json": json.dumps([{"id": "C1", "name": "général"}]),
             "général/2024-03-12.json": json.dumps([{"type": "message", "user": "U1", "text": text, "ts": "1.5"}])}
    return slack.parse_export({k: v.encode() for k, v in files.items()}, "x")[0].units[0].text


@pytest.mark.parametrize(("text", "shown"), [
    ("<@U1> et <@U1|camille>", "@Camille Martin et @camille"),
    ("<#C1> ou <#C1|général> ou <#C9>", "#général ou #général ou #C9"),
    ("<!here> <!channel> <!everyone> <!here|here>", "@here @channel @everyone @here"),
    ("<!subteam^S1|@énergie> <!subteam^S2>", "@énergie @S2"),
    ("<!date^1710252000^{date}|12 mars 2024>", "12 mars 2024"),
    ("<https://x.fr|le site> <https://x.fr> <https://x.fr|https://x.fr> <https://x.fr|x.fr>",
     "le site (https://x.fr) https://x.fr https://x.fr https://x.fr"),
    ("<mailto:a@b.fr|a@b.fr> <mailto:a@b.fr> <mailto:a@b.fr|écrire>", "a@b.fr a@b.fr écrire (a@b.fr)"),
    ("R&amp;D &lt;3 &gt; 2, &amp;lt; reste écrit", "R&D <3 > 2, &lt; reste écrit"),
    ("<https://x.fr/?a=1&amp;b=2|A &amp; B>", "A & B (https://x.fr/?a=1&b=2)"),
    ("a <b> c | d", "a <b> c | d"),
    ("", "[message vide]"),
])
def test_markup(text, shown):
    assert render(text) == shown


# --- is_export -----------------------------------------------------------------------------


@pytest.mark.parametrize(("names", "expected"), [
    (["users.json", "channels.json", "general/2024-03-12.json"], True),
    (["equipe/users.json", "equipe/channels.json", "equipe/general/2024-03-12.json", "equipe/general/"], True),
    (["./users.json", "dms.json", "D01/2024-03-12.json"], True),
    (["equipe\\users.json", "equipe\\mpims.json", "equipe\\mpdm-a--b-1\\2024-03-12.json"], True),
    (["users.json", "channels.json"], False),  # no day file
    (["users.json", "general/2024-03-12.json"], False),  # no conversation list
    (["channels.json", "general/2024-03-12.json"], False),  # no users.json
    (["users.json", "channels.json", "general/archives/2024-03-12.json"], False),
    (["users.json", "channels.json", "2024-03-12.json"], False),
    (["a/b/users.json", "a/b/channels.json", "a/b/general/2024-03-12.json"], False),  # two folders deep
    (["notes/veille.txt", "articles/ia-energie.html", "users.json.bak"], False),
    (["my_users.json", "channels.json", "general/2024-03-12.json"], False),
    ([], False),
])
def test_is_export(names, expected):
    assert slack.is_export(names) is expected


def test_is_export_on_own_sample():
    assert slack.is_export(folder_files(SAMPLE))
    assert slack.is_export(folder_files(SAMPLE, "equipe-veille/"))
    assert not slack.is_export(folder_files(DATA / "telegram"))


# --- property test -------------------------------------------------------------------------

_USERS = {"U01": "Camille Martin", "U02": "Hugo L.", "U03": "Léa Dubois"}
_WORDS = ["données", "énergie", "l'IA", "d'électricité", "à", "été", "ça", "1 GW", "<", ">", "&", "|", "a<b>c",
          "x&y", "&amp;", "&lt;", "R|D", "«", "»", "🙂", "⚡", "\n", "{", "\"", "[", "]"]
_token = st.one_of(
    st.sampled_from(_WORDS).map(lambda w: ("word", w)),
    st.sampled_from([*_USERS, "U99"]).map(lambda u: ("mention", u)),
    st.tuples(st.sampled_from(["https://exemple.fr/a?b=1&c=2", "https://rte.fr"]),
              st.sampled_from([w for w in _WORDS if w.strip() and "|" not in w])).map(lambda t: ("link", *t)),
)
_message = st.tuples(
    st.sampled_from([*_USERS, "U99"]),
    st.lists(_token, min_size=1, max_size=6),
    st.integers(0, 3 * 86400),
    st.one_of(st.none(), st.integers(0, 30), st.just(-1)),  # thread: none, the index of a parent, an orphan
)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _written(token: tuple) -> tuple[str, str]:
    """A token as a Slack export writes it, and as it should read."""
    if token[0] == "word":
        return _escape(token[1]), token[1]
    if token[0] == "mention":
        return f"<@{token[1]}>", "@" + _USERS.get(token[1], token[1])
    return f"<{_escape(token[1])}|{_escape(token[2])}>", f"{token[2]} ({token[1]})"


@given(st.lists(_message, min_size=1, max_size=12))
def test_round_trip(drawn):
    messages, expected = [], {}
    for i, (user, tokens, seconds, thread) in enumerate(drawn):
        ts = f"{1_710_000_000 + seconds}.{i:06d}"
        pairs = [_written(t) for t in tokens]
        message = {"type": "message", "user": user, "text": " ".join(p[0] for p in pairs), "ts": ts}
        if thread == -1:
            message["thread_ts"] = "1600000000.000001"
        elif thread is not None and thread < len(drawn):
            message["thread_ts"] = f"{1_710_000_000 + drawn[thread][2]}.{thread:06d}"
        messages.append(message)
        expected[ts] = " ".join(p[1] for p in pairs).strip() or "[message vide]"
    files = {"users.json": json.dumps([{"id": k, "real_name": v} for k, v in _USERS.items()]),
             "channels.json": json.dumps([{"id": "C1", "name": "veille", "members": list(_USERS)}])}
    for message in messages:
        day = f"veille/{utc(message['ts']):%Y-%m-%d}.json"
        files[day] = json.dumps([*json.loads(files.get(day, "[]")), message], ensure_ascii=False)
    [doc] = slack.parse_export({k: v.encode() for k, v in files.items()}, "prop")
    check_units(doc)
    assert len(doc.units) == len(messages) and doc.report.raw == 0
    assert {u.meta["ts"]: u.text for u in doc.units} == expected
    assert {u.meta["ts"]: u.author for u in doc.units} == {m["ts"]: _USERS.get(m["user"], m["user"]) for m in messages}
    # A reply to a top-level message sits after it, among its replies, in time order.
    order = [u.meta["ts"] for u in doc.units]
    tops = {m["ts"] for m in messages if m.get("thread_ts") in (None, m["ts"])}
    for index, unit in enumerate(doc.units):
        parent = unit.meta.get("thread")
        if parent in tops:
            assert order.index(parent) < index
            between = doc.units[order.index(parent) + 1:index]
            assert all(u.meta.get("thread") == parent and u.time <= unit.time for u in between)
            assert unit.meta["reply_to"] == doc.units[order.index(parent)].author
