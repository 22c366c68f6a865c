"""The optional generated answer: numbered sources to an OpenAI-compatible endpoint, the reply checked.

No model runs inside veille. ``generate_answer`` sends the question and the numbered sources (nothing else)
to ``{url}/chat/completions`` — Ollama, llama.cpp's server, vLLM and hosted APIs all speak it — streams the
reply, then ``verify`` marks each sentence of it verified or not: every ``[n]`` must name a source that was
sent, and every figure of a sentence must appear in a source it cites. Whatever keeps an answer from being
had (no server, a time-out, an HTTP error, a broken stream, an empty reply, a refusal) raises one
``LLMUnavailable`` naming the URL, so that the caller can fall back to the extractive answer.
"""

from __future__ import annotations

import http.client
import ipaddress
import json
import math
import os
import re
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from .errors import BadArgument, VeilleError
from .text.fold import fold, fold_accents
from .text.sentences import split_sentences

#: Seconds to wait for the server's next bytes (the connection, the first token, each later piece).
DEFAULT_TIMEOUT = 60.0

FiguresOf = Callable[[str], list[tuple[float, str]]]


class LLMUnavailable(VeilleError):
    """No generated answer could be had from the endpoint at ``url``, for ``reason``."""

    def __init__(self, url: str, reason: str) -> None:
        super().__init__(f"LLM endpoint {url}: {reason}")
        self.url = url
        self.reason = reason


@dataclass(frozen=True)
class LLMConfig:
    """Where to send the question: an OpenAI-compatible base URL (ending in ``/v1``), a model, a key."""

    url: str
    model: str
    key: str | None = None
    timeout: float = DEFAULT_TIMEOUT

    @classmethod
    def from_env(cls, url: str | None = None, model: str | None = None, key: str | None = None,
                 timeout: float | None = None, environ: Mapping[str, str] | None = None) -> LLMConfig:
        """The values given, else the environment.

        URL: ``VEILLE_LLM_URL``, else ``OPENAI_BASE_URL``. Model: ``VEILLE_LLM_MODEL``. Key:
        ``VEILLE_LLM_KEY``, else ``OPENAI_API_KEY`` (none for a local server). Time-out:
        ``VEILLE_LLM_TIMEOUT`` (seconds), else 60. Raises ``LLMUnavailable`` when no URL or no model is set,
        ``BadArgument`` for a time-out that is not a positive number.
        """
        env = os.environ if environ is None else environ
        url = url or env.get("VEILLE_LLM_URL") or env.get("OPENAI_BASE_URL")
        if not url:
            raise LLMUnavailable("(none)", "no endpoint configured: give a URL or set VEILLE_LLM_URL "
                                           "(e.g. http://127.0.0.1:11434/v1 for Ollama)")
        model = model or env.get("VEILLE_LLM_MODEL")
        if not model:
            raise LLMUnavailable(url, "no model named: give one or set VEILLE_LLM_MODEL")
        key = key or env.get("VEILLE_LLM_KEY") or env.get("OPENAI_API_KEY") or None
        if timeout is None:
            raw = env.get("VEILLE_LLM_TIMEOUT")
            try:
                timeout = float(raw) if raw else DEFAULT_TIMEOUT
            except ValueError:
                raise BadArgument("VEILLE_LLM_TIMEOUT", f"{raw!r} is not a number of seconds") from None
        if not timeout > 0:
            raise BadArgument("timeout", f"{timeout} is not a positive number of seconds")
        return cls(url=url, model=model, key=key, timeout=timeout)

    @property
    def endpoint(self) -> str:
        """The chat-completions URL the request goes to."""
        return self.url.rstrip("/") + "/chat/completions"


@dataclass(frozen=True)
class Source:
    """A numbered passage sent to the model; ``label`` says where it is from.

    E.g. ``Source(1, "…", "Sylvia, 2025-03-04 14:02, groupe.txt:120")``.
    """

    number: int
    text: str
    label: str = ""


@dataclass(frozen=True)
class CheckedSentence:
    """A sentence of the generated answer, the sources it cites, and why it is not verified (if it is not)."""

    text: str
    cited: tuple[int, ...]
    problems: tuple[str, ...] = ()

    @property
    def verified(self) -> bool:
        return not self.problems


