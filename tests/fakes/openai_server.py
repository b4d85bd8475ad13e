"""A loopback fake of OpenAI's ``POST /v1/chat/completions`` with structured output.

It speaks the real wire protocol, so the real ``openai`` client talks to it with
``base_url=fake.url + "/v1"``:

- ``Authorization: Bearer <key>`` is checked against ``api_key`` (``None``: any key, like a
  local vLLM or llama.cpp server); a wrong key gets OpenAI's 401 with the key partly
  quoted, as the real service does.
- ``response_format`` must be ``{"type": "json_schema", "json_schema": {"name", "schema",
  "strict"}}``; a strict schema must be one OpenAI accepts (every object closed with
  ``additionalProperties: false`` and every property required), else 400 like OpenAI.
- The answer is a real ``chat.completion`` whose content is JSON generated *from the
  requested schema* (so it satisfies it, and is checked against it before it is sent),
  filled deterministically from the ``Topic:`` line of the user message, with narration
  of exactly ``word_ratio`` × the ``about N words`` the prompt asked for.
- ``usage`` is ``fake.usage = (prompt, completion, cached)`` when set, else derived
  deterministically from the request and answer lengths.

Ugly answers, besides ``FakeServer``'s ``fail_next``/``stall_next``/``garble_next``:
``refuse_next``, ``truncate_next`` (finish_reason "length"), ``filter_next``
(finish_reason "content_filter"), ``violate_schema_next`` (valid JSON, wrong shape),
``blank_next`` (schema-valid, narration all whitespace), ``rate_limit_next`` (429 with
``retry-after`` and ``x-ratelimit-*`` headers, or code ``insufficient_quota``) and
``server_error_next`` (500/503).
"""

from __future__ import annotations

import json
import math
import re
import threading
from collections import deque
from typing import Any

from tests.fakes.http import FakeServer, Request, Response

CREATED = 1_767_225_600  # a fixed timestamp: answers are deterministic
# What OpenAI answers in "model" for an alias: the dated snapshot that served it.
SNAPSHOTS = {
    "gpt-4o": "gpt-4o-2024-08-06",
    "gpt-4o-mini": "gpt-4o-mini-2024-07-18",
    "gpt-4.1-mini": "gpt-4.1-mini-2025-04-14",
}
_WORDS_ASKED = re.compile(r"about (\d+) words")
_IDEAS_ASKED = re.compile(r"about (\d+) ideas")
# What the fake suggests when asked for topic ideas; like a real model it also brings
# back one of the topics it was told to avoid, reworded.
_IDEA_SUBJECTS = (
    "tide pools",
    "moon craters",
    "desert storms",
    "honeybees",
    "deep sea vents",
    "comet tails",
    "salt flats",
    "northern lights",
    "river deltas",
    "cave crystals",
    "sand dunes",
    "glacier caves",
    "kelp forests",
    "meteor showers",
    "hot springs",
    "mangroves",
    "sinkholes",
    "fog banks",
    "lava tubes",
    "tree rings",
)
_TOPIC = re.compile(r"^Topic:\s*(.+)$", re.MULTILINE)
# Narration sentences; "{t}" is the topic. One carries digits and a percent sign, as
# real model output does, so callers' spoken-text handling is exercised.
_SENTENCES = (
    "Here is something about {t} that most people never stop to think about.",
    "It started small, and then it changed how millions of people live and work.",
    "By 1969 about 5% of the experts had noticed the pattern, and they were right.",
    "Look closely and you can see the same idea at work all around you.",
    "Scientists and historians still argue about the details, but the big picture is clear.",
    "The next part surprises almost everyone who hears it for the first time.",
    "So the next time {t} comes up, you will know the story behind it.",
)
_VISUALS = ("close up", "aerial view", "timelapse", "people walking", "city skyline at night")
_MODES = ("refusal", "length", "content_filter", "violate", "blank")


