"""Issue 14.6: hostile input never hurts — no 500, no traceback, no exception out of a parser.

Two halves: HTTP probes against the three inbound endpoints (the real aiohttp routes, signed
or authenticated as the platforms do), and property-based runs (hypothesis) that feed
mutated real payload samples to the three translators and arbitrary text to the Polish
parsers and the forum commands. The runs are bounded for CI; ``LACZNIK_FUZZ_EXAMPLES=5000``
(any number) raises the budget for a longer run.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
from collections.abc import Callable
from datetime import time
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from aiohttp import web
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adapters.console.adapter import ConsoleSession
from adapters.slack.translate import from_block_actions, from_command, from_event
from adapters.teams.endpoint import read_activity
from adapters.teams.translate import (
    CommandWords,
    change_event,
    channel_change,
    conversation_ref,
    execute_event,
    membership_event,
    message_event,
    sender_of,
    tenant_of,
)
from adapters.telegram.translate import BotIdentity, UnusableUpdate, translate_update
from adapters.telegram.webhook import SECRET_HEADER, WebhookReceiver
from bots.app import App
from commands.announcements.audience import AudienceError, parse_audience, split_command
from commands.calendar.when import WhenError, parse_when, split_when
from commands.directory.query import parse_query
from commands.texts import t
from tests.conftest import NOW, REPO
from tests.fakes.slack_api import sign
from tests.world import SIGNING_SECRET, TEAMS_APP_ID, World

EXAMPLES = int(os.environ.get("LACZNIK_FUZZ_EXAMPLES", "40"))
PAYLOADS = REPO / "tests" / "data" / "payloads"
DEEP = b"[" * 100_000  # the probe: after authentication, 100k nested arrays
FUZZ = settings(max_examples=EXAMPLES, deadline=None, derandomize=True,
                suppress_health_check=list(HealthCheck))


# --- HTTP probes -----------------------------------------------------------------------------


async def raw_post(url: str, body: bytes, headers: list[tuple[bytes, bytes]], *,
                   declared_length: int | None = None) -> int:
    """POST with exact header bytes (aiohttp's client refuses non-UTF-8 header values) and an
    optional lying Content-Length (a truncated body); the status line's code."""
    host, _, rest = url.removeprefix("http://").partition("/")
    address, _, port = host.partition(":")
    reader, writer = await asyncio.open_connection(address, int(port))
    length = len(body) if declared_length is None else declared_length
    head = [b"POST /" + rest.encode() + b" HTTP/1.1", b"Host: " + host.encode(),
            b"Content-Length: " + str(length).encode(), b"Connection: close"]
    head += [name + b": " + value for name, value in headers]
    writer.write(b"\r\n".join(head) + b"\r\n\r\n" + body)
    await writer.drain()
    if declared_length is not None:
        writer.write_eof()  # the client gives up mid-body
    status = await reader.readline()
    writer.close()
    return int(status.split()[1]) if status else 0


@pytest.fixture
def tracebacks(caplog: pytest.LogCaptureFixture) -> Callable[[], list[str]]:
    """Log records that carry a traceback (what must never happen for bad input)."""
    caplog.set_level(logging.DEBUG)
    return lambda: [r.getMessage() for r in caplog.records if r.exc_info]


async def test_telegram_webhook_refuses_or_skips_every_hostile_request(
        tracebacks: Callable[[], list[str]]) -> None:
    taken: list[Any] = []

    async def accept(update: Any) -> bool:
        taken.append(update)
        return True

    hook = WebhookReceiver(secret="s3cret", accept=accept)
    server = web.Application(client_max_size=2 * 1024 * 1024)  # as bots/service.py
    server.router.add_routes(hook.routes())
    runner = web.AppRunner(server, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    url = f"http://127.0.0.1:{runner.addresses[0][1]}/telegram/webhook"
    secret = (SECRET_HEADER.encode(), b"s3cret")
    json_type = (b"Content-Type", b"application/json")
    try:
        # Non-UTF-8 bytes in the secret header: a wrong secret (was a 500 with a traceback).
        assert await raw_post(url, b"{}", [(SECRET_HEADER.encode(), b"\xff\xfe\xc3"),
                                           json_type]) == 403
        assert await raw_post(url, DEEP, [secret, json_type]) == 400  # refused, no 500
        assert await raw_post(url, b"\xff\xfe{}", [secret, json_type]) == 400
        assert await raw_post(url, b"a=1&b=2", [secret, (b"Content-Type",
                                                        b"application/x-www-form-urlencoded")]
                              ) == 400
        assert await raw_post(url, b'{"update_id": 1, "mess', [secret, json_type]) == 400
        assert await raw_post(url, b"[" * 10 + b"]" * 10, [secret, json_type]) == 400
        assert await raw_post(url, b"{" * 3 * 1024 * 1024, [secret, json_type]) == 413
        assert await raw_post(url, b'{"update_id": 1}', [secret, json_type],
                              declared_length=5000) in (0, 400)
        assert taken == []
    finally:
        await runner.cleanup()
    assert tracebacks() == []


async def test_slack_endpoint_never_fails_on_signed_garbage(
        world: World, tracebacks: Callable[[], list[str]]) -> None:
    url = world.slack_url

    def signed(body: bytes, content_type: bytes) -> list[tuple[bytes, bytes]]:
        headers = sign(SIGNING_SECRET, body)
        return [(b"Content-Type", content_type)] + [
            (name.encode(), value.encode()) for name, value in headers.items()]

    form = b"application/x-www-form-urlencoded"
    json_type = b"application/json"
    deep_form = b"payload=" + quote("[" * 100_000).encode()
    assert await raw_post(url, b"{}", [(b"X-Slack-Signature", b"v0=\xff\xfe"),
                                       (b"X-Slack-Request-Timestamp", b"\xff1")]) == 401
    for body, kind in ((DEEP, json_type), (deep_form, form), (b"\xff\xfe{}", json_type),
                       (b'{"type": "event_callback", "ev', json_type),
                       (b'{"type": "event_callback"}', form)):
        status = await raw_post(url, body, signed(body, kind))
        assert status < 500, (body[:40], status)
    huge = b"[" * 3 * 1024 * 1024
    assert await raw_post(url, huge, signed(huge, json_type)) == 413
    await world.slack.drain()
    assert world.slack_fake.messages() == []
    assert tracebacks() == []


async def test_teams_endpoint_answers_4xx_to_authenticated_garbage(
        world: World, tracebacks: Callable[[], list[str]]) -> None:
    assert world.issuer is not None
    token = world.issuer.mint(TEAMS_APP_ID, world.connector.service_url).encode()
    auth = (b"Authorization", b"Bearer " + token)
    json_type = (b"Content-Type", b"application/json")
    url = world.teams_url
    assert await raw_post(url, b"{}", [(b"Authorization", b"Bearer \xff\xfe"), json_type]
                          ) == 401
    assert await raw_post(url, DEEP, [auth, json_type]) == 400  # was a RecursionError, 500
    assert await raw_post(url, b"\xff\xfe{}", [auth, json_type]) == 400
    assert await raw_post(url, b"a=1", [auth, (b"Content-Type", b"text/plain")]) == 400
    assert await raw_post(url, b'{"type": "message", "te', [auth, json_type]) == 400
    assert await raw_post(url, b'{"type": {"a": [1]}}', [auth, json_type]) == 400
    assert await raw_post(url, b"[" * 3 * 1024 * 1024, [auth, json_type]) == 413
    assert tracebacks() == []


# --- the translators, fed mutated real payloads ----------------------------------------------

JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner,
                                                                max_size=4),
    max_leaves=12,
)


