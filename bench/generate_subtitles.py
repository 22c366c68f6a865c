"""Generated French subtitles for the benchmarks: SRT, WebVTT and YouTube auto-caption VTT.

The speech comes from ``generate_corpus.FrenchText`` (invented sentences on AI, compute and energy).
Each layout is cut into cues of 2 to 9 words, two lines at most, as subtitles are:

- ``srt``: numbered cues, ``00:01:02,500 --> 00:01:04,000``, now and then ``<i>`` and a ``- `` dialogue cue;
- ``vtt``: ``WEBVTT`` header, a NOTE block, ``<v Name>`` voices and cue settings;
- ``youtube``: YouTube's auto-captions: each cue repeats the previous line, then adds the new words with
  inline word timings (``mot<00:00:01.520><c> suivant</c>``), followed by a 10 ms cue repeating the text.

``python bench/generate_subtitles.py --mb 20 --layout srt --out bench/out/subtitles``
"""

from __future__ import annotations

import argparse
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from generate_corpus import FrenchText, spoken_words  # noqa: E402

LAYOUTS = ("srt", "vtt", "youtube")
DEFAULT_SEED = 20250401
SPEAKERS = ("Camille Laurent", "Paul Moreau", "Sarah Cohen", "Karim Benali")


def _stamp(seconds: float, comma: bool) -> str:
    ms = round(seconds * 1000)
    h, rest = divmod(ms, 3_600_000)
    m, rest = divmod(rest, 60_000)
    s, ms = divmod(rest, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}{',' if comma else '.'}{ms:03d}"


def _cues(rng: random.Random, target: int) -> list[tuple[float, float, str, list[str]]]:
    """(start, end, speaker, words) until about ``target`` characters of speech."""
    gen = FrenchText(rng)
    cues, clock, size = [], 0.0, 0
    speaker = rng.choice(SPEAKERS)
    while size < target:
        if rng.random() < 0.2:
            speaker = rng.choice(SPEAKERS)
        words = spoken_words(gen.sentence("talk"))
        while words:
            take = min(len(words), rng.randint(2, 9))
            part, words = words[:take], words[take:]
            length = 0.35 * len(part) + rng.random()
            cues.append((clock, clock + length, speaker, part))
            clock += length + rng.choice((0.0, 0.04, 0.1, 0.5))
            size += sum(len(w) + 1 for w in part)
    return cues


def _lines(words: list[str]) -> str:
    """A cue's words on one line, or two when long."""
    if len(words) <= 5:
        return " ".join(words)
    half = len(words) // 2
    return " ".join(words[:half]) + "\n" + " ".join(words[half:])


def make_srt(rng: random.Random, target: int) -> str:
    out = []
    for n, (start, end, _, words) in enumerate(_cues(rng, target), 1):
        text = _lines(words)
        if rng.random() < 0.05:
            text = f"<i>{text}</i>"
        out.append(f"{n}\n{_stamp(start, True)} --> {_stamp(end, True)}\n{text}\n")
    return "\n".join(out)


def make_vtt(rng: random.Random, target: int) -> str:
    out = ["WEBVTT - émission générée pour les bancs d'essai de veille\n",
           "NOTE\nSous-titres générés : le texte ne dit rien de vrai.\n"]
    for n, (start, end, speaker, words) in enumerate(_cues(rng, target), 1):
        settings = " align:start position:10%" if n % 7 == 0 else ""
        out.append(f"c{n}\n{_stamp(start, False)} --> {_stamp(end, False)}{settings}\n"
                   f"<v {speaker}>{_lines(words)}\n")
    return "\n".join(out)


def make_youtube(rng: random.Random, target: int) -> str:
    out = ["WEBVTT\nKind: captions\nLanguage: fr\n"]
    previous = ""
    for start, end, _, words in _cues(rng, target):
        step = (end - start) / len(words)
        timed = words[0] + "".join(f"<{_stamp(start + i * step, False)}><c> {w}</c>"
                                   for i, w in enumerate(words[1:], 1))
        plain = " ".join(words)
        # YouTube writes a line holding one space where there is no previous line yet
        out.append(f"{_stamp(start, False)} --> {_stamp(end, False)} align:start position:0%\n"
                   f"{previous or ' '}\n{timed}\n")
        out.append(f"{_stamp(end, False)} --> {_stamp(end + 0.01, False)} align:start position:0%\n"
                   f"{previous}\n{plain}\n" if previous else
                   f"{_stamp(end, False)} --> {_stamp(end + 0.01, False)} align:start position:0%\n{plain}\n")
        previous = plain
    return "\n".join(out)


MAKERS = {"srt": make_srt, "vtt": make_vtt, "youtube": make_youtube}


def generate(path: str | Path, layout: str, megabytes: float, seed: int = DEFAULT_SEED) -> Path:
    """Write a subtitle file of about ``megabytes`` MB (reused when it exists with that size asked)."""
    path = Path(path)
    if path.exists():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    rng = random.Random(f"{seed}-{layout}")
    # speech is about 40 % of an SRT file, a third of a VTT one, a tenth of a YouTube one
    share = {"srt": 0.42, "vtt": 0.33, "youtube": 0.095}[layout]
    text = MAKERS[layout](rng, int(megabytes * 1e6 * share))
    path.write_text(text, encoding="utf-8")
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mb", type=float, default=10)
    parser.add_argument("--layout", choices=LAYOUTS, default="srt")
    parser.add_argument("--out", default="bench/out/subtitles")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    args = parser.parse_args(argv)
    path = generate(Path(args.out) / f"{args.layout}_{args.mb:g}MB.{'srt' if args.layout == 'srt' else 'vtt'}",
                    args.layout, args.mb, args.seed)
    print(f"{path}: {path.stat().st_size / 1e6:.1f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
