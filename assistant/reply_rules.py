"""The answer style the user asked for, kept by the app whatever the model wrote, and the reply's first words
that lead the model into it.

A small model reads "(How I want answers: no emojis; metric units.)" beside the message and still writes
"Roast it at 425°F 🍗". Some wishes the app can keep itself, as the reply streams: emojis and exclamation marks
dropped, imperial measures written in metric. Others only the model can keep, and for a request (not a question
of fact) the reply's first words lead it there: "Claro," for answers in Spanish, a first bullet for bullet
points, "Doc," for the name the user goes by.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from memory.profile import ProfileEntry

NO_EMOJIS = "no emojis"
NO_EXCLAMATION = "no exclamation marks"
NO_LISTS = "no bullet lists"
METRIC = "metric units"
KEPT_BY_THE_APP = (NO_EMOJIS, NO_EXCLAMATION, METRIC, NO_LISTS)
"""Wishes the app keeps whatever the model writes: the note beside the message need not tell the model."""

EMOJI = re.compile(
    "[\U0001f000-\U0001faff\u2600-\u27bf\u2b00-\u2bff\u231a\u231b\u23e9-\u23fa\ufe0f\u200d\u20e3\U000e0020-\U000e007f]"
)
NUMBER = r"\d+(?:[.,]\d+)?"
RANGE = rf"(?P<low>{NUMBER})(?:\s*(?P<joint>-|–|to|and)\s*(?P<high>{NUMBER}))?"
CONVERSIONS: tuple[tuple[re.Pattern[str], Callable[[float], float], str], ...] = tuple(
    (re.compile(rf"{RANGE}(?:\s*|-)(?:{units})(?![\w°])", re.IGNORECASE), convert, metric)
    for units, convert, metric in (
        (r"°\s*F|º\s*F|degrees?\s+F(?:ahrenheit)?|F\b(?=[\s.,;:)!?]|$)|fahrenheit", lambda f: (f - 32) * 5 / 9, "°C"),
        (r"mph|miles\s+(?:an|per)\s+hour", lambda mph: mph * 1.609, "km/h"),
        (r"sq(?:uare)?\.?\s*(?:feet|foot|ft)", lambda sqft: sqft * 0.0929, "m²"),
        (r"miles?|mi\b", lambda miles: miles * 1.609, "km"),
        (r"feet|foot|ft\b", lambda feet: feet * 0.3048, "m"),
        (r"inch(?:es)?", lambda inches: inches * 2.54, "cm"),
        (r"fl(?:uid)?\.?\s*oz|fluid\s+ounces?", lambda floz: floz * 29.57, "ml"),
        (r"ounces?|oz\b", lambda ounces: ounces * 28.35, "g"),
        (r"lbs?\b", lambda pounds: pounds * 0.4536, "kg"),
        (r"gallons?|gal\b", lambda gallons: gallons * 3.785, "litres"),
    )
)
"""Imperial measures and their metric ones. "pounds" alone stays: it is money as often as weight."""
METRIC_UNITS = "|".join(re.escape(unit) for *_, unit in CONVERSIONS)
LANGUAGE_OPENINGS = {
    "spanish": "Claro,",
    "french": "Bien sûr,",
    "german": "Klar,",
    "italian": "Certo,",
    "portuguese": "Claro,",
    "dutch": "Natuurlijk,",
    "polish": "Jasne,",
    "japanese": "はい、",
    "chinese": "好的，",
    "mandarin": "好的，",
}
"""A comma, not "¡Claro!": after a whole sentence the model took its turn as said and asked "Comment puis-je vous
aider ?"; inside a sentence it goes on, in that language."""


COUNTS = {"one": 1, "a single": 1, "two": 2, "three": 3}
SHORT_WORDS = 60
"""What "keep it short" means when the user gave no number: about three sentences of a small model."""


