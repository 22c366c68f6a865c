"""A folder of hostile inputs beside good ones, for the batch test and by hand:

    python -m tests.hostile_corpus OUT_FOLDER

Each entry says what a batch ingest must report for it (``expect``: a word of the reason, or "added").
"""

from __future__ import annotations

import io
import os
import socket
import sys
import zipfile
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"
GOOD_CHAT = ("12/03/2024 09:00 - Léa Fontaine: Le data center de 1 GW coûte 3,5 Md€ selon l'étude.\n"
             "12/03/2024 09:02 - Karim Benali: Et d’énergie, il faut 100 000 GPU à 12 % de charge ?\n"
             "12/03/2024 09:05 - Léa Fontaine: Oui, près de 8,7 TWh par an.\n")


def make_hostile_corpus(root: Path) -> dict[str, str]:
    """Write the corpus under ``root``; {name as the report prints it: what the report must say}."""
    root.mkdir(parents=True, exist_ok=True)
    expect: dict[str, str] = {}

    def write(name: str | bytes, data: bytes, what: str) -> None:
        path = os.path.join(os.fsencode(root), name if isinstance(name, bytes) else name.encode())
        with open(path, "wb") as handle:
            handle.write(data)
        expect[name if isinstance(name, str) else os.fsdecode(name)] = what

    # good files: stored
    write("bonne_discussion.txt", GOOD_CHAT.encode(), "added")
    write("note.md", "# Énergie\n\nL'IA consomme 12 % de l’électricité d’un data center.\n".encode(), "added")
    write(b"caf\xe9_latin1.txt", "Une note au nom venu d'une vieille archive : 3,5 M€.\n".encode(), "added")
    write("deux\nlignes.txt", "Un nom de fichier sur deux lignes, le texte est bon.\n".encode(), "added")
    write("\x1b[31mrouge.txt", "Un nom qui porte un code d'échappement du terminal.\n".encode(), "added")
    # bad files: reported, the batch goes on
    write("vide.txt", b"", "empty")
    write("binaire.txt", bytes(range(256)) * 40, "binary")
    discord = (DATA / "discord" / "serveur_fr.json").read_bytes()
    write("discord_tronque.json", discord[: int(len(discord) * 0.4)], "truncated JSON")
    telegram = (DATA / "telegram" / "export_fr.json").read_bytes()
    write("result.json", telegram[: int(len(telegram) * 0.7)], "truncated JSON")
    huge = b'<html><head><title>Page</title></head><body><img src="data:image/png;base64,' + b"A" * 20_000_000
    huge += b'"><article><h1>Le nucl\xc3\xa9aire</h1><p>' + ("Le r\u00e9acteur fournit 1,6 GW au r\u00e9seau "
                                                             "depuis 2024, assez pour un data center. " * 4).encode()
    huge += b"</p></article></body></html>"
    write("page_attribut_enorme.html", huge, "added")
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        with archive.open("_chat.txt", "w") as member:  # 300 MB unpacked from a few hundred kB
            for _ in range(300):
                member.write(b"\n" * 1_000_000)
    write("bombe.zip", bomb.getvalue(), "size limit")
    slip = io.BytesIO()
    with zipfile.ZipFile(slip, "w") as archive:
        archive.writestr("../../evil.txt", GOOD_CHAT)
    write("glissement.zip", slip.getvalue(), "unsafe archive path")
    write("tableur.csv", b"a;b\n1;2\n", "unknown format")
    # special files and links
    os.mkfifo(root / "tube.txt")
    expect["tube.txt"] = "FIFO"
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(root / "prise.sock"))
    server.close()
    expect["prise.sock"] = "socket"
    (root / "boucle").mkdir()
    os.symlink("..", root / "boucle" / "parent")
    expect["boucle/parent"] = "loop"
    os.symlink(root / "absent.txt", root / "lien_mort.txt")
    expect["lien_mort.txt"] = "link"
    return expect


if __name__ == "__main__":
    for name, what in make_hostile_corpus(Path(sys.argv[1])).items():
        print(f"{name!r}: {what}")