@dataclass(frozen=True)
class GeneratedAnswer:
    """The model's answer as it came, sentence by sentence with their checks."""

    text: str
    sentences: list[CheckedSentence]
    model: str
    url: str
    sources: list[Source] = field(default_factory=list)

    @property
    def verified(self) -> bool:
        """Whether every sentence passed its checks."""
        return all(sentence.verified for sentence in self.sentences)

    @property
    def unverified(self) -> list[CheckedSentence]:
        return [sentence for sentence in self.sentences if not sentence.verified]

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready record: the text, each sentence with its citations and problems, the sources."""
        return {"text": self.text, "model": self.model, "url": self.url, "verified": self.verified,
                "sentences": [{"text": s.text, "cited": list(s.cited), "verified": s.verified,
                               "problems": list(s.problems)} for s in self.sentences],
                "sources": [{"number": s.number, "label": s.label, "text": s.text} for s in self.sources]}


# ---------------------------------------------------------------------------------------------- the prompt

SYSTEM_PROMPT = (
    "Tu réponds à une question à partir de sources numérotées, et seulement à partir d'elles. "
    "Réponds en français, brièvement : une à cinq phrases. "
    "Termine chaque phrase par le numéro entre crochets de la ou des sources d'où elle vient, "
    "par exemple [1] ou [2][3]. "
    "Recopie les chiffres tels que les sources les donnent, avec leur unité. "
    "N'ajoute rien que les sources ne disent pas. "
    "Si les sources ne permettent pas de répondre, réponds seulement : "
    "« Je ne sais pas : les sources ne le disent pas. »"
)


def build_messages(question: str, sources: Sequence[Source]) -> list[dict[str, str]]:
    """The system and user messages: the numbered sources, then the question (nothing else is sent)."""
    parts = []
    for source in sources:
        head = f"[{source.number}]" + (f" ({source.label})" if source.label else "")
        parts.append(f"{head}\n{source.text.strip()}")
    user = "Sources :\n\n" + "\n\n".join(parts) + f"\n\nQuestion : {question.strip()}"
    return [{"role": "system", "content": SYSTEM_PROMPT}, {"role": "user", "content": user}]


def generate_answer(question: str, sources: Sequence[Source], config: LLMConfig,
                    on_text: Callable[[str], None] | None = None,
                    figures_of: FiguresOf | None = None) -> GeneratedAnswer:
    """Ask the endpoint of ``config`` to answer ``question`` from ``sources``, then verify the reply.

    ``on_text`` gets each piece of the reply as it arrives. Raises ``LLMUnavailable`` when no answer can be
    had, including when the model says the sources do not answer; ``BadArgument`` when ``sources`` is empty
    or numbers two sources alike.
    """
    if not sources:
        raise BadArgument("sources", "no source to answer from")
    numbers = [source.number for source in sources]
    if len(set(numbers)) != len(numbers):
        raise BadArgument("sources", f"two sources share a number ({numbers})")
    body = {"model": config.model, "messages": build_messages(question, sources),
            "stream": True, "temperature": 0}
    text = _THINKING.sub("", complete(config, body, on_text)).strip()
    if not text:
        raise LLMUnavailable(config.endpoint, "the model gave an empty reply")
    if declines(text):
        raise LLMUnavailable(config.endpoint, "the model found no answer in the sources")
    checked = verify(text, sources, figures_of or figures_in)
    return GeneratedAnswer(text=text, sentences=checked, model=config.model, url=config.endpoint,
                           sources=list(sources))


# What a reasoning model (DeepSeek-R1, Qwen3) thinks before answering, when the server leaves it in the content.
_THINKING = re.compile(r"<think>.*?(?:</think>|\Z)\s*", re.DOTALL)


def declines(text: str) -> bool:
    """Whether the reply is the "je ne sais pas" the prompt asks for when the sources do not answer."""
    folded = fold_accents(text.lower()).replace("\u2019", "'")
    return not _CITATION.search(text) and folded.lstrip(" «\"").startswith(("je ne sais pas", "je l'ignore"))


# ------------------------------------------------------------------------------------------ the transport

def complete(config: LLMConfig, body: dict, on_text: Callable[[str], None] | None = None) -> str:
    """POST ``body`` to the chat-completions endpoint; the reply's text, streamed (SSE) or in one JSON."""
    url = config.endpoint
    if urllib.parse.urlsplit(url).scheme not in ("http", "https") or not urllib.parse.urlsplit(url).hostname:
        raise LLMUnavailable(url, "not an http:// or https:// URL (e.g. http://127.0.0.1:11434/v1)")
    headers = {"Content-Type": "application/json", "Accept": "text/event-stream, application/json"}
    if config.key:
        headers["Authorization"] = f"Bearer {config.key}"
    request = urllib.request.Request(url, data=json.dumps(body).encode("utf-8"), headers=headers,
                                     method="POST")
    if on_text is not None:
        on_text = _passing_through(on_text)
    try:
        with _opener(url).open(request, timeout=config.timeout) as response:
            kind = response.headers.get_content_type()
            if kind == "text/event-stream":
                return "".join(_read_stream(url, response, on_text))
            raw = response.read()
            if raw.lstrip().startswith((b"data:", b":")):  # a stream under another content type
                return "".join(_read_stream(url, raw.splitlines(), on_text))
            return _read_whole(url, raw, on_text)
    except _CallerError as wrapped:
        raise wrapped.error from None
    except urllib.error.HTTPError as error:
        raise LLMUnavailable(url, f"HTTP {error.code} {error.reason}{_server_says(error)}") from None
    except urllib.error.URLError as error:
        raise LLMUnavailable(url, _network_reason(error.reason, config.timeout)) from None
    except (TimeoutError, OSError, http.client.HTTPException) as error:
        raise LLMUnavailable(url, _network_reason(error, config.timeout)) from None


