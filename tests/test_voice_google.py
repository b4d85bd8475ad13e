"""The Google Cloud TTS voice provider, with the real client against a loopback fake.

The fake (``tests/fakes/google_tts_server.py``) speaks the REST wire protocol, issues
OAuth tokens for a real service-account key made here, refuses input over 5,000 bytes
and times every ``<mark>`` where it falls in its audio, so the split, the timings,
the bill and each failure are checked end to end.
"""

from __future__ import annotations

import json
import socket
import wave
import xml.etree.ElementTree as ET
from decimal import ROUND_HALF_EVEN, Decimal
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from google.api_core.exceptions import BadRequest
from google.cloud import texttospeech_v1beta1 as tts

from render.artifacts import Script, Section, Timings
from render.costs import Charge
from render.providers import ProviderChoice, ProviderFailure
from render.voice.google_tts import SAMPLE_RATE, _client, _credentials, speak_script_google
from render.voice.sentences import split_sentences, words_of
from render.voice.ssml import (
    MAX_REQUEST_BYTES,
    escape,
    pack,
    script_lines,
    split_to_fit,
)
from render.voice.synthesize import Pauses
from tests.fakes.google_tts_server import (
    SYNTHESIZE_PATH,
    TOKEN_PATH,
    FakeGoogleTTS,
    Speech,
    google_error,
    new_private_key,
)

VOICE = "en-US-Neural2-D"
PRICE = 0.3  # µ$ per character: fractional, so the rounding of each line is exercised
FAST = Speech(word_s=0.01, char_s=0.002, gap_s=0.01, tail_s=0.05)  # small WAVs, quick tests


def make_script(*narrations: str) -> Script:
    return Script(
        topic="test",
        title="Test",
        description="",
        niche="general",
        template="test",
        words_per_second=3.0,
        sections=[Section(heading=f"Part {i}", narration=n) for i, n in enumerate(narrations)],
    )


def long_narration(section: int, sentences: int) -> str:
    adjectives = ["quiet", "muddy", "ancient", "frozen", "restless", "golden", "narrow"]
    nouns = ["river", "valley", "harbour", "glacier", "meadow", "canyon", "delta"]
    return " ".join(
        f"Part {section} sentence {n}: the {adjectives[n % 7]} {nouns[(n + section) % 7]} "
        f'& its banks shape more < less > than "anyone" expected, don\'t they?'
        if n % 5 == 0
        else f"Sentence {n} of part {section} follows the {adjectives[(n * 3) % 7]} "
        f"{nouns[n % 7]} for {n + 2} miles before it turns."
        for n in range(sentences)
    )


SHORT = make_script(
    "Black holes bend light. Nobody has seen one up close.",
    "Astronomers still argue, and that is in the nature of science.",
)
LONG = make_script(long_narration(0, 60), long_narration(1, 45), long_narration(2, 50))


@pytest.fixture(scope="module")
def private_key() -> Any:
    return new_private_key()


@pytest.fixture
def fake() -> Any:
    with FakeGoogleTTS(FAST) as server:
        yield server


@pytest.fixture
def credentials(fake: FakeGoogleTTS, private_key: Any) -> str:
    return json.dumps(fake.service_account_info(private_key))


def choice_for(fake: FakeGoogleTTS, **overrides: Any) -> ProviderChoice:
    fields: dict[str, Any] = {
        "name": f"google-tts:{VOICE}",
        "kind": "google-tts",
        "model": VOICE,
        "base_url": fake.url,
        "prices": {"character": PRICE},
        "timeout_s": 5.0,
    }
    return ProviderChoice(**(fields | overrides))


class Bill:
    def __init__(self) -> None:
        self.charges: list[Charge] = []

    def __call__(self, charge: Charge) -> None:
        self.charges.append(charge)


def speak(
    fake: FakeGoogleTTS,
    credentials: str | None,
    out: Path,
    script: Script = SHORT,
    *,
    budget: int | None = None,
    bill: Bill | None = None,
    **overrides: Any,
) -> Timings:
    return speak_script_google(
        choice_for(fake, **overrides),
        credentials,
        script,
        out,
        budget_left_micro_usd=budget,
        on_charge=bill if bill is not None else Bill(),
    )


def by_hand(characters: int) -> int:
    exact = Decimal(characters) * Decimal(str(PRICE))
    return int(exact.quantize(Decimal(1), rounding=ROUND_HALF_EVEN))


