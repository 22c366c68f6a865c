"""Message-level identity: a chat exported twice, in another layout, extended or in overlapping parts."""

from __future__ import annotations

from datetime import datetime, timedelta

from hypothesis import assume, given
from hypothesis import strategies as st

from veille import KnowledgeBase
from veille.identity import MIN_SHARED, message_keys
from veille.loaders import whatsapp

from .conftest import DATA

IDENTITY = DATA / "identity"


def stored_messages(kb: KnowledgeBase) -> list[tuple[str, str, str]]:
    """(time, author, text) of every stored message unit, in time order."""
    rows = kb.store.db.execute(
        "SELECT time, author, text FROM units WHERE kind = 'message' ORDER BY time, document_id, idx").fetchall()
    return [tuple(r) for r in rows]


def ingest(kb: KnowledgeBase, name: str):
    report = kb.ingest(IDENTITY / name)
    assert report.ok, report.failed
    return report.files[0]


def test_same_chat_in_another_layout_adds_nothing(kb):
    first = ingest(kb, "groupe_veille_android.txt")
    assert first.status == "added" and first.report["messages"] == 10
    again = ingest(kb, "groupe_veille_ios.txt")
    assert again.status == "duplicate"
    assert again.reason.startswith("all 10 messages already stored from ")
    assert again.reason.endswith("groupe_veille_android.txt")
    assert len(stored_messages(kb)) == 10
    assert kb.stats()["documents"] == 1


def test_extended_export_adds_only_new_messages(kb):
    ingest(kb, "groupe_veille_android.txt")
    longer = ingest(kb, "groupe_veille_prolonge.txt")
    assert longer.status == "added"
    assert longer.report["messages"] == 5
    assert longer.report["skipped"] == 11  # ten messages and the encryption notice
    assert any("11 messages already stored from" in n for n in longer.report["notes"])
    messages = stored_messages(kb)
    assert len(messages) == 15
    assert len(set(messages)) == 14  # the two "ok" sent the same minute are two messages
    assert [m[2] for m in messages].count("ok") == 2
    new_doc = [d for d in kb.documents() if d.source.endswith("groupe_veille_prolonge.txt")][0]
    chunks = list(kb.chunks(new_doc.id))
    assert "12 M€" in chunks[0].text and "Bonjour à tous" not in "".join(c.text for c in chunks)


def test_overlapping_exports_meet_without_duplicates(kb):
    ingest(kb, "groupe_veille_android.txt")
    part = ingest(kb, "groupe_veille_suite.txt")  # messages 7-10 again, then 5 new
    assert part.status == "added"
    assert (part.report["messages"], part.report["skipped"]) == (5, 4)
    assert ingest(kb, "groupe_veille_prolonge.txt").status == "duplicate"
    assert len(stored_messages(kb)) == 15
    hits = kb.search("100 000 GPU installés")
    assert len([h for h in hits if "100 000 GPU" in h.text]) == 1


def test_one_batch_sees_its_own_earlier_files(tmp_path):
    with KnowledgeBase(tmp_path / "kb.db") as kb:
        report = kb.ingest(IDENTITY)
        statuses = {f.path.rsplit("/", 1)[-1]: f.status for f in report.files}
    assert statuses == {"autre_groupe.txt": "added", "groupe_veille_android.txt": "added",
                        "groupe_veille_ios.txt": "duplicate", "groupe_veille_prolonge.txt": "added",
                        "groupe_veille_suite.txt": "duplicate"}


def test_a_message_forwarded_to_another_group_stays_in_both(kb):
    ingest(kb, "groupe_veille_android.txt")
    other = ingest(kb, "autre_groupe.txt")  # shares "ok", "ok" and one forwarded message, the same minutes
    assert other.status == "added"
    assert (other.report["messages"], other.report["skipped"]) == (6, 0)
    forwarded = [m for m in stored_messages(kb) if "100 000 GPU" in m[2]]
    assert len(forwarded) == 2