class _CallerError(Exception):
    """An error of the caller's ``on_text`` (a closed stdout), carried past the handlers of network errors."""

    def __init__(self, error: Exception) -> None:
        super().__init__(str(error))
        self.error = error


def _passing_through(on_text: Callable[[str], None]) -> Callable[[str], None]:
    def call(piece: str) -> None:
        try:
            on_text(piece)
        except Exception as error:
            raise _CallerError(error) from error
    return call


def _opener(url: str) -> urllib.request.OpenerDirector:
    # A model served on this machine is never reached through the environment's HTTP proxy.
    host = urllib.parse.urlsplit(url).hostname or ""
    try:
        local = host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        local = False
    return urllib.request.build_opener(urllib.request.ProxyHandler({})) if local else urllib.request.build_opener()


def _read_stream(url: str, lines: Iterable[bytes],
                 on_text: Callable[[str], None] | None) -> Iterator[str]:
    """The text pieces of a server-sent-event stream (``data: {...}`` lines, then ``data: [DONE]``)."""
    finished = False
    for raw in lines:
        line = raw.decode("utf-8", errors="replace").strip()
        if not line.startswith("data:"):
            continue  # blank separators, ``: comments``, ``event:`` and ``id:`` fields
        data = line[5:].strip()
        if data == "[DONE]":
            return
        try:
            event = json.loads(data)
        except json.JSONDecodeError:
            raise LLMUnavailable(url, f"malformed stream: {data[:80]!r} is not JSON") from None
        piece, finish = _delta(url, event)
        if piece:
            if on_text:
                on_text(piece)
            yield piece
        finished = finished or finish is not None
    if not finished:
        raise LLMUnavailable(url, "malformed stream: it ended before its last event (no [DONE])")


def _delta(url: str, event: object) -> tuple[str, str | None]:
    """The text and finish reason of one streamed event."""
    choice = _first_choice(url, event)
    delta = choice.get("delta") or {}
    if not isinstance(delta, dict):
        raise LLMUnavailable(url, f"malformed stream: a delta is {type(delta).__name__}, not an object")
    _refused(url, delta.get("refusal"), choice.get("finish_reason"))
    content = delta.get("content") or ""
    return (content if isinstance(content, str) else ""), choice.get("finish_reason")


