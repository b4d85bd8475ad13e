"""Numbers and symbols in topics become words Piper reads well."""

import pytest

from render.script.spoken import cardinal, ordinal, speakable, year


@pytest.mark.parametrize(
    ("text", "spoken"),
    [
        ("the 1969 moon landing", "the nineteen sixty-nine moon landing"),
        ("the 2008 crisis", "the two thousand eight crisis"),
        ("the year 1905", "the year nineteen oh five"),
        ("music of the 1990s", "music of the nineteen nineties"),
        ("World War 2", "World War two"),
        ("21st century cities", "twenty-first century cities"),
        ("the 5% rule", "the five percent rule"),
        ("$1,500 budget", "one thousand five hundred dollars budget"),
        ("pi is 3.14", "pi is three point one four"),
        ("1939-1945", "nineteen thirty-nine to nineteen forty-five"),
        ("R&D at 3M", "R and D at three M"),
        ("C++ vs Rust 🚀", "C plus plus versus Rust"),
    ],
)
def test_speakable(text, spoken):
    assert speakable(text) == spoken


def test_number_words():
    assert cardinal(0) == "zero"
    assert cardinal(115) == "one hundred fifteen"
    assert cardinal(2_000_042) == "two million forty-two"
    assert [ordinal(n) for n in (1, 2, 3, 12, 20, 42)] == [
        "first",
        "second",
        "third",
        "twelfth",
        "twentieth",
        "forty-second",
    ]
    assert year(2024) == "twenty twenty-four"
    assert year(1800) == "eighteen hundred"
