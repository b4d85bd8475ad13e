"""The voice stage on Google Cloud Text-to-Speech: a Script spoken into one WAV, with timings.

The script goes out as SSML requests of at most 5,000 bytes (``render.voice.ssml``),
each line behind a ``<mark>``; the v1beta1 API answers with every mark's time, so a
sentence starts at its mark's time plus the length of the audio before its request.
It ends where the next one starts, less the ``<break>`` asked for between them, or
where its request's audio ends. Words get no marks of their own (every tag is billed
input): their times are shared out within the sentence by their length, and the
timings say ``word_timing="estimated"``.

The output follows the Piper path's conventions: one mono 16-bit WAV at 24 kHz
written atomically, sentence times in seconds rounded to 0.1 ms, sections and
sentences separated by ``Pauses``.

Every request is billed as the characters of the whole SSML document sent, tags
included: Google's rules on which tags count have changed over time, and paying for
markup on the bill is safer than a budget that comes out short. The whole script's
price is checked against the video's budget before the first request, so a script
the budget cannot pay for costs nothing (its partial audio would be thrown away).

Every way the call can fail ends in a ``ProviderFailure`` of the right kind, with a
message that never holds the key, the signed assertion or the access token.
"""

from __future__ import annotations

import io
import json
import math
import re
import wave
from collections.abc import Callable
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any, NoReturn
from urllib.parse import urlsplit

from render.artifacts import Script, TimedSentence, TimedText, Timings
from render.costs import Charge, amount_micro_usd, usd
from render.providers import FailureKind, ProviderChoice, ProviderFailure
from render.voice.sentences import words_of
from render.voice.ssml import DEFAULT_PAUSES, Request, break_ms, pack, script_lines
from render.voice.synthesize import TIME_DECIMALS, Pauses
from render.voice.wav import atomic_wav

SAMPLE_RATE = 24_000
SCOPES = ("https://www.googleapis.com/auth/cloud-platform",)
DEFAULT_HOST = "texttospeech.googleapis.com"
# A mark may fall this far past the end of its audio (rounding, trailing frames) and
# be taken as the end; further is a broken answer.
_MARK_SLACK_S = 0.05
_MESSAGE_LIMIT = 300
_VOICE_NAME = re.compile(r"^([a-z]{2,3}-[A-Za-z0-9]{2,4})-\S+$")
_JWT = re.compile(r"eyJ[\w-]+\.[\w-]+\.[\w-]*")
_PEM = re.compile(r"-----BEGIN [A-Z ]+-----.*?(-----END [A-Z ]+-----|$)", re.DOTALL)
# A 429 or 403 that says the account is spent, not going too fast: billing off, a daily quota.
_QUOTA_WORDS = ("billing", "per day", "perday", "daily")


def speak_script_google(
    choice: ProviderChoice,
    credentials_json: str | None,
    script: Script,
    out_wav: Path,
    *,
    budget_left_micro_usd: int | None,
    on_charge: Callable[[Charge], None],
    progress: Callable[[float], None] | None = None,
    pauses: Pauses = DEFAULT_PAUSES,
) -> Timings:
    """Speak ``script`` with the Google voice ``choice.model`` into ``out_wav``.

    ``on_charge`` is called once per request Google answered with audio, as soon as
    it did. On any failure no WAV is left at ``out_wav`` and a ``ProviderFailure``
    says why. Blocking (network): run it in a worker, not on an event loop.
    """
    provider = choice.name
    voice = choice.model or ""
    match = _VOICE_NAME.match(voice)
    if match is None:
        raise ProviderFailure(
            provider, "not_configured", f"{voice!r} is not a Google voice name like en-US-Neural2-D"
        )
    language = match.group(1)
    price = choice.prices.get("character")
    if price is None:
        raise ProviderFailure(provider, "not_configured", f"no price per character for {voice}")

    plan = pack(script_lines(script, pauses))
    if not plan:
        raise ValueError("script has no narration to speak")
    billed = [len(request.ssml) for request in plan]
    total = sum(amount_micro_usd(characters, price) for characters in billed)
    if budget_left_micro_usd is not None and total > budget_left_micro_usd:
        raise ProviderFailure(
            provider,
            "budget",
            f"speaking {sum(billed)} characters in {len(plan)} requests costs {total} µ$ "
            f"({usd(total)}), more than the {budget_left_micro_usd} µ$ left",
        )

    credentials = _credentials(provider, credentials_json)
    secrets = _Secrets(credentials)
    client = _client(choice, credentials)
    sentences: list[TimedSentence] = []
    words: list[TimedText] = []
    position = 0  # samples written so far
    try:
        with atomic_wav(out_wav, SAMPLE_RATE) as wav:
            for number, request in enumerate(plan):
                lead = round(request.lead_silence * SAMPLE_RATE)
                wav.writeframes(bytes(2 * lead))
                position += lead
                response = _synthesize(client, choice, language, request, secrets)
                if response.audio_content:
                    on_charge(
                        Charge(
                            provider,
                            billed[number],
                            "character",
                            price,
                            detail={"request": number, "voice": voice, "bytes": request.size},
                        )
                    )
                frames = _audio_frames(provider, response.audio_content)
                length = len(frames) // 2
                marks = _mark_samples(provider, request, response.timepoints, length)
                wav.writeframes(frames)
                for index, line in enumerate(request.lines):
                    start = position + marks[index]
                    if index + 1 < len(request.lines):
                        following = position + marks[index + 1]
                        pause = break_ms(request.lines[index + 1].pause_before)
                        gap = round(pause * SAMPLE_RATE / 1000)
                        end = min(following, max(start, following - gap))
                    else:
                        end = position + length
                    sentences.append(
                        TimedSentence(
                            text=line.text,
                            start=_s(start),
                            end=_s(end),
                            section=line.section,
                        )
                    )
                    words.extend(_estimated_words(line.text, start, end))
                position += length
                if progress is not None:
                    progress(sum(billed[: number + 1]) / sum(billed))
    finally:
        client.transport.close()

    return Timings(
        sample_rate=SAMPLE_RATE,
        duration=_s(position),
        sentences=sentences,
        words=words,
        word_timing="estimated",
        voice=voice,
    )