def _read_whole(url: str, raw: bytes, on_text: Callable[[str], None] | None) -> str:
    """The text of a reply that came as one JSON object (a server that ignored ``stream``)."""
    try:
        reply = json.loads(raw.decode("utf-8", errors="replace"))
    except json.JSONDecodeError:
        raise LLMUnavailable(url, f"malformed reply: {raw[:80]!r} is not JSON") from None
    message = _first_choice(url, reply).get("message")
    if not isinstance(message, dict):
        raise LLMUnavailable(url, "malformed reply: no message in its first choice")
    _refused(url, message.get("refusal"), _first_choice(url, reply).get("finish_reason"))
    content = message.get("content") or ""
    if not isinstance(content, str):
        raise LLMUnavailable(url, "malformed reply: the message's content is not text")
    if content and on_text:
        on_text(content)
    return content


def _first_choice(url: str, reply: object) -> dict:
    if isinstance(reply, dict) and reply.get("error"):
        raise LLMUnavailable(url, f"the server reports an error: {_error_text(reply['error'])}")
    choices = reply.get("choices") if isinstance(reply, dict) else None
    if not isinstance(choices, list) or not choices or not isinstance(choices[0], dict):
        raise LLMUnavailable(url, f"malformed reply: no choices in {json.dumps(reply)[:80]}")
    return choices[0]


def _refused(url: str, refusal: object, finish_reason: object) -> None:
    if refusal:
        raise LLMUnavailable(url, f"the model refused: {str(refusal)[:200]}")
    if finish_reason == "content_filter":
        raise LLMUnavailable(url, "the model refused (its content filter stopped the answer)")


def _server_says(error: urllib.error.HTTPError) -> str:
    """The server's own message of an HTTP error (``{"error": {"message": …}}`` or plain text)."""
    try:
        raw = error.read(4096).decode("utf-8", errors="replace").strip()
    except (OSError, http.client.HTTPException):
        return ""
    if not raw:
        return ""
    try:
        return ": " + _error_text(json.loads(raw).get("error", raw))
    except (json.JSONDecodeError, AttributeError):
        return ": " + raw[:200]


def _error_text(error: object) -> str:
    if isinstance(error, dict):
        return str(error.get("message") or error)[:200]
    return str(error)[:200]


def _network_reason(reason: object, timeout: float) -> str:
    if isinstance(reason, TimeoutError):
        return f"no reply within {timeout:g} s (time-out)"
    if isinstance(reason, ConnectionRefusedError):
        return "connection refused (is the server running?)"
    if isinstance(reason, http.client.HTTPException):
        return f"the connection broke off ({type(reason).__name__})"
    return f"cannot reach it ({reason})"


# ------------------------------------------------------------------------------------------ verification

_CITATION = re.compile(r"\[\s*(\d+(?:\s*(?:[,;]|[-–])\s*\d+)*)\s*\]")
# "1." or "2)" or "-" opening a line of a list: not a sentence, not a figure.
_LIST_MARKER = re.compile(r"^[ \t]*(?:\d{1,2}[.)]|[-*•])[ \t]+", re.MULTILINE)
# Citations at the start of a sentence, where a model that puts them after the period leaves them.
_LEADING_CITATIONS = re.compile(r"(?:\[[\d\s,;–-]+\]\s*)+[.!?…]*\s*")


def citations(sentence: str) -> tuple[int, ...]:
    """The source numbers a sentence cites, in order: ``[1]``, ``[1, 3]``, ``[2][4]``, ``[2-4]``."""
    numbers: list[int] = []
    for match in _CITATION.finditer(sentence):
        for part in re.split(r"\s*[,;]\s*", match.group(1)):
            low, _, high = re.sub(r"\s", "", part).replace("–", "-").partition("-")
            span = range(int(low), int(high) + 1) if high and 0 <= int(high) - int(low) < 50 else [int(low)]
            numbers.extend(n for n in span if n not in numbers)
    return tuple(numbers)


def answer_sentences(text: str) -> list[str]:
    """The sentences of a generated answer; a citation after the period (``… M€. [2]``) stays with it."""
    merged: list[str] = []
    for line in _LIST_MARKER.sub("", text).splitlines():  # a model's line break ends a sentence (lists, titles)
        for start, end in split_sentences(line):
            sentence = line[start:end]
            leading = _LEADING_CITATIONS.match(sentence)
            if merged and leading:
                merged[-1] = f"{merged[-1]} {leading.group().strip()}"
                sentence = sentence[leading.end():]
            if sentence:
                merged.append(sentence)
    return merged


