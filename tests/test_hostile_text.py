"""Text loaders' patterns rewritten to run in linear time on hostile lines read exactly as before.

bench/fuzz.py found lines that stalled a loader (a line of 16 000 spaces: 6 s in the WhatsApp header;
20 000 empty lines: 5 s in the post sniffer; a 30 KB line of "# *": 4 s in Markdown's emphasis; a 40 KB
run of spaces: 8-10 s in the post and article loaders' separator and "… plus" patterns; 7 000 unclosed
``<script>``: 4 s finding the page's code blocks). The
rewritten patterns are checked here against the old ones on generated lines; the timings are bench/fuzz.py's
to print (its "slowest inputs"), not a test's.
"""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from veille.loaders import chrome_vocabulary, datelines, html, markdown, post, whatsapp

OLD_HEADER = re.compile(
    r"""
    ^[\u200e\u200f]*\s*(?P<open>\[)?\s*
    (?P<d1>\d{1,4})(?P<sep>[/.\-])(?P<spaced>\s)?
    (?P<d2>\d{1,4})(?P=sep)(?(spaced)\s)
    (?P<d3>\d{1,4})(?(spaced)\.)
    (?:,?\s*(?:à|a\ las|um|klo|at|kl\.)\s+|[,;]\s*|\s+)
    (?P<h>\d{1,2})[:.](?P<m>\d{2})(?:[:.](?P<s>\d{2}))?\.?
    (?:[\s_]*(?P<ampm>[aApP]\.?\s?[mM]\.?))?
    (?(open)\s*\]\s?
      |\s*(?:[-–:;]\s|(?(spaced)(?<=\s)(?=\S)|(?!))))
    (?P<rest>.*)$
    """,
    re.VERBOSE,
)
OLD_EMPHASIS = re.compile(r"(?<!\w)(\*\*|__|\*|_|~~|`)(?=\S)(.+?)(?<=\S)\1(?!\w)")
OLD_KEYCAP_LINE = re.compile(r"(?m)^\s*(?:\d\ufe0f?\u20e3|🔟)")
OLD_COUNTER_LINE = re.compile(
    r"(?m)^\s*\d[\d  .,]*\s*(?:réactions?|reactions?|commentaires?|comments?|republications?)\s*$", re.IGNORECASE)

OLD_SEPARATOR = re.compile(r"\s*[|·•›>∙]\s*")
OLD_NAME_SPLIT = re.compile(r"\s*(?:,|\bet\b|\band\b|&)\s*")
OLD_TITLE_SEPARATOR = re.compile(r"\s+[|–—-]\s+")
OLD_KEYCAP_INSIDE = re.compile(rf"\s*{post._KEYCAP}")
OLD_MORE = re.compile(r"\s*(?:…|\.\.\.)\s*(?:voir plus|plus|see more|more|afficher la suite|lire la suite)\s*$",
                      re.IGNORECASE)
OLD_FOLLOWERS = re.compile(r"^(\d[\d\s.,]*\s?[km]?)\s*(?:abonnes|followers)(?:\s*[·•].*)?$")

_HEADER_PIECES = st.sampled_from(["12", "3", "2024", "/", ".", "-", " ", "  ", "\t", "[", "]", ",", ";", " à ",
                                  "10", ":", "15", "00", " AM", " p.m.", " - ", ": ", "\u200e", "Léa: Bonjour", "x"])
_header_lines = st.lists(_HEADER_PIECES, max_size=16).map("".join)
_emphasis_text = st.text(alphabet=st.sampled_from("*_~` a\n.é1"), max_size=60)
_post_lines = st.lists(st.sampled_from(["1", "12", " ", "  ", "\t", ".", ",", "réactions", "comments", "1️⃣", "🔟",
                                        "x", "\u00a0"]), max_size=10).map("".join)


@given(_header_lines)
def test_whatsapp_header_reads_lines_as_before(line):
    old, new = OLD_HEADER.match(line), whatsapp._HEADER.match(line)
    assert (old and old.groupdict()) == (new and new.groupdict())


@given(_emphasis_text)
def test_markdown_emphasis_is_stripped_as_before(text):
    assert markdown._strip_emphasis(text) == OLD_EMPHASIS.sub(r"\2", text)


@given(_post_lines)
def test_post_counter_and_keycap_lines_read_as_before(line):
    """On one line the patterns agree (the old ones could also run over line ends, through empty lines)."""
    assert [m.group() for m in post._COUNTER_LINE.finditer(line)] == [m.group() for m in OLD_COUNTER_LINE.finditer(line)]
    assert bool(post._KEYCAP_LINE.search(line)) == bool(OLD_KEYCAP_LINE.search(line))


_separated = st.lists(st.sampled_from([" ", "  ", "\t", "|", "·", "•", ">", "-", "–", ",", "&", "et", "and", " et ",
                                       "1️⃣", "🔟", "…", "...", "voir plus", "more", "abonnes", "k", "12", "1 234",
                                       "Léa", "x", "a"]), max_size=14).map("".join)


@given(_separated)
def test_separators_split_and_find_as_before(text):
    """Patterns that opened on a blank run (\\s*, \\s+) now enter a run at its start only: same matches."""
    for old, new in ((OLD_SEPARATOR, chrome_vocabulary.SEPARATOR), (OLD_NAME_SPLIT, datelines._NAME_SPLIT),
                     (OLD_TITLE_SEPARATOR, html._TITLE_SEPARATOR), (OLD_KEYCAP_INSIDE, post._KEYCAP_INSIDE)):
        assert [m.span() for m in new.finditer(text)] == [m.span() for m in old.finditer(text)], new.pattern
        assert new.split(text) == old.split(text)
    old, new = OLD_MORE.search(text), post._MORE.search(text)
    assert (old and old.span()) == (new and new.span())
    old, new = OLD_FOLLOWERS.match(text), post.SIGNATURES["followers"].match(text)
    assert (old is None) == (new is None)
    if old:
        assert post.count_of(old.group(1)) == post.count_of(new.group(1))


@given(st.lists(st.sampled_from(["<script>", "<SCRIPT type='x'>", "</script>", "</script >", "<style>", "</style>",
                                 "var a;", "<p>", "texte", "<scripts>"]), max_size=12).map("".join))
def test_code_blocks_as_the_lazy_expression_finds_them(page):
    lazy = re.compile(r"<(script|style)\b[^>]*>(.*?)</\1\s*>", re.IGNORECASE | re.DOTALL)
    assert [(m.start(), m.start(2), m.end(2), m.end()) for m in lazy.finditer(page)] == html._code_blocks(page)


def test_markdown_links_and_nested_brackets():
    assert markdown._inline("Voir [le rapport](https://example.org/r.pdf) et ![schéma](s.png).") == \
        "Voir le rapport et schéma."
    assert markdown.sniff("[a](http://x) [b](http://y)\n", "x.txt")[1].endswith("2 links, 0 bold spans, 0 list items")
    assert markdown._inline("[[[[x](y)") == "[[[x"  # the innermost bracket pair is the link