def read_wav(path: Path) -> tuple[np.ndarray, wave._wave_params]:
    with wave.open(str(path), "rb") as reader:
        params = reader.getparams()
        samples = np.frombuffer(reader.readframes(params.nframes), dtype="<i2")
    return samples, params


def secrets_of(fake: FakeGoogleTTS, credentials: str) -> list[str]:
    info = json.loads(credentials)
    key_lines = [line for line in info["private_key"].splitlines() if "-----" not in line]
    return [info["private_key_id"], *key_lines, *fake.issued, "eyJ"]


# -- SSML ---------------------------------------------------------------------------------


def test_escaped_text_parses_back_to_itself():
    text = 'Tom & Jerry <3 "quotes" don\'t > 2\x07 done'
    ssml = f"<speak>{escape(text)}</speak>"
    assert ET.fromstring(ssml).text == text.replace("\x07", "")
    assert "don't" in escape(text) and '"quotes"' in escape(text)  # not billed as entities


def test_long_sentence_is_cut_at_spaces_and_a_long_word_between_characters():
    sentence = " ".join(f"word{n} & more" for n in range(900))
    pieces = split_to_fit(sentence, 1000)
    assert len(pieces) > 1 and " ".join(pieces) == sentence
    assert all(len(escape(piece).encode()) <= 1000 for piece in pieces)
    assert all(not piece.startswith(" ") and not piece.endswith(" ") for piece in pieces)

    word = "ü" * 700 + "&" * 100  # 1,400 + 500 bytes escaped, no space to cut at
    pieces = split_to_fit(word, 1000)
    assert "".join(pieces) == word and len(pieces) == 2
    assert all(len(escape(piece).encode()) <= 1000 for piece in pieces)


def test_requests_fit_the_byte_limit_and_carry_pauses_and_marks():
    lines = script_lines(LONG, Pauses(sentence=0.25, section=0.7))
    requests = pack(lines)
    assert len(requests) >= 3
    assert all(request.size <= MAX_REQUEST_BYTES for request in requests)
    assert all(request.size > MAX_REQUEST_BYTES - 300 for request in requests[:-1])  # packed
    marks = [mark for request in requests for mark in request.marks]
    assert marks == [f"s{n}" for n in range(len(lines))]
    for request in requests:
        root = ET.fromstring(request.ssml)
        assert [m.get("name") for m in root.iter("mark")] == list(request.marks)
        breaks = [b.get("time") for b in root.iter("break")]
        assert set(breaks) <= {"250ms", "700ms"} and len(breaks) == len(request.marks) - 1
    # A pause that falls between two requests is silence between them, not a tag.
    assert requests[1].lead_silence in (0.25, 0.7) and requests[0].lead_silence == 0


# -- speaking -----------------------------------------------------------------------------