def verify(answer_text: str, sources: Sequence[Source],
           figures_of: FiguresOf | None = None) -> list[CheckedSentence]:
    """Each sentence of ``answer_text`` checked against ``sources``.

    A sentence is unverified when it cites nothing, cites a number that was not given, or holds a figure
    (``figures_of`` gives the (value, unit) pairs of a text; ``figures_in`` by default) that no source it cites
    holds. Figures compare by value, and by unit when both have one. A source's label counts as its text
    (a date or time the model took from it).
    """
    figures_of = figures_of or figures_in
    by_number = {source.number: source for source in sources}
    source_figures: dict[int, list[tuple[float, str]]] = {}
    checked = []
    for sentence in answer_sentences(answer_text):
        cited = citations(sentence)
        problems = [f"cites [{n}], which was not given" for n in cited if n not in by_number]
        given = [n for n in cited if n in by_number]
        if not cited:
            problems.append("cites no source")
        elif given:
            for number in given:
                if number not in source_figures:
                    source = by_number[number]
                    source_figures[number] = figures_of(f"{source.label}\n{source.text}")
            for value, unit in figures_of(_CITATION.sub(" ", sentence)):
                if not any(_same_figure((value, unit), held) for n in given for held in source_figures[n]):
                    where = " or ".join(f"[{n}]" for n in given)
                    problems.append(f"{say_figure(value, unit)} not in {where}")
        checked.append(CheckedSentence(text=sentence, cited=cited, problems=tuple(dict.fromkeys(problems))))
    return checked


def _same_figure(a: tuple[float, str], b: tuple[float, str]) -> bool:
    return math.isclose(a[0], b[0], rel_tol=1e-9, abs_tol=1e-12) and (a[1] == b[1] or not a[1] or not b[1])


def say_figure(value: float, unit: str) -> str:
    """A figure written the French way for a message: ``12 millions``, ``3,5 milliards €``, ``10 GW``, ``12 %``."""
    scales = ((1e12, " T"), (1e9, " G"), (1e6, " M"), (1e3, " k")) if unit in ("W", "Wh") else (
        (1e9, " milliards "), (1e6, " millions "))
    scale = " "
    for size, word in scales:
        if abs(value) >= size:
            value, scale = value / size, word
            break
    number = f"{value:,.2f}".rstrip("0").rstrip(".").replace(",", "\u202f").replace(".", ",")
    return f"{number}{scale}{unit}".rstrip()


# -------------------------------------------------------------------------------- the default figure reader

_SPACE = "[ \u00a0\u202f\u2009]"
# French grouping (100 000, 3 500 000,25), English grouping (1,000.5; never 0,125), then plain (3,5 / 3.5 / 12).
_NUMBER = (rf"(?P<number>\d{{1,3}}(?:{_SPACE}\d{{3}})+(?:,\d+)?"
           rf"|[1-9]\d{{0,2}}(?:,\d{{3}})+(?:\.\d+)?"
           rf"|\d+(?:[.,]\d+)?)")
_MULTIPLIERS = {"milliard": 1e9, "milliards": 1e9, "md": 1e9, "mds": 1e9, "mrd": 1e9, "mrds": 1e9,
                "billion": 1e9, "billions": 1e9, "bn": 1e9, "trillion": 1e12, "trillions": 1e12,
                "million": 1e6, "millions": 1e6, "m": 1e6, "mn": 1e6, "mm": 1e6, "mio": 1e6,
                "k": 1e3, "mille": 1e3}
_MULTIPLIER = r"(?P<multiplier>(?i:milliards?|billions?|trillions?|millions?|mille|mrds?|mio)|Mds?|Md|bn|Mn|MM|M|k|K)"
_CURRENCIES = {"€": "€", "eur": "€", "euro": "€", "euros": "€", "$": "$", "usd": "$", "dollar": "$",
               "dollars": "$", "£": "£", "gbp": "£", "livre": "£", "livres": "£"}