class FakeOpenAI(FakeServer):
    """``with FakeOpenAI(api_key="sk-…") as fake:``; point clients at ``fake.url + "/v1"``."""

    def __init__(self, api_key: str | None = "sk-test-key") -> None:
        super().__init__()
        self.api_key = api_key
        self.usage: tuple[int, int, int] | None = None  # (prompt, completion, cached)
        self.word_ratio = 1.0  # narration words = ratio × the words the prompt asked for
        self._modes: deque[str] = deque()
        self._count = 0
        self._count_lock = threading.Lock()

    def reset(self, api_key: str | None = "sk-test-key") -> None:
        """Back to a fresh server's state (one server can serve many tests: starting and
        stopping one costs half a second)."""
        with self._lock:
            self._script.clear()
            self.requests.clear()
        with self._count_lock:
            self._count = 0
        self._modes.clear()
        self.api_key = api_key
        self.usage = None
        self.word_ratio = 1.0

    # -- scripting ----------------------------------------------------------------------

    def refuse_next(self) -> None:
        """The model refuses: ``message.refusal`` set, ``content`` null (still billed)."""
        self._modes.append("refusal")

    def truncate_next(self) -> None:
        """The answer hits ``max_completion_tokens``: half the JSON, finish_reason "length"."""
        self._modes.append("length")

    def filter_next(self) -> None:
        """OpenAI's content filter stops the answer: finish_reason "content_filter"."""
        self._modes.append("content_filter")

    def violate_schema_next(self) -> None:
        """Valid JSON that breaks the requested schema (a model or server bug; billed)."""
        self._modes.append("violate")

    def blank_next(self) -> None:
        """Content that satisfies the schema but whose narration is only whitespace."""
        self._modes.append("blank")

    def rate_limit_next(
        self, *, retry_after: str | None = "2", quota: bool = False, times: int = 1
    ) -> None:
        """429 as OpenAI sends it: a rate limit with its headers, or a spent quota."""
        if quota:
            error = _error(
                "You exceeded your current quota, please check your plan and billing details. "
                "For more information on this error, read the docs: "
                "https://platform.openai.com/docs/guides/error-codes/api-errors.",
                "insufficient_quota",
                "insufficient_quota",
            )
            headers: dict[str, str] = {}
        else:
            error = _error(
                "Rate limit reached for gpt-4o in organization org-fake on tokens per min "
                "(TPM): Limit 30000, Used 29800, Requested 1200. Please try again in 2s. "
                "Visit https://platform.openai.com/account/rate-limits to learn more.",
                "tokens",
                "rate_limit_exceeded",
            )
            headers = {
                "x-ratelimit-limit-requests": "500",
                "x-ratelimit-remaining-requests": "499",
                "x-ratelimit-reset-requests": "120ms",
                "x-ratelimit-limit-tokens": "30000",
                "x-ratelimit-remaining-tokens": "0",
                "x-ratelimit-reset-tokens": "2s",
            }
            if retry_after is not None:
                headers["retry-after"] = retry_after
        self.fail_next(429, error, times=times, headers=headers, match="/chat/completions")

    def server_error_next(
        self, status: int = 500, *, times: int = 1, headers: dict[str, str] | None = None
    ) -> None:
        """500 ("the server had an error") or 503 ("overloaded"), OpenAI's wording."""
        message = (
            "The engine is currently overloaded, please try again later."
            if status == 503
            else "The server had an error while processing your request. Sorry about that!"
        )
        self.fail_next(
            status,
            _error(message, "server_error", None),
            times=times,
            headers=headers,
            match="/chat/completions",
        )

    @property
    def completions(self) -> list[Request]:
        return self.requests_to("/chat/completions")

    # -- serving ------------------------------------------------------------------------

    def respond(self, request: Request) -> Response:
        if request.path.rstrip("/") != "/v1/chat/completions" or request.method != "POST":
            return Response.json(
                _error(f"Invalid URL ({request.method} {request.path})", "invalid_request_error"),
                404,
            )
        auth = request.headers.get("authorization", "")
        key = auth.removeprefix("Bearer ").strip() if auth.startswith("Bearer ") else ""
        if self.api_key is not None and key != self.api_key:
            shown = f"{key[:3]}{'*' * max(0, len(key) - 7)}{key[-4:]}" if key else ""
            return Response.json(
                _error(
                    f"Incorrect API key provided: {shown}. You can find your API key at "
                    "https://platform.openai.com/account/api-keys.",
                    "invalid_request_error",
                    "invalid_api_key",
                ),
                401,
            )
        try:
            body = request.json()
        except ValueError:
            return _bad_request("We could not parse the JSON body of your request.", None)
        problem = _check_request(body)
        if problem is not None:
            return problem
        schema = body["response_format"]["json_schema"]["schema"]
        with self._count_lock:
            self._count += 1
            number = self._count
        mode = self._modes.popleft() if self._modes else "ok"
        user = "\n".join(
            str(m.get("content", "")) for m in body["messages"] if m.get("role") == "user"
        )
        topic_match = _TOPIC.search(user)
        topic = topic_match.group(1).strip() if topic_match else "the topic"
        asked = _WORDS_ASKED.search(user)
        words = round(int(asked.group(1)) * self.word_ratio) if asked else 150

        finish = "stop"
        refusal = None
        content: str | None
        if mode == "refusal":
            content, refusal = None, "I'm sorry, but I can't help with that request."
        elif mode == "content_filter":
            content, finish = None, "content_filter"
        elif mode == "violate":
            content = json.dumps({"title": topic, "sections": "coming soon", "extra": True})
        else:
            ideas = _IDEAS_ASKED.search(user)
            avoided = [line[2:].strip() for line in user.splitlines() if line.startswith("- ")]
            value = _Filler(
                schema,
                topic,
                words,
                blank=mode == "blank",
                ideas=int(ideas.group(1)) if ideas else 2,
                avoided=avoided,
            ).fill()
            errors = validate(value, schema)
            if errors:  # the fake's own bug: say so loudly instead of answering wrong
                return Response.json(_error("fake: " + "; ".join(errors), "server_error"), 500)
            content = json.dumps(value, ensure_ascii=False)
            if mode == "length":
                content, finish = content[: len(content) // 2], "length"

        prompt_tokens, completion_tokens, cached = self.usage or (
            math.ceil(len(json.dumps(body["messages"])) / 4) + 40,
            math.ceil(len(content or refusal or "") / 4),
            0,
        )
        if mode == "length" and self.usage is None and body.get("max_completion_tokens"):
            completion_tokens = int(body["max_completion_tokens"])
        model = str(body["model"])
        answer = {
            "id": f"chatcmpl-fake{number:06d}",
            "object": "chat.completion",
            "created": CREATED + number,
            "model": SNAPSHOTS.get(model, model),
            "choices": [
                {
                    "index": 0,
                    "message": {
                        "role": "assistant",
                        "content": content,
                        "refusal": refusal,
                        "annotations": [],
                    },
                    "logprobs": None,
                    "finish_reason": finish,
                }
            ],
            "usage": {
                "prompt_tokens": prompt_tokens,
                "completion_tokens": completion_tokens,
                "total_tokens": prompt_tokens + completion_tokens,
                "prompt_tokens_details": {"cached_tokens": cached, "audio_tokens": 0},
                "completion_tokens_details": {
                    "reasoning_tokens": 0,
                    "audio_tokens": 0,
                    "accepted_prediction_tokens": 0,
                    "rejected_prediction_tokens": 0,
                },
            },
            "service_tier": "default",
            "system_fingerprint": "fp_fake0001",
        }
        return Response.json(
            answer,
            **{
                "x-request-id": f"req_fake{number:06d}",
                "openai-processing-ms": "42",
                "x-ratelimit-limit-requests": "500",
                "x-ratelimit-remaining-requests": "499",
                "x-ratelimit-reset-requests": "120ms",
            },
        )


# -- the wire shapes ----------------------------------------------------------------------


def _error(message: str, type_: str, code: str | None = None, param: str | None = None) -> dict:
    return {"error": {"message": message, "type": type_, "param": param, "code": code}}


def _bad_request(message: str, param: str | None, code: str | None = None) -> Response:
    return Response.json(_error(message, "invalid_request_error", code, param), 400)


def _check_request(body: Any) -> Response | None:
    if not isinstance(body, dict):
        return _bad_request("The request body must be a JSON object.", None)
    if not isinstance(body.get("model"), str) or not body["model"]:
        return _bad_request("you must provide a model parameter", "model")
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages:
        return _bad_request("[] is too short - 'messages'", "messages", "empty_array")
    if body.get("stream"):
        return _bad_request("The fake does not stream.", "stream")
    limit = body.get("max_completion_tokens")
    if limit is not None and (not isinstance(limit, int) or limit < 1):
        return _bad_request(
            "max_completion_tokens must be a positive integer", "max_completion_tokens"
        )
    fmt = body.get("response_format")
    if not isinstance(fmt, dict) or fmt.get("type") != "json_schema":
        return _bad_request(
            "The fake answers structured output only: response_format.type must be 'json_schema'.",
            "response_format",
        )
    spec = fmt.get("json_schema")
    if not isinstance(spec, dict) or not isinstance(spec.get("schema"), dict):
        return _bad_request(
            "Missing required parameter: 'response_format.json_schema.schema'.",
            "response_format.json_schema",
        )
    if not isinstance(spec.get("name"), str) or not re.fullmatch(r"[\w-]{1,64}", spec["name"]):
        return _bad_request(
            "Invalid 'response_format.json_schema.name'.", "response_format.json_schema.name"
        )
    if spec.get("strict"):
        problem = _strict_problem(spec["schema"], spec["schema"], "()")
        if problem:
            return _bad_request(
                f"Invalid schema for response_format '{spec['name']}': {problem}",
                "response_format",
                "invalid_json_schema",
            )
    return None


def _strict_problem(node: Any, root: dict, where: str) -> str | None:
    """What OpenAI's strict mode would reject in ``node``, or ``None``."""
    if not isinstance(node, dict):
        return None
    if node.get("type") == "object":
        if node.get("additionalProperties") is not False:
            return (
                f"In context={where}, 'additionalProperties' is required to be supplied "
                "and to be false."
            )
        props = node.get("properties", {})
        missing = [name for name in props if name not in node.get("required", [])]
        if missing:
            return (
                f"In context={where}, 'required' is required to include every key in "
                f"properties. Missing '{missing[0]}'."
            )
        for name, sub in props.items():
            problem = _strict_problem(sub, root, f"{where}, 'properties', '{name}'")
            if problem:
                return problem
    for key in ("items",):
        if key in node:
            problem = _strict_problem(node[key], root, f"{where}, '{key}'")
            if problem:
                return problem
    for key in ("anyOf",):
        for option in node.get(key, []):
            problem = _strict_problem(option, root, where)
            if problem:
                return problem
    for name, sub in node.get("$defs", {}).items():
        problem = _strict_problem(sub, root, f"(), '$defs', '{name}'")
        if problem:
            return problem
    return None


# -- content from a schema ----------------------------------------------------------------


def _resolve(node: dict, root: dict) -> dict:
    while "$ref" in node:
        ref = node["$ref"]
        if not ref.startswith("#/"):
            raise ValueError(f"fake: cannot follow {ref}")
        target: Any = root
        for part in ref[2:].split("/"):
            target = target[part]
        node = target
    return node


def validate(value: Any, schema: dict, root: dict | None = None, where: str = "$") -> list[str]:
    """The subset of JSON Schema structured output uses: type, properties, required,
    additionalProperties, items, minItems, maxItems, enum, anyOf, $ref."""
    root = root if root is not None else schema
    node = _resolve(schema, root)
    if "anyOf" in node:
        options = [validate(value, option, root, where) for option in node["anyOf"]]
        return [] if any(not o for o in options) else options[0]
    errors: list[str] = []
    kind = node.get("type")
    kinds = kind if isinstance(kind, list) else [kind] if kind else []
    checks = {
        "object": lambda v: isinstance(v, dict),
        "array": lambda v: isinstance(v, list),
        "string": lambda v: isinstance(v, str),
        "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
        "number": lambda v: isinstance(v, int | float) and not isinstance(v, bool),
        "boolean": lambda v: isinstance(v, bool),
        "null": lambda v: v is None,
    }
    if kinds and not any(checks[k](value) for k in kinds):
        return [f"{where} is not {'/'.join(kinds)}"]
    if "enum" in node and value not in node["enum"]:
        errors.append(f"{where} is not one of {node['enum']}")
    if isinstance(value, dict):
        props = node.get("properties", {})
        errors += [
            f"{where}.{name} is missing" for name in node.get("required", []) if name not in value
        ]
        if node.get("additionalProperties") is False:
            errors += [f"{where}.{name} is not allowed" for name in value if name not in props]
        for name, sub in props.items():
            if name in value:
                errors += validate(value[name], sub, root, f"{where}.{name}")
    if isinstance(value, list):
        if len(value) < node.get("minItems", 0):
            errors.append(f"{where} has fewer than {node['minItems']} items")
        if "maxItems" in node and len(value) > node["maxItems"]:
            errors.append(f"{where} has more than {node['maxItems']} items")
        if "items" in node:
            for index, item in enumerate(value):
                errors += validate(item, node["items"], root, f"{where}[{index}]")
    return errors


class _Filler:
    """Fills a JSON schema with deterministic content about ``topic``, choosing text by
    property name: narration gets the words, headings, titles, tags and search terms look
    like what a model would write."""

    def __init__(
        self,
        schema: dict,
        topic: str,
        words: int,
        *,
        blank: bool = False,
        ideas: int = 2,
        avoided: list[str] | None = None,
    ) -> None:
        self.root = schema
        self.topic = topic
        self.ideas = ideas
        self.avoided = [a for a in (avoided or []) if a != "(none yet)"]
        self.words = max(1, words)
        self.blank = blank
        self.sections = max(1, min(8, round(self.words / 90)))

    def fill(self) -> Any:
        return self._fill(self.root, "", 0)

    def _fill(self, schema: dict, name: str, index: int) -> Any:
        node = _resolve(schema, self.root)
        if "anyOf" in node:
            return self._fill(node["anyOf"][0], name, index)
        kind = node.get("type")
        kind = next((k for k in kind if k != "null"), "null") if isinstance(kind, list) else kind
        if "enum" in node:
            return node["enum"][0]
        if kind == "object":
            return {
                prop: self._fill(sub, prop, index)
                for prop, sub in node.get("properties", {}).items()
            }
        if kind == "array":
            count = {
                "sections": self.sections,
                "tags": 6,
                "search_terms": 3,
                "ideas": self.ideas,
            }.get(name, 2)
            count = max(node.get("minItems", 0), min(count, node.get("maxItems", count)))
            return [self._fill(node.get("items", {}), name, i) for i in range(count)]
        if kind == "string":
            return self._text(name, index)
        if kind in ("integer", "number"):
            return 0
        if kind == "boolean":
            return False
        return None

    def _text(self, name: str, index: int) -> str:
        t = self.topic
        if name == "narration":
            return "   " if self.blank else self._narration(index)
        if name == "title":
            return f"{t[:1].upper()}{t[1:]}: The Story Nobody Tells You"
        if name == "heading":
            return "Introduction" if index == 0 else f"Part {index + 1}: {t}"
        if name == "description":
            return (
                f"What is really going on with {t}? This video walks through the story, "
                "the surprises and what it means for you.\n\nWatch to the end for the part "
                "most people miss."
            )
        if name == "tags":
            return [
                t.lower(),
                f"{t.lower()} explained",
                "documentary",
                "history",
                "science",
                "education",
            ][index % 6]
        if name == "ideas":
            if index == 0 and self.avoided:
                return f"The real story of {self.avoided[0]}"
            subject = _IDEA_SUBJECTS[index % len(_IDEA_SUBJECTS)]
            round_ = index // len(_IDEA_SUBJECTS)
            return f"Why {subject} matter" + (f", part {round_ + 1}" if round_ else "")
        if name == "search_terms":
            return f"{t.lower()} {_VISUALS[index % len(_VISUALS)]}"
        return t

    def _narration(self, index: int) -> str:
        # Words split evenly over the sections, the remainder to the first ones.
        share, extra = divmod(self.words, self.sections)
        count = share + (1 if index < extra else 0)
        stream: list[str] = []
        sentence = index
        while len(stream) < count:
            stream += _SENTENCES[sentence % len(_SENTENCES)].format(t=self.topic).split()
            sentence += 1
        text = " ".join(stream[:count])
        return text if text.endswith((".", "!", "?")) else text.rstrip(",;:") + "."
