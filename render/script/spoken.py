"""Text that Piper reads well: numbers as words, no symbols it would spell out or skip.

Only the topic needs this: the phrase banks are written in words already. espeak reads
"1990" as "nineteen hundred ninety" and "5%" unreliably, so digits become words here.
"""

from __future__ import annotations

import re

_ONES = (
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
    "fifteen sixteen seventeen eighteen nineteen"
).split()
_TENS = "_ _ twenty thirty forty fifty sixty seventy eighty ninety".split()
_SCALES = ((1_000_000_000_000, "trillion"), (1_000_000_000, "billion"), (1_000_000, "million"))
_ORDINAL_ENDINGS = {
    "one": "first",
    "two": "second",
    "three": "third",
    "five": "fifth",
    "eight": "eighth",
    "nine": "ninth",
    "twelve": "twelfth",
}
_CURRENCIES = {"$": "dollars", "€": "euros", "£": "pounds"}
_SYMBOLS = {"&": " and ", "+": " plus ", "@": " at ", "=": " equals "}

# A number with optional currency sign, thousands separators, decimals, and a % or ordinal suffix.
_NUMBER = re.compile(
    r"(?P<cur>[$€£])?(?P<int>\d{1,3}(?:,\d{3})+|\d+)(?:\.(?P<dec>\d+))?"
    r"(?P<suffix>%|st\b|nd\b|rd\b|th\b|s\b)?"
)
_RANGE = re.compile(r"(\d)\s*[-–]\s*(\d)")
# A digit run glued to letters that are not an ordinal or plural suffix: "3M", "4K".
_GLUED = re.compile(r"(\d)(?!(?:st|nd|rd|th|s)\b)(?=[^\W\d_])")
_VERSUS = re.compile(r"\bvs\b\.?", re.IGNORECASE)
# Letters (any script), digits, whitespace and the punctuation a sentence may carry.
_UNSPEAKABLE = re.compile(r"[^\w\s,.'’\-:;!?]")


def cardinal(n: int) -> str:
    if n < 0:
        return "minus " + cardinal(-n)
    if n < 20:
        return _ONES[n]
    if n < 100:
        tens, ones = divmod(n, 10)
        return _TENS[tens] + (f"-{_ONES[ones]}" if ones else "")
    if n < 1000:
        hundreds, rest = divmod(n, 100)
        return f"{_ONES[hundreds]} hundred" + (f" {cardinal(rest)}" if rest else "")
    if n < 1_000_000:
        thousands, rest = divmod(n, 1000)
        return f"{cardinal(thousands)} thousand" + (f" {cardinal(rest)}" if rest else "")
    for scale, name in _SCALES:
        if n >= scale:
            head, rest = divmod(n, scale)
            return f"{cardinal(head)} {name}" + (f" {cardinal(rest)}" if rest else "")
    raise AssertionError("unreachable")


def ordinal(n: int) -> str:
    words = cardinal(n)
    head, _, last = words.rpartition(" ")
    stem, dash, unit = last.rpartition("-")
    if unit in _ORDINAL_ENDINGS:
        unit = _ORDINAL_ENDINGS[unit]
    elif unit.endswith("y"):
        unit = unit[:-1] + "ieth"
    else:
        unit += "th"
    return (f"{head} " if head else "") + stem + dash + unit


def year(n: int) -> str:
    """1969 → "nineteen sixty-nine", 2005 → "two thousand five", 2024 → "twenty twenty-four"."""
    if 2000 <= n <= 2009 or n % 1000 == 0:
        return cardinal(n)
    century, rest = divmod(n, 100)
    if rest == 0:
        return f"{cardinal(century)} hundred"
    if rest < 10:
        return f"{cardinal(century)} oh {cardinal(rest)}"
    return f"{cardinal(century)} {cardinal(rest)}"


def _number_words(match: re.Match[str]) -> str:
    digits = match["int"].replace(",", "")
    value = int(digits)
    suffix = match["suffix"] or ""
    decimals = match["dec"]
    if suffix in ("st", "nd", "rd", "th") and decimals is None:
        return ordinal(value)
    if suffix == "s" and decimals is None:  # "1990s", "80s"
        words = year(value) if len(digits) == 4 else cardinal(value)
        return words[:-1] + "ies" if words.endswith("y") else words + "s"
    if (
        len(digits) == 4
        and "," not in match["int"]
        and 1100 <= value <= 2099
        and not (decimals or suffix or match["cur"])
    ):
        return year(value)
    words = cardinal(value)
    if decimals is not None:
        words += " point " + " ".join(_ONES[int(digit)] for digit in decimals)
    if suffix == "%":
        words += " percent"
    elif suffix == "s":
        words += "s"
    if match["cur"]:
        words += " " + _CURRENCIES[match["cur"]]
    return words


def speakable(text: str) -> str:
    """``text`` as Piper should read it: numbers in words, symbols spoken or dropped."""
    text = _RANGE.sub(r"\1 to \2", text)
    text = _GLUED.sub(r"\1 ", text)
    text = _VERSUS.sub("versus", text)
    text = _NUMBER.sub(_number_words, text)
    for symbol, words in _SYMBOLS.items():
        text = text.replace(symbol, words)
    text = _UNSPEAKABLE.sub(" ", text)
    return " ".join(text.split())