# -- the client -------------------------------------------------------------------------


def _credentials(provider: str, credentials_json: str | None) -> Any:
    from google.oauth2 import service_account

    if not credentials_json or not credentials_json.strip():
        raise ProviderFailure(provider, "not_configured", "no service-account credentials")
    try:
        info = json.loads(credentials_json)
    except ValueError:
        raise ProviderFailure(
            provider, "auth", "the service-account credentials are not valid JSON"
        ) from None
    if not isinstance(info, dict) or info.get("type") != "service_account":
        raise ProviderFailure(
            provider, "auth", "the credentials are not a Google service-account key"
        )
    try:
        return service_account.Credentials.from_service_account_info(info, scopes=list(SCOPES))
    except Exception as exc:  # missing fields, a key that does not load: never show the key
        raise ProviderFailure(
            provider, "auth", f"the service-account key cannot be used ({type(exc).__name__})"
        ) from None


def _client(choice: ProviderChoice, credentials: Any) -> Any:
    """A REST client on ``choice.base_url`` (Google's endpoint when unset).

    The transport is built here, not by ``transport="rest"``, to turn off the
    client's default of signing its own JWT for service accounts: the key is then
    exchanged for an access token at the key's ``token_uri``, so a deleted key or a
    disabled account is refused there, plainly (``invalid_grant``), before any
    input is sent, and the whole path can be tested against a loopback fake.
    """
    from google.cloud.texttospeech_v1beta1 import TextToSpeechClient
    from google.cloud.texttospeech_v1beta1.services.text_to_speech.transports import (
        TextToSpeechRestTransport,
    )

    host = (choice.base_url or DEFAULT_HOST).rstrip("/")
    if not _is_google(host):
        _no_boundary_lookup(credentials)
    transport = TextToSpeechRestTransport(
        host=host,
        credentials=credentials,
        always_use_jwt_access=False,
    )
    return TextToSpeechClient(transport=transport)


def _is_google(host: str) -> bool:
    name = urlsplit(host if "://" in host else f"https://{host}").hostname or ""
    return name == "googleapis.com" or name.endswith(".googleapis.com")


def _no_boundary_lookup(credentials: Any) -> None:
    """No Regional Access Boundary lookup for an endpoint that is not Google's.

    After each new token, google-auth (2.6x) starts a background request to
    iamcredentials.googleapis.com for the locations the account may use. That is
    Google's business only: against a loopback fake or a self-hosted endpoint it
    would send the token to Google and reach for the internet. It has no switch,
    so the check that decides it is answered "no" on these credentials alone.
    """
    if hasattr(credentials, "_is_regional_access_boundary_lookup_required"):
        credentials._is_regional_access_boundary_lookup_required = lambda: False