def test_long_script_is_one_wav_with_timings_that_match_it(fake, credentials, tmp_path, caplog):
    out = tmp_path / "voice.wav"
    bill = Bill()
    fractions: list[float] = []
    timings = speak_script_google(
        choice_for(fake),
        credentials,
        LONG,
        out,
        budget_left_micro_usd=1_000_000,
        on_charge=bill,
        progress=fractions.append,
    )
    samples, params = read_wav(out)
    assert (params.nchannels, params.sampwidth, params.framerate) == (1, 2, SAMPLE_RATE)
    assert timings.sample_rate == SAMPLE_RATE and timings.voice == VOICE
    assert timings.duration == round(params.nframes / SAMPLE_RATE, 4)

    # Several requests, each within the limit, each for the voice asked for, with marks.
    sent = fake.synthesized()
    assert len(sent) >= 3
    for body in sent:
        assert len(body["input"]["ssml"].encode()) <= MAX_REQUEST_BYTES
        assert body["voice"] == {"languageCode": "en-US", "name": VOICE}
        assert body["audioConfig"] == {"audioEncoding": "LINEAR16", "sampleRateHertz": 24000}
        assert body["enableTimePointing"] == ["SSML_MARK"]
    assert len(fake.requests_to(TOKEN_PATH)) == 1  # one token for the whole script
    assert len(fake.requests) == len(sent) + 1  # and nothing else, here or on the internet
    assert "googleapis.com" not in caplog.text

    # Every sentence, in order, in its section, inside the audio, none overlapping.
    expected = [
        (index, sentence)
        for index, section in enumerate(LONG.sections)
        for sentence in split_sentences(section.narration)
    ]
    assert [(s.section, s.text) for s in timings.sentences] == expected
    previous_end = 0.0
    for sentence in timings.sentences:
        assert previous_end <= sentence.start < sentence.end <= timings.duration
        previous_end = sentence.end

    # The times are where the audio is: a tone starts at each sentence's start, the
    # pause before it is silence, and nothing is spoken between a sentence's end and
    # the next start.
    for before, sentence in zip([None, *timings.sentences], timings.sentences, strict=False):
        start = round(sentence.start * SAMPLE_RATE)
        assert np.abs(samples[start : start + 48]).max() > 1000
        if before is not None:
            pause = 0.7 if before.section != sentence.section else 0.25
            assert not samples[start - round(pause * SAMPLE_RATE) + 2 : start - 2].any()
            assert not samples[round(before.end * SAMPLE_RATE) + 2 : start - 2].any()

    # Words: estimated, every word of every sentence, in order, inside its sentence.
    assert timings.word_timing == "estimated"
    assert [w.text for w in timings.words] == [
        w for s in timings.sentences for w in words_of(s.text)
    ]
    words = iter(timings.words)
    for sentence in timings.sentences:
        for _ in words_of(sentence.text):
            word = next(words)
            assert sentence.start <= word.start <= word.end <= sentence.end

    # One charge per request: the characters of the SSML sent, at the price, rounded.
    assert [c.units for c in bill.charges] == [len(b["input"]["ssml"]) for b in sent]
    assert [c.amount_micro_usd for c in bill.charges] == [by_hand(c.units) for c in bill.charges]
    assert [c.detail for c in bill.charges] == [
        {"request": n, "voice": VOICE, "bytes": len(b["input"]["ssml"].encode())}
        for n, b in enumerate(sent)
    ]
    assert {(c.provider, c.unit, c.unit_price_micro_usd) for c in bill.charges} == {
        (f"google-tts:{VOICE}", "character", PRICE)
    }
    assert len(fractions) == len(sent) and fractions == sorted(fractions) and fractions[-1] == 1


def test_multibyte_text_is_split_by_bytes_not_characters(fake, credentials, tmp_path):
    german = " ".join(f"Größere Übungen für {n} Bären äßen Käse über Brücken." for n in range(120))
    japanese = "日本語の文章は空白がないので、文字の境目で区切る必要があります。" * 60
    assert len(japanese) < MAX_REQUEST_BYTES < len(japanese.encode())  # fits by characters only
    script = make_script(german, japanese)
    timings = speak(fake, credentials, tmp_path / "voice.wav", script)

    sent = [body["input"]["ssml"] for body in fake.synthesized()]
    assert all(len(ssml.encode()) <= MAX_REQUEST_BYTES for ssml in sent)
    # The Japanese went out in two requests, each full by bytes and a third full by characters.
    japanese_requests = [ssml for ssml in sent if "日本" in ssml]
    assert len(japanese_requests) == 2
    assert all(len(ssml) < MAX_REQUEST_BYTES / 2 for ssml in japanese_requests)
    assert len(japanese_requests[0].encode()) > MAX_REQUEST_BYTES - 100
    spoken_japanese = [s.text for s in timings.sentences if s.section == 1]
    assert len(spoken_japanese) == 2 and "".join(spoken_japanese) == japanese
    assert [s.text for s in timings.sentences if s.section == 0] == split_sentences(german)
    assert timings.sentences[-1].end <= timings.duration


def test_an_expired_token_is_refreshed_once(fake, credentials, tmp_path):
    speak(fake, credentials, tmp_path / "one.wav")
    fake.expire_tokens()
    speak(fake, credentials, tmp_path / "two.wav")
    assert [r.path for r in fake.requests].count(TOKEN_PATH) == 2


def test_the_budget_is_checked_before_any_request(fake, credentials, tmp_path):
    out = tmp_path / "voice.wav"
    total = sum(by_hand(len(request.ssml)) for request in pack(script_lines(LONG)))
    bill = Bill()
    with pytest.raises(ProviderFailure) as failure:
        speak(fake, credentials, out, LONG, budget=total - 1, bill=bill)
    assert failure.value.kind == "budget" and not failure.value.counts_against_health
    assert fake.requests == [] and bill.charges == [] and list(tmp_path.iterdir()) == []

    speak(fake, credentials, out, LONG, budget=total, bill=bill)  # exactly enough
    assert sum(c.amount_micro_usd for c in bill.charges) == total