_SI = {"": 1.0, "k": 1e3, "kilo": 1e3, "m": 1e6, "mega": 1e6, "g": 1e9, "giga": 1e9, "t": 1e12, "tera": 1e12}
_UNIT = (r"(?P<unit>€|\$|£|(?i:euros?|dollars?|livres?(?: sterling)?|eur|usd|gbp)"
         r"|%|(?i:pour ?cents?)"
         r"|(?P<si>[kMGT]?)(?P<power>Wh|W)"
         r"|(?P<siword>(?i:kilo|m[ée]ga|giga|t[ée]ra)?)(?P<watt>(?i:watts?-heures?|watts?)))")
_FIGURE = re.compile(
    rf"(?<![\w.,/:\-])(?:(?P<prefix>[€$£]){_SPACE}?)?{_NUMBER}"
    rf"(?:{_SPACE}?{_MULTIPLIER})?"
    rf"(?:{_SPACE}?(?:(?:de|d['’]){_SPACE}?)?{_UNIT})?"
    rf"(?![\w])")
# Dates and times are not figures: blanked before reading.
_MONTHS = ("janvier|f[ée]vrier|mars|avril|mai|juin|juillet|ao[uû]t|septembre|octobre|novembre|d[ée]cembre"
           "|january|february|march|april|may|june|july|august|september|october|november|december")
_DATES_TIMES = re.compile(r"\b\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2})?)?\b|\b\d{1,2}/\d{1,2}/\d{2,4}\b"
                          r"|\b\d{1,2}(?::|h)\d{2}(?::\d{2})?\b"
                          rf"|\b\d{{1,2}}(?:er)?{_SPACE}(?i:{_MONTHS})\b(?:{_SPACE}\d{{4}})?"
                          rf"|\b(?i:{_MONTHS}){_SPACE}\d{{1,2}}\b(?:,?{_SPACE}\d{{4}})?")


def parse_number(written: str) -> float:
    """The value of a number as written in French or English: ``3,5``, ``100 000``, ``1,000.5``, ``3.5``.

    A comma followed by groups of exactly three digits is a thousands separator when the number does not
    start with ``0`` (``1,000`` is a thousand, ``0,125`` an eighth); any other comma is a decimal comma.
    """
    compact = re.sub(_SPACE, "", written)
    if re.fullmatch(r"[1-9]\d{0,2}(?:,\d{3})+(?:\.\d+)?", compact):
        return float(compact.replace(",", ""))
    return float(compact.replace(",", "."))


def figures_in(text: str) -> list[tuple[float, str]]:
    """The figures of ``text`` as (value, unit): a simple reader, the default of ``verify``.

    Reads French and English number writing (see ``parse_number``), multipliers (k, M, Md, mille,
    million(s), milliard(s), billion = 10⁹, MM = million), currencies before or after (€, $, £, euros,
    dollars, EUR, USD…, unit ``€``/``$``/``£``), ``%``/pour cent (``%``), power and energy (W to TW,
    Wh to TWh, watts and their French prefixes, in ``W``/``Wh``). Other numbers get the unit ``""``.
    Dates, times and a bare year (1900–2100) are not figures; neither are digits inside a word (``H100``).
    """
    text = _DATES_TIMES.sub(lambda m: " " * len(m.group()), text)
    found = []
    for match in _FIGURE.finditer(text):
        value = parse_number(match.group("number"))
        multiplier, unit_text, prefix = match.group("multiplier"), match.group("unit"), match.group("prefix")
        if multiplier:
            value *= _MULTIPLIERS[multiplier.lower()]
        unit = ""
        if prefix:
            unit = _CURRENCIES[prefix]
        if unit_text:
            if match.group("power"):
                value *= _SI[match.group("si").lower()]
                unit = match.group("power")
            elif match.group("watt"):
                value *= _SI[fold(match.group("siword"))]
                unit = "Wh" if "heure" in match.group("watt").lower() else "W"
            elif unit_text == "%" or unit_text.lower().startswith("pour"):
                unit = "%"
            else:
                unit = _CURRENCIES[unit_text.lower().split()[0]]
        if (not unit and not multiplier and re.fullmatch(r"\d{4}", match.group("number"))
                and 1900 <= value <= 2100):
            continue
        found.append((value, unit))
    return found