def test_removing_the_first_export_lets_the_second_in_whole(kb):
    ingest(kb, "groupe_veille_android.txt")
    assert kb.remove(str(IDENTITY / "groupe_veille_android.txt"))
    again = ingest(kb, "groupe_veille_ios.txt")
    assert again.status == "added" and again.report["messages"] == 10
    assert kb.store.count_messages(again.document_id) == 10


def test_keys_ignore_layout_seconds_and_media_names():
    android = whatsapp.parse((IDENTITY / "groupe_veille_android.txt").read_text(encoding="utf-8"), "a")
    ios = whatsapp.parse((IDENTITY / "groupe_veille_ios.txt").read_text(encoding="utf-8"), "i")
    a_keys = [k for k, u in zip(message_keys(android), android.units) if u.kind == "message"]
    i_keys = [k for k, u in zip(message_keys(ios), ios.units) if u.kind == "message"]
    assert a_keys == i_keys and len(set(a_keys)) == 10


def test_documents_other_than_chats_have_no_message_keys(kb):
    from veille.loaders import article

    doc = article.parse("Titre\n\nUn paragraphe sur l'énergie.\n", "a.txt")
    assert message_keys(doc) == [None] * len(doc.units)


# -- any split of a chat into two overlapping exports stores each message once ---------------------------

_WORDS = ["l'IA", "d’énergie", "data center", "3,5 M€", "100 000 GPU", "12 %", "ok", "à", "réseau", "🙂", "RTE"]
_AUTHORS = ["Camille Martin", "Karim Benali", "Léa Dubois", "~ Jo"]


@st.composite
def chats(draw):
    n = draw(st.integers(min_value=1, max_value=25))
    start = datetime(2024, 3, 13, 8, 0)
    minutes = draw(st.lists(st.integers(min_value=0, max_value=90), min_size=n, max_size=n))
    messages = []
    when = start
    for gap in minutes:
        when += timedelta(minutes=gap)
        text = " ".join(draw(st.lists(st.sampled_from(_WORDS), min_size=1, max_size=6)))
        messages.append((when, draw(st.sampled_from(_AUTHORS)), text))
    cut_a = draw(st.integers(min_value=1, max_value=n))
    cut_b = draw(st.integers(min_value=0, max_value=min(cut_a, n - 1)))
    # Where the second export starts inside a minute in which one author repeats the same text,
    # no tool can tell which of the repeats it holds: that case is left out (see identity.py).
    first, second = messages[:cut_a], messages[cut_b:]
    assume(cut_a - cut_b >= min(MIN_SHARED, len(first), len(second)))  # enough overlap to tell (identity.py)
    before = {_key(m) for m in messages[:cut_b]}
    assume(not any(_key(m) in before for m in messages[cut_b:]))
    return messages, first, second


def _key(message) -> tuple:
    when, author, text = message
    return when.replace(second=0), author.lstrip("~ "), text


def _android(messages) -> str:
    return "".join(f"{t:%d/%m/%Y %H:%M} - {a}: {x}\n" for t, a, x in messages)


def _ios(messages) -> str:
    return "".join(f"[{t:%d/%m/%y %H:%M}:{i % 60:02d}] {a}: {x}\n" for i, (t, a, x) in enumerate(messages))


@given(chats())
def test_overlapping_exports_store_every_message_once(tmp_path_factory, chat):
    whole, first, second = chat
    folder = tmp_path_factory.mktemp("exports")
    (folder / "a.txt").write_text(_android(first), encoding="utf-8")
    (folder / "b.txt").write_text(_ios(second), encoding="utf-8")
    with KnowledgeBase(":memory:") as kb:
        assert kb.ingest([folder / "a.txt", folder / "b.txt"]).ok
        stored = sorted((t[:16], a.lstrip("~ "), x) for t, a, x in stored_messages(kb))
    expected = sorted((f"{t:%Y-%m-%d %H:%M}", a.lstrip("~ "), x) for t, a, x in whole)
    assert stored == expected
