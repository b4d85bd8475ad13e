"""A loaded Piper voice: one sentence of text in, its audio and word spans out."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from render.voice.alignment import with_alignment_output
from render.voice.sentences import words_of
from render.voice.words import (
    Span,
    engine_spans,
    estimated_spans,
    phoneme_words,
    voiced_span,
    word_spans,
)

# Piper's voices draw random noise inside the model; seeding onnxruntime before the
# session is created makes a freshly loaded voice speak the same text the same way,
# so a stage that is re-run in a new worker writes the same WAV.
NOISE_SEED = 0


@dataclass(frozen=True)
class SpokenSentence:
    audio: np.ndarray  # int16 samples, mono
    words: list[Span]  # one per word of the sentence, in samples from its start
    engine_timed: bool  # word spans came from the engine's alignments, not an estimate


class PiperSynthesizer:
    """A Piper voice loaded once; ``speak`` is called for each sentence.

    Not thread-safe: Piper's phonemizer and the model's noise state are shared.
    """

    def __init__(
        self,
        model_path: Path,
        config_path: Path,
        *,
        alignments: bool = True,
        threads: int | None = None,
    ) -> None:
        import onnxruntime
        from piper import PiperVoice
        from piper.config import PiperConfig

        self.model_path = Path(model_path)
        config = json.loads(Path(config_path).read_text(encoding="utf-8"))
        model: str | bytes = str(self.model_path)
        if alignments:
            patched = with_alignment_output(self.model_path.read_bytes())
            if patched is not None:
                model = patched
        onnxruntime.set_seed(NOISE_SEED)
        options = onnxruntime.SessionOptions()
        if threads:
            # Beside other CPU stages: keep to the share of the cores the scheduler gave.
            options.intra_op_num_threads = threads
            options.inter_op_num_threads = 1
        session = onnxruntime.InferenceSession(
            model, sess_options=options, providers=["CPUExecutionProvider"]
        )
        self.voice = PiperVoice(config=PiperConfig.from_dict(config), session=session)
        self.sample_rate: int = self.voice.config.sample_rate
        # A voice patched here, or shipped patched, has a second output: the durations.
        self.has_alignments = len(session.get_outputs()) > 1

    def speak(self, sentence: str, length_scale: float | None = None) -> SpokenSentence:
        from piper.config import SynthesisConfig

        config = SynthesisConfig(length_scale=length_scale)
        chunks = list(
            self.voice.synthesize(sentence, config, include_alignments=self.has_alignments)
        )
        text_words = words_of(sentence)
        if not chunks:
            return SpokenSentence(
                np.zeros(0, dtype=np.int16), [Span(0, 0)] * len(text_words), False
            )
        # espeak may split one of our sentences in two ("Dr. Smith"): join the pieces.
        audio = np.concatenate([chunk.audio_int16_array for chunk in chunks])
        spoken = [word for chunk in chunks for word in phoneme_words(chunk.phonemes)]
        spans = self._engine_spans(chunks) if self.has_alignments else None
        engine_timed = spans is not None and len(spans) == len(spoken)
        whole = voiced_span(audio)
        if not engine_timed:
            spans = estimated_spans(whole, spoken)
        return SpokenSentence(audio, word_spans(text_words, spoken, spans, whole), engine_timed)

    @staticmethod
    def _engine_spans(chunks: list) -> list[Span] | None:
        spans: list[Span] = []
        offset = 0
        for chunk in chunks:
            if not chunk.phoneme_alignments:
                return None
            pairs = [(a.phoneme, a.num_samples) for a in chunk.phoneme_alignments]
            if sum(samples for _, samples in pairs) != len(chunk.audio_float_array):
                return None  # alignments that do not cover the audio cannot be trusted
            spans += [Span(s.start + offset, s.end + offset) for s in engine_spans(pairs)]
            offset += len(chunk.audio_float_array)
        return spans