def _synthesize(
    client: Any, choice: ProviderChoice, language: str, request: Request, secrets: _Secrets
) -> Any:
    from google.cloud import texttospeech_v1beta1 as tts

    message = tts.SynthesizeSpeechRequest(
        input=tts.SynthesisInput(ssml=request.ssml),
        voice=tts.VoiceSelectionParams(language_code=language, name=choice.model),
        audio_config=tts.AudioConfig(
            audio_encoding=tts.AudioEncoding.LINEAR16, sample_rate_hertz=SAMPLE_RATE
        ),
        enable_time_pointing=[tts.SynthesizeSpeechRequest.TimepointType.SSML_MARK],
    )
    try:
        # No retries here: a failure goes back to the stage at once, which falls back
        # to the next voice provider (the supervisor's breaker decides about later calls).
        return client.synthesize_speech(request=message, timeout=choice.timeout_s, retry=None)
    except Exception as exc:
        _raise_failure(choice.name, exc, secrets)


# -- what came back ---------------------------------------------------------------------


def _audio_frames(provider: str, audio: bytes) -> bytes:
    """The samples of a LINEAR16 answer: a WAV, which must be mono 16-bit at our rate."""
    if not audio:
        _malformed(provider, "the answer has no audio")
    try:
        with wave.open(io.BytesIO(audio), "rb") as reader:
            channels, width, rate = (
                reader.getnchannels(),
                reader.getsampwidth(),
                reader.getframerate(),
            )
            frames = reader.readframes(reader.getnframes())
    except (wave.Error, EOFError) as exc:
        _malformed(provider, f"the audio is not a WAV ({exc})")
    if (channels, width, rate) != (1, 2, SAMPLE_RATE):
        _malformed(
            provider,
            f"the audio is {channels} channel(s), {8 * width}-bit at {rate} Hz, "
            f"not mono 16-bit at {SAMPLE_RATE} Hz",
        )
    if not frames:
        _malformed(provider, "the audio is empty")
    return frames[: len(frames) // 2 * 2]


def _mark_samples(provider: str, request: Request, timepoints: Any, length: int) -> list[int]:
    """Where each of the request's marks falls in its audio, in samples."""
    expected = set(request.marks)
    found: dict[str, int] = {}
    for point in timepoints:
        name, seconds = point.mark_name, float(point.time_seconds)
        if name not in expected:
            _malformed(provider, f"a timepoint for a mark that was not sent ({name[:40]!r})")
        if not math.isfinite(seconds) or not 0 <= seconds <= length / SAMPLE_RATE + _MARK_SLACK_S:
            _malformed(provider, f"mark {name} at {seconds} s is outside the audio")
        sample = min(length, round(seconds * SAMPLE_RATE))
        if found.setdefault(name, sample) != sample:
            _malformed(provider, f"mark {name} has two times")
    missing = [name for name in request.marks if name not in found]
    if missing:
        _malformed(provider, f"no timepoint for {len(missing)} of {len(request.marks)} marks")
    samples = [found[name] for name in request.marks]
    if any(later < earlier for earlier, later in zip(samples, samples[1:], strict=False)):
        _malformed(provider, "the marks' times are out of order")
    return samples


def _estimated_words(text: str, start: int, end: int) -> list[TimedText]:
    """The sentence's words over [start, end), each given time in proportion to its length."""
    spoken = words_of(text)
    weights = [sum(char.isalnum() for char in word) or 1 for word in spoken]
    total = sum(weights)
    timed: list[TimedText] = []
    done = 0
    for word, weight in zip(spoken, weights, strict=True):
        begin = start + (end - start) * done // total
        done += weight
        timed.append(
            TimedText(text=word, start=_s(begin), end=_s(start + (end - start) * done // total))
        )
    return timed


def _s(samples: int) -> float:
    return round(samples / SAMPLE_RATE, TIME_DECIMALS)


def _malformed(provider: str, message: str) -> NoReturn:
    raise ProviderFailure(provider, "malformed", message)


# -- errors -----------------------------------------------------------------------------


class _Secrets:
    """Takes out of a message anything that could be a credential."""

    def __init__(self, credentials: Any) -> None:
        self._credentials = credentials
        self._fixed = [
            value
            for value in (getattr(credentials, "_private_key_id", None),)
            if isinstance(value, str) and len(value) >= 8
        ]

    def scrub(self, text: str) -> str:
        token = getattr(self._credentials, "token", None)
        for secret in [*self._fixed, *([token] if isinstance(token, str) and token else [])]:
            text = text.replace(secret, "[redacted]")
        text = _PEM.sub("[redacted key]", _JWT.sub("[redacted]", text))
        text = " ".join(text.split())
        return text if len(text) <= _MESSAGE_LIMIT else text[: _MESSAGE_LIMIT - 1] + "…"


def _raise_failure(provider: str, exc: Exception, secrets: _Secrets) -> NoReturn:
    kind, message, retry_after = _classify(exc)
    raise ProviderFailure(
        provider, kind, secrets.scrub(message), retry_after_s=retry_after
    ) from None


def _classify(exc: Exception) -> tuple[FailureKind, str, float | None]:
    """The failure kind of what the REST client raised, checked against the fake.

    Over REST the client raises the HTTP-named classes (``TooManyRequests``,
    ``Unauthorized``, ``Forbidden``, ``BadRequest``, ``GatewayTimeout``); the gRPC-named
    ones (``ResourceExhausted``, ``Unauthenticated``, ``PermissionDenied``,
    ``InvalidArgument``, ``DeadlineExceeded``) are their subclasses, so both are caught.
    """
    import requests
    import urllib3.exceptions
    from google.api_core import exceptions as api
    from google.auth import exceptions as auth
    from google.protobuf.json_format import ParseError

    if isinstance(exc, api.GoogleAPICallError):
        message = f"HTTP {exc.code}: {exc.message}"
        if isinstance(exc, api.TooManyRequests):
            if _looks_like_quota(exc):
                return "quota", message, None
            return "rate_limited", message, _retry_after(exc)
        if isinstance(exc, api.Unauthorized):
            return "auth", message, None
        if isinstance(exc, api.Forbidden):
            return ("quota" if _looks_like_quota(exc) else "auth"), message, None
        if isinstance(exc, api.GatewayTimeout):
            return "timeout", message, None
        if isinstance(exc, api.ServerError):
            return "unavailable", message, _retry_after(exc)
        if isinstance(exc, api.NotFound | api.MethodNotAllowed):
            return "unavailable", f"{message} (is the endpoint a Text-to-Speech API?)", None
        return "refused", message, None
    if isinstance(exc, auth.RefreshError):
        first = exc.args[0] if exc.args and isinstance(exc.args[0], str) else type(exc).__name__
        kind: FailureKind = "unavailable" if exc.retryable else "auth"
        return kind, f"the token endpoint refused the key: {first}", None
    if isinstance(exc, auth.TransportError):
        cause = exc.__cause__ or exc.__context__
        if isinstance(cause, requests.Timeout):
            return "timeout", "the token endpoint did not answer in time", None
        return "unavailable", f"the token endpoint cannot be reached ({type(exc).__name__})", None
    if isinstance(exc, requests.Timeout | urllib3.exceptions.TimeoutError):
        return "timeout", "no answer in time", None
    if isinstance(exc, requests.ConnectionError):
        if any(isinstance(arg, urllib3.exceptions.ReadTimeoutError) for arg in exc.args):
            return "timeout", "no answer in time", None
        return "unavailable", f"cannot connect ({type(exc).__name__})", None
    if isinstance(exc, requests.RequestException | urllib3.exceptions.HTTPError):
        return "unavailable", f"the connection failed ({type(exc).__name__})", None
    if isinstance(exc, ParseError | ValueError | TypeError):
        return "malformed", f"the answer does not parse ({type(exc).__name__})", None
    raise exc


def _looks_like_quota(exc: Any) -> bool:
    """A spent quota or credit rather than a rate limit: a daily quota, billing off."""
    info = exc.reason or ""
    metadata = json.dumps(exc.metadata or {})
    text = f"{info} {metadata} {exc.message}".lower()
    return any(word in text for word in _QUOTA_WORDS)


def _retry_after(exc: Any) -> float | None:
    """Seconds to wait, from a Retry-After header or the error's RetryInfo."""
    response = getattr(exc, "response", None)
    header = response.headers.get("Retry-After") if response is not None else None
    if header:
        try:
            return max(0.0, float(header))
        except ValueError:
            pass
        try:
            from datetime import UTC, datetime

            return max(0.0, (parsedate_to_datetime(header) - datetime.now(UTC)).total_seconds())
        except (TypeError, ValueError):
            pass
    for detail in exc.details or ():
        if isinstance(detail, dict) and detail.get("@type", "").endswith("google.rpc.RetryInfo"):
            delay = str(detail.get("retryDelay", ""))
            try:
                return max(0.0, float(delay.removesuffix("s")))
            except ValueError:
                return None
    return None