def test_a_failure_after_the_first_request_leaves_it_billed_and_no_wav(
    fake, credentials, tmp_path, monkeypatch
):
    answer = fake.respond

    def second_fails(request):
        if request.path == SYNTHESIZE_PATH and len(fake.requests_to(SYNTHESIZE_PATH)) == 2:
            return google_error(503, "UNAVAILABLE", "The service is currently unavailable.")
        return answer(request)

    monkeypatch.setattr(fake, "respond", second_fails)
    bill = Bill()
    with pytest.raises(ProviderFailure) as failure:
        speak(fake, credentials, tmp_path / "voice.wav", LONG, bill=bill)
    assert failure.value.kind == "unavailable"
    assert len(fake.synthesized()) == 2
    assert [c.detail["request"] for c in bill.charges] == [0]  # the first stays billed
    assert list(tmp_path.iterdir()) == []


# -- failures -----------------------------------------------------------------------------


def google_body(code: int, status: str, message: str, **extra: Any) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "status": status, **extra}}


QUOTA_DAY = google_body(
    429,
    "RESOURCE_EXHAUSTED",
    "Quota exceeded for quota metric 'Characters' and limit 'Characters per day'.",
)
BILLING = google_body(
    403,
    "PERMISSION_DENIED",
    "This API method requires billing to be enabled.",
    details=[
        {
            "@type": "type.googleapis.com/google.rpc.ErrorInfo",
            "reason": "BILLING_DISABLED",
            "domain": "googleapis.com",
        }
    ],
)


def no_audio(answer: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in answer.items() if key != "audioContent"}


def raw_pcm(answer: dict[str, Any]) -> dict[str, Any]:
    return answer | {"audioContent": "AAAAAAAAAAAAAAAAAAAAAAAA"}  # samples with no RIFF header


def no_timepoints(answer: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in answer.items() if key != "timepoints"}


def stranger_mark(answer: dict[str, Any]) -> dict[str, Any]:
    return answer | {"timepoints": [*answer["timepoints"], {"markName": "x9", "timeSeconds": 0}]}


def mark_past_the_end(answer: dict[str, Any]) -> dict[str, Any]:
    return answer | {"timepoints": [{**answer["timepoints"][-1], "timeSeconds": 99.0}]}


def fail(status: int, body: Any, **options: Any) -> Any:
    return lambda fake: fake.fail_next(status, body, match=SYNTHESIZE_PATH, **options)


SLOW_DOWN = google_body(429, "RESOURCE_EXHAUSTED", "Slow down.")
BAD_ANSWERS = {
    # id: (how the fake misbehaves, the failure kind, how many requests are billed)
    "429": (fail(429, SLOW_DOWN, headers={"Retry-After": "7"}), "rate_limited", 0),
    "429-daily-quota": (fail(429, QUOTA_DAY), "quota", 0),
    "403-billing": (fail(403, BILLING), "quota", 0),
    "403-denied": (fail(403, google_body(403, "PERMISSION_DENIED", "Denied.")), "auth", 0),
    "500": (fail(500, google_body(500, "INTERNAL", "Internal error.")), "unavailable", 0),
    "503": (fail(503, google_body(503, "UNAVAILABLE", "Try later.")), "unavailable", 0),
    "502-html": (fail(502, b"<html>Bad Gateway</html>"), "unavailable", 0),
    "504": (fail(504, google_body(504, "DEADLINE_EXCEEDED", "Deadline.")), "timeout", 0),
    "400": (fail(400, google_body(400, "INVALID_ARGUMENT", "Invalid SSML.")), "refused", 0),
    "stall": (lambda f: f.stall_next(1.5, match=SYNTHESIZE_PATH), "timeout", 0),
    "token-stall": (lambda f: f.stall_next(1.5, match=TOKEN_PATH), "timeout", 0),
    "garbled": (lambda f: f.garble_next(match=SYNTHESIZE_PATH), "malformed", 0),
    "no-audio": (lambda f: f.tamper_next(no_audio), "malformed", 0),
    # Audio that came back is billed even when it cannot be used.
    "not-a-wav": (lambda f: f.tamper_next(raw_pcm), "malformed", 1),
    "no-timepoints": (lambda f: f.tamper_next(no_timepoints), "malformed", 1),
    "unknown-mark": (lambda f: f.tamper_next(stranger_mark), "malformed", 1),
    "mark-past-the-end": (lambda f: f.tamper_next(mark_past_the_end), "malformed", 1),
    "401": (lambda f: setattr(f, "reject_tokens", True), "auth", 0),
    "token-invalid-grant": (
        lambda f: f.fail_next(
            400,
            {"error": "invalid_grant", "error_description": "Invalid JWT Signature."},
            match=TOKEN_PATH,
        ),
        "auth",
        0,
    ),
}


