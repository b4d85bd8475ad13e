from __future__ import annotations

from render.artifacts import TimedSentence, TimedText, Timings
from render.captions import Phrase, caption_phrases, to_srt


def timings(words: list[tuple[str, float, float]], sentences=None) -> Timings:
    return Timings(
        sample_rate=22050,
        duration=words[-1][2] if words else 10.0,
        sentences=sentences or [TimedSentence(text="x", start=0, end=1, section=0)],
        words=[TimedText(text=t, start=s, end=e) for t, s, e in words],
        word_timing="estimated" if words else "none",
        voice="test",
    )


def test_phrases_break_at_punctuation_and_length() -> None:
    words = "The ocean is deep, darker than night, and colder than most people think it is."
    timed = [(w, i * 0.4, i * 0.4 + 0.35) for i, w in enumerate(words.split())]
    phrases = caption_phrases(timings(timed))
    assert [p.text for p in phrases] == [
        "The ocean is deep,",
        "darker than night,",
        "and colder than most people think it",
        "is.",
    ]
    for phrase in phrases:
        assert len(phrase.text) <= 42


def test_phrases_follow_the_words_in_time_without_overlap_or_flicker() -> None:
    words = "one two three. four five six. seven eight nine."
    timed = [(w, i * 0.5, i * 0.5 + 0.3) for i, w in enumerate(words.split())]
    phrases = caption_phrases(timings(timed))
    assert phrases[0].start == 0.0
    for before, after in zip(phrases, phrases[1:], strict=False):
        assert before.end <= after.start
        assert after.start - before.end < 0.35 or before.end == after.start
    assert phrases[-1].end >= timed[-1][2]


def test_without_word_timings_each_sentence_is_a_caption() -> None:
    sentences = [
        TimedSentence(text="First sentence.", start=0.0, end=1.5, section=0),
        TimedSentence(text="Second one.", start=2.5, end=3.0, section=1),
    ]
    phrases = caption_phrases(timings([], sentences))
    assert [(p.text, p.start) for p in phrases] == [("First sentence.", 0.0), ("Second one.", 2.5)]
    assert phrases[1].end - phrases[1].start >= 0.6  # very short ones are stretched


def test_srt_track() -> None:
    text = to_srt([Phrase(0.0, 1.25, "Hello there,"), Phrase(3661.5, 3662.0, "an hour on.")])
    assert text == (
        "1\n00:00:00,000 --> 00:00:01,250\nHello there,\n\n"
        "2\n01:01:01,500 --> 01:01:02,000\nan hour on.\n"
    )


def test_srt_becomes_webvtt_for_the_browser() -> None:
    from render.captions import srt_to_vtt

    srt = (
        "1\r\n00:00:00,000 --> 00:00:01,250\r\nHello there\r\n\r\n"
        "2\r\n00:00:01,250 --> 00:00:02,500\r\nAgain, 10,5\r\n"
    )
    assert srt_to_vtt(srt) == (
        "WEBVTT\n\n1\n00:00:00.000 --> 00:00:01.250\nHello there\n\n"
        "2\n00:00:01.250 --> 00:00:02.500\nAgain, 10,5\n"
    )
