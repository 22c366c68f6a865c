"""Zip exports: the chat inside is read, the media listed; unsafe or empty archives refused."""

from __future__ import annotations

import zipfile

CHAT = (
    "12/03/2024 à 14:05 - Léa Fontaine: Voici la photo du chantier du data center\n"
    "12/03/2024 à 14:05 - Léa Fontaine: <attached: 00000012-PHOTO-2024-03-12.jpg>\n"
    "12/03/2024 à 14:07 - Karim Benali: Le raccordement de 1 GW est prévu pour 2027\n"
    "13/03/2024 à 09:12 - Karim Benali: <Médias omis>\n"
)


def _zip(path, members):
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


def test_whatsapp_zip_reads_the_chat_and_lists_media(kb, tmp_path):
    path = _zip(tmp_path / "WhatsApp Chat - Projet.zip", {
        "WhatsApp Chat with Projet.txt": CHAT.encode("utf-8"),
        "00000012-PHOTO-2024-03-12.jpg": b"\xff\xd8\xff" + bytes(100),
    })
    result = kb.ingest(path).files[0]
    assert result.status == "added", result.reason
    assert result.format == "whatsapp" and "inside the zip archive" in result.detection
    doc = kb.documents()[0]
    assert doc.metadata["attachments"] == ["00000012-PHOTO-2024-03-12.jpg"]
    assert doc.participants == ["Léa Fontaine", "Karim Benali"]
    hits = kb.search("raccordement 1 GW")
    assert hits and hits[0].authors
    assert kb.search("chantier", since="2024-03-12", until="2024-03-12")


def test_unsafe_and_empty_archives_are_refused(kb, tmp_path):
    _zip(tmp_path / "evasion.zip", {"../../etc/chat.txt": CHAT.encode("utf-8")})
    _zip(tmp_path / "photos.zip", {"a.jpg": b"\xff\xd8\xff"})
    (tmp_path / "tronque.zip").write_bytes(b"PK\x03\x04" + bytes(20))
    report = kb.ingest(tmp_path)
    reasons = {f.path.rsplit("/", 1)[-1]: f.reason for f in report.files}
    assert "unsafe archive path" in reasons["evasion.zip"]
    assert "no chat text file" in reasons["photos.zip"]
    assert "zip archive" in reasons["tronque.zip"]
    assert kb.stats()["documents"] == 0