@pytest.mark.parametrize(("misbehave", "kind", "billed"), BAD_ANSWERS.values(), ids=BAD_ANSWERS)
def test_each_bad_answer_is_a_failure_of_its_kind(
    fake, credentials, tmp_path, misbehave, kind, billed
):
    misbehave(fake)
    bill = Bill()
    with pytest.raises(ProviderFailure) as failure:
        speak(fake, credentials, tmp_path / "voice.wav", bill=bill, timeout_s=0.5)
    assert failure.value.kind == kind, str(failure.value)
    assert failure.value.provider == f"google-tts:{VOICE}"
    assert len(bill.charges) == billed
    assert list(tmp_path.iterdir()) == []  # no WAV, no temp file
    message = str(failure.value)
    assert [secret for secret in secrets_of(fake, credentials) if secret in message] == []
    if kind == "rate_limited":
        assert failure.value.retry_after_s == 7
    if kind == "refused":
        assert "Invalid SSML" in message  # Google's reason reaches the operator


def test_the_fake_refuses_input_over_5000_bytes(fake, credentials):
    client = _client(choice_for(fake), _credentials("test", credentials))
    request = tts.SynthesizeSpeechRequest(
        input=tts.SynthesisInput(ssml="<speak>" + "ä" * 2500 + "</speak>"),
        voice=tts.VoiceSelectionParams(language_code="en-US", name=VOICE),
        audio_config=tts.AudioConfig(audio_encoding=tts.AudioEncoding.LINEAR16),
    )
    try:
        # Over REST a 400 raises BadRequest (InvalidArgument is the gRPC-named subclass).
        with pytest.raises(BadRequest, match="longer than the limit of 5000 bytes"):
            client.synthesize_speech(request=request, timeout=5, retry=None)
    finally:
        client.transport.close()


def test_an_unreachable_endpoint_is_unavailable(fake, private_key, tmp_path):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    info = fake.service_account_info(private_key) | {"token_uri": f"http://127.0.0.1:{port}/token"}
    with pytest.raises(ProviderFailure) as failure:
        speak(fake, json.dumps(info), tmp_path / "voice.wav", base_url=f"http://127.0.0.1:{port}")
    assert failure.value.kind == "unavailable"


@pytest.mark.parametrize(
    ("credentials_json", "kind"),
    [
        (None, "not_configured"),
        ("", "not_configured"),
        ('{"type": "service_account", "private_key": "-----BEGIN PRIVATE KEY-----\nMIIE', "auth"),
        ('{"type": "authorized_user", "refresh_token": "1//secret-refresh"}', "auth"),
        (
            '{"type": "service_account", "private_key": "not a key", "client_email": "a@b", '
            '"token_uri": "http://127.0.0.1:9/token"}',
            "auth",
        ),
    ],
    ids=["none", "empty", "not-json", "not-a-service-account", "bad-key"],
)
def test_unusable_credentials_fail_without_showing_them(fake, tmp_path, credentials_json, kind):
    with pytest.raises(ProviderFailure) as failure:
        speak(fake, credentials_json, tmp_path / "voice.wav")
    assert failure.value.kind == kind
    for secret in ("MIIE", "secret-refresh", "not a key", "BEGIN"):
        assert secret not in str(failure.value)
    assert fake.requests == []


def test_a_key_google_does_not_know_is_refused_at_the_token_endpoint(fake, tmp_path):
    stranger = FakeGoogleTTS()  # trusts a key the fake in use never saw
    info = stranger.service_account_info(new_private_key()) | {"token_uri": f"{fake.url}/token"}
    with pytest.raises(ProviderFailure) as failure:
        speak(fake, json.dumps(info), tmp_path / "voice.wav")
    assert failure.value.kind == "auth" and "invalid_grant" in str(failure.value)
    assert fake.synthesized() == []
    stranger._server.server_close()


@pytest.mark.parametrize(
    ("overrides", "kind"),
    [
        ({"model": None}, "not_configured"),
        ({"model": "Neural2"}, "not_configured"),
        ({"prices": {}}, "not_configured"),
    ],
    ids=["no-voice", "not-a-voice-name", "no-price"],
)
def test_a_choice_it_cannot_use_is_not_configured(fake, credentials, tmp_path, overrides, kind):
    with pytest.raises(ProviderFailure) as failure:
        speak(fake, credentials, tmp_path / "voice.wav", **overrides)
    assert failure.value.kind == kind and fake.requests == []