def reply_rules(entries: Sequence[ProfileEntry]) -> tuple[str, ...]:
    """The wishes among ``entries`` (the profile's answer style) that the app keeps itself: "no emojis",
    "metric units", and a length as "at most 60 words" or "at most 3 sentences"."""
    values = {entry.value.strip().lower().rstrip(".") for entry in entries}
    rules = [rule for rule in KEPT_BY_THE_APP if rule in values]
    for value in sorted(values):
        if value == "short":
            rules.append(f"at most {SHORT_WORDS} words")
        elif found := re.fullmatch(r"(?:at most )?(\d+) words", value):
            rules.append(f"at most {found[1]} words")
        elif found := re.fullmatch(r"(?:\d+-)?(\d+|one|a single|two|three) sentences?", value):
            count = int(COUNTS.get(found[1], found[1]))
            rules.append(f"at most {count} sentence{'' if count == 1 else 's'}")
    return tuple(rules)


def style_opening(entries: Sequence[ProfileEntry]) -> str:
    """The reply's first words for a request: in the user's language, to the name they go by, or a bullet."""
    for entry in entries:
        if entry.key == "language" and (words := LANGUAGE_OPENINGS.get(entry.value.removeprefix("in ").lower())):
            return words
    for entry in entries:
        if entry.key == "address me as" and re.fullmatch(r"[\w'’ -]{1,30}", entry.value):
            return f"{entry.value.strip()},"
    if any(entry.key == "format" and entry.value == "bullet points" for entry in entries):
        return "Sure:\n\n-"
    return ""


def _rounded(value: float, unit: str) -> str:
    if unit == "°C" and value >= 100:  # an oven: 175°C, not 176.7°C
        value = round(value / 5) * 5
    if abs(value) >= 100:
        return f"{round(value / 5) * 5:g}"
    if abs(value) >= 10 or unit == "°C":
        return f"{round(value):g}"
    return f"{round(value, 1):g}"


def in_metric(text: str) -> str:
    """``text`` with its imperial measures written in metric: "350°F" -> "175°C", "80 miles" -> "130 km"."""
    for pattern, convert, unit in CONVERSIONS:

        def metric(found: re.Match[str], convert: Callable[[float], float] = convert, unit: str = unit) -> str:
            low = _rounded(convert(float(found["low"].replace(",", ""))), unit)
            if found["high"] is None:
                return f"{low} {unit}" if unit[0].isalpha() else f"{low}{unit}"
            high = _rounded(convert(float(found["high"].replace(",", ""))), unit)
            joint = f" {found['joint']} " if found["joint"].isalpha() else found["joint"]
            return f"{low}{joint}{high} {unit}" if unit[0].isalpha() else f"{low}{joint}{high}{unit}"

        text = pattern.sub(metric, text)
    # the model often gave both: "375°F (190°C)" -> "190°C (190°C)" -> "190°C"
    return re.sub(rf"({NUMBER}\s?({METRIC_UNITS}))\s*\(\s*(?:about\s+|≈\s*)?{NUMBER}\s?\2\s*\)", r"\1", text)


def without_emojis(text: str) -> str:
    return ReplyRewriter([NO_EMOJIS]).rewrite(text)


def without_exclamations(text: str) -> str:
    return re.sub(r"!(?!=)", ".", text.replace("¡", ""))


HELD_WORDS = 3
"""After a number, how many words the rewriter waits for before it shows it ("350 degrees Fahrenheit")."""


LIST_ITEM = re.compile(r"\s*(?:[-*•]|\d{1,2}[.)])\s+")
ABBREVIATIONS = frozenset({"e.g", "i.e", "etc", "vs", "dr", "mr", "mrs", "ms", "st", "approx", "no"})
SENTENCE_END = re.compile(r"[.!?]+[\"'”’)\]]*(?=\s)")


def sentence_ends(text: str) -> list[int]:
    """Where the sentences of ``text`` end (a list's "1." and "e.g." end none)."""
    ends = []
    for found in SENTENCE_END.finditer(text):
        word = text[: found.start()].rsplit(None, 1)[-1:] or [""]
        if word[0].isdigit() or word[0].lower().lstrip("(") in ABBREVIATIONS:
            continue
        ends.append(found.end())
    return ends