def samples(platform: str) -> list[dict[str, Any]]:
    """The JSON payload samples the other tests use."""
    found = []
    for path in sorted((PAYLOADS / platform).glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        if isinstance(data, dict):
            found.append(data)
    return found


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    paths = [prefix]
    if isinstance(node, dict):
        for key, value in node.items():
            paths += _paths(value, (*prefix, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            paths += _paths(value, (*prefix, index))
    return paths


@st.composite
def mutated(draw: st.DrawFn, originals: list[dict[str, Any]]) -> dict[str, Any]:
    """A real payload with a few values replaced by arbitrary JSON, or keys removed."""
    payload = json.loads(json.dumps(draw(st.sampled_from(originals))))
    for _ in range(draw(st.integers(1, 4))):
        paths = [p for p in _paths(payload) if p]
        if not paths:
            break
        path = draw(st.sampled_from(paths))
        parent = payload
        for step in path[:-1]:
            parent = parent[step]
        if isinstance(parent, dict) and draw(st.booleans()):
            del parent[path[-1]]
        else:
            parent[path[-1]] = draw(JSON_VALUES)
    return payload


BOT = BotIdentity(123456789, "lacznik_bot")


@FUZZ
@given(mutated(samples("telegram")))
def test_telegram_translator_reads_or_refuses_mutated_updates(update: dict[str, Any]) -> None:
    with contextlib.suppress(UnusableUpdate):  # the clean refusal, logged and skipped
        translate_update(update, bot=BOT)


@FUZZ
@given(mutated([s.get("payload", s) for s in samples("slack")]), st.text(max_size=20))
def test_slack_translators_read_or_ignore_mutated_payloads(body: dict[str, Any],
                                                           command: str) -> None:
    from_event(body, bot_user_id="U0BOT", is_command=lambda name: name == "kto")
    from_block_actions(body)
    from_command({**body, "command": command}, language="pl",
                 is_command=lambda name: name == "kto")


WORDS = CommandWords(frozenset({"pomoc", "help"}), frozenset({"kto", "who"}))


@FUZZ
@given(mutated(samples("teams")))
def test_teams_translators_read_or_ignore_mutated_activities(body: dict[str, Any]) -> None:
    activity = read_activity(body)
    if activity is None:
        return  # the endpoint's 400
    tenant = tenant_of(activity)
    ref = conversation_ref(activity, tenant)
    sender = sender_of(activity, tenant)
    kind = activity.type
    if kind == "message":
        message_event(activity, ref, sender, WORDS, raw=body)
    elif kind == "invoke":
        execute_event(activity, ref, sender, raw=body)
    elif kind in ("messageUpdate", "messageDelete"):
        change_event(activity, ref, sender, raw=body)
    elif kind == "conversationUpdate":
        channel_change(activity)
        change_event(activity, ref, sender, raw=body)
        membership_event(activity, ref, sender, raw=body)


# --- the Polish parsers, fed arbitrary text --------------------------------------------------

POLISH = st.text(alphabet=st.characters(codec="utf-8"), max_size=80) | st.lists(
    st.sampled_from(["jutro", "w", "piątek", "o", "15:30", "12.13.2026", "31", "lutego",
                     "za", "3", "dni", "co", "tydzień", "wszyscy", "gmina", "forum", "PZP",
                     "Wieliczka", "kto", "od", "śmieci", ",", ":", "@", "koordynatorzy",
                     "99999999999999999999", "-1", "0:60", "24:00", "\u0000", "ﬁ", "İ"]),
    max_size=12).map(" ".join)


@FUZZ
@given(POLISH)
def test_date_parser_answers_or_refuses(text: str) -> None:
    for call in (lambda: parse_when(text, now=NOW),
                 lambda: split_when(text, now=NOW, default_time=time(9, 0))):
        with contextlib.suppress(WhenError):  # a refusal the user is shown in words
            call()


async def test_audience_and_directory_parsers_answer_or_refuse(app: App) -> None:
    index = await app.directory.index()

    @FUZZ
    @given(POLISH)
    def run(text: str) -> None:
        parse_query(text, index)
        split_command(text)
        with contextlib.suppress(AudienceError):  # names the item not understood
            parse_audience(text, forums={"PZP": 1, "ROZWOJ": 2}, index=index)

    await asyncio.to_thread(run)


FORUM_COMMANDS = ("/pytanie", "/szukaj", "/faq", "/forum", "/zamknij", "/przekieruj",
                  "/kto", "/edytuj", "/ogloszenie", "/termin", "/przypomnij")


async def test_commands_answer_arbitrary_text_without_failing(app: App) -> None:
    """Whole commands through the core (a real database): never the "something went wrong"
    answer that a failing handler gets."""
    console = ConsoleSession(app.core, "w.fras@wieliczka.example.pl")
    loop = asyncio.get_running_loop()
    failed = t("pl", "error.internal")

    @settings(max_examples=max(EXAMPLES // 4, 8), deadline=None, derandomize=True,
              suppress_health_check=list(HealthCheck))
    @given(st.sampled_from(FORUM_COMMANDS), POLISH)
    def run(command: str, text: str) -> None:
        answers = asyncio.run_coroutine_threadsafe(console.say(f"{command} {text}"),
                                                   loop).result(60)
        assert failed not in answers, (command, text)

    await asyncio.to_thread(run)


def test_samples_are_there() -> None:
    assert all(samples(p) for p in ("telegram", "slack", "teams")), Path(PAYLOADS)