class ReplyRewriter:
    """Keeps ``rules`` on a reply as it streams: each piece goes in, what is safe to show comes out. A number is
    held back until a few words follow it, so its unit is whole when it is converted. With a length, the reply
    ends at the sentence that reaches it (``done``: the model can stop); near a word limit the sentence under
    way is held back until it ends, so the reply does not stop in the middle of it."""

    def __init__(self, rules: Sequence[str], shown: str = "") -> None:
        self.rules = tuple(rules)
        self.max_words = min((int(n) for n in re.findall(r"at most (\d+) words", " ".join(rules))), default=0)
        self.max_sentences = min((int(n) for n in re.findall(r"at most (\d+) sentences?", " ".join(rules))), default=0)
        self.done = False
        """The reply has reached the length the user asked for."""
        self._pending = ""
        self._in_code = False
        self._last = ""  # the last character shown
        self._after_emoji = False
        self._line_head: str | None = ""  # no bullet lists: a line's first characters, until they tell
        self._breaks = 0  # no bullet lists: line breaks held before the line under way
        self._list_last = ""  # no bullet lists: the last character written
        self._shown = shown  # with a length: what the user has seen (the app's opening included)
        self._unshown = ""  # with a length: written, held back until its sentence ends

    def feed(self, piece: str) -> str:
        if not self.rules:
            return piece
        if self.done:
            return ""
        self._pending += piece
        cut = self._safe_end(self._pending) if METRIC in self.rules else len(self._pending)
        if tick := re.search(r"(?<!`)`{1,2}$", self._pending[:cut]):  # a code fence may be arriving
            cut = tick.start()
        if NO_EMOJIS in self.rules:  # the spaces before an emoji go with it
            cut = len(self._pending[:cut].rstrip(" \t"))
        ready, self._pending = self._pending[:cut], self._pending[cut:]
        return self._limited(self._rewrite(ready), final=False)

    def finish(self) -> str:
        """What was held back, once the reply has ended."""
        ready, self._pending = self._pending, ""
        return "" if self.done else self._limited(self._rewrite(ready, final=True), final=True)

    def rewrite(self, text: str) -> str:
        """A whole text at once (an answer given in one piece)."""
        return self.feed(text) + self.finish()

    @staticmethod
    def _safe_end(text: str) -> int:
        """Where the text can be cut without splitting a measure: before the last number (with a range it ends,
        or a measure it follows in brackets) when fewer than :data:`HELD_WORDS` words follow it on its line."""
        numbers = list(
            re.finditer(
                rf"(?:{NUMBER}[^\d()]{{0,22}}?\(\s*(?:about\s+|≈\s*)?)?{NUMBER}(?:\s*(?:-|–|to|and)\s*{NUMBER})?", text
            )
        )
        if not numbers:
            return len(text)
        last = numbers[-1]
        after = text[last.end() :]
        bracket_open = after.count("(") > after.count(")")  # "375°F (about " : the metric one may follow
        if "\n" in after or (
            len(after.split()) >= HELD_WORDS + (0 if after[-1:].isspace() else 1) and not bracket_open
        ):
            return len(text)
        return last.start()

    def _limited(self, written: str, final: bool) -> str:
        """What of ``written`` to show now under the length the user asked for."""
        if not (self.max_words or self.max_sentences):
            return written
        start = len(self._shown)
        text = self._shown + self._unshown + written
        stop, clean = self._stop(text, final)
        if stop is None:
            hold = len(text)
            if not final and self.max_words and len(text.split()) >= self.max_words / 3:
                hold = max([start, *(cut for cut in self._cuts(text) if cut >= start)])
        else:
            self.done, hold = True, max(stop, start)
        shown, self._unshown = text[start:hold], text[hold:]
        if self.done:
            shown = shown.rstrip() + ("" if clean else "…")
        self._shown += shown
        return shown

    def _stop(self, text: str, final: bool) -> tuple[int | None, bool]:
        """Where the reply ends under the length, and whether that is the end of a sentence."""
        ends = sentence_ends(text)
        if final and text.strip() and text[ends[-1] if ends else 0 :].strip():
            ends.append(len(text.rstrip()))
        if self.max_sentences and len(ends) >= self.max_sentences:
            return ends[self.max_sentences - 1], True
        words = list(re.finditer(r"\S+", text))
        if self.max_words and len(words) > self.max_words:
            limit = words[self.max_words - 1].end()
            cuts = [cut for cut in self._cuts(text) if cut <= limit]
            if cuts and cuts[-1] >= len(self._shown) and len(text[: cuts[-1]].split()) >= self.max_words / 3:
                return cuts[-1], True
            return max(limit, len(self._shown)), False
        return None, True

    @staticmethod
    def _cuts(text: str) -> list[int]:
        """Where the reply could end cleanly: after a sentence, or a line that holds words (a list's item)."""
        lines = [found.start() for found in re.finditer(r"(?<=\S)[ \t]*\n", text)]
        return sorted({*sentence_ends(text), *lines})

    def _rewrite(self, text: str, final: bool = False) -> str:
        if final and NO_LISTS in self.rules and not self._in_code:
            return self._rewrite(text) + self._without_lists("", final=True)
        if not text:
            return text
        pieces = re.split(r"(```)", text)
        written = []
        for piece in pieces:  # code blocks stay as the model wrote them
            if piece == "```":
                self._in_code = not self._in_code
            elif not self._in_code:
                piece = in_metric(piece) if METRIC in self.rules else piece
                piece = self._without_emojis(piece) if NO_EMOJIS in self.rules else piece
                piece = without_exclamations(piece) if NO_EXCLAMATION in self.rules else piece
                piece = self._without_lists(piece) if NO_LISTS in self.rules else piece
            written.append(piece)
        return "".join(written)

    def _without_lists(self, text: str, final: bool = False) -> str:
        """ "Tips:\n- Sleep well\n- Drink water" -> "Tips: Sleep well. Drink water": a line's first characters
        are held until they show whether it is a list's item, and the line break before an item until then."""
        kept: list[str] = []
        for character in text:
            if self._line_head is None:  # in the middle of a line
                if character == "\n":
                    self._line_head, self._breaks = "", 1
                else:
                    kept.append(character)
                continue
            if character == "\n" and not self._line_head.strip():
                self._breaks += 1
                continue
            self._line_head += character
            if character == "\n" or not re.fullmatch(r"[\s\d.)*•-]*", self._line_head):
                self._end_line_head(kept)
        if final and self._line_head is not None and self._line_head:
            self._end_line_head(kept)
        written = "".join(kept)
        self._list_last = written[-1:] or self._list_last
        return written

    def _end_line_head(self, kept: list[str]) -> None:
        head, self._line_head = self._line_head or "", None
        before = "".join(kept)[-1:] or self._list_last
        if item := LIST_ITEM.match(head):
            head = head[item.end() :]
            joint = "" if not before else " " if before in ".!?:;" else ". "
            if joint != " " or before != ":":  # a new sentence: "a nap" -> "A nap"
                head = head[:1].upper() + head[1:]
        else:
            joint = "\n" * self._breaks
        kept.append(joint + head.removesuffix("\n"))
        if head.endswith("\n"):
            self._line_head, self._breaks = "", 1
        self._list_last = "".join(kept)[-1:] or before

    def _without_emojis(self, text: str) -> str:
        """ "Great idea 🎉!" -> "Great idea!", "- 🎨 Painting" -> "- Painting", "🎉 Done" -> "Done"."""
        kept: list[str] = []
        for character in text:
            if EMOJI.match(character):
                while kept and kept[-1] in " \t":
                    kept.pop()
                self._after_emoji = True
                continue
            if character in " \t" and self._after_emoji:
                before = kept[-1] if kept else self._last
                if before in ("", "\n", " ", "\t"):
                    continue
            self._after_emoji = self._after_emoji and character in " \t"
            kept.append(character)
        self._last = kept[-1] if kept else self._last
        return "".join(kept)
