"""PTB's Bot on the adapter's aiohttp transport (``adapters/telegram/transport.py``): what a
failing or proxied Bot API looks like to the rest of the adapter, and what reaches the logs."""

from __future__ import annotations

import asyncio
import logging
import socket
import time
from collections.abc import AsyncIterator

import pytest
from aiohttp import web
from telegram import Bot, InputFile
from telegram.error import NetworkError, TimedOut

from adapters.telegram.transport import AiohttpRequest
from tests.fakes.telegram_api import FakeTelegramServer


@pytest.fixture
async def tg() -> AsyncIterator[FakeTelegramServer]:
    async with FakeTelegramServer() as server:
        yield server


def _bot(url: str, token: str, *, read_timeout: float = 5.0) -> Bot:
    return Bot(token, base_url=f"{url}/bot", request=AiohttpRequest(read_timeout=read_timeout))


async def test_a_message_goes_out_and_comes_back_as_ptbs_message(tg: FakeTelegramServer) -> None:
    async with _bot(tg.url, tg.token) as bot:
        sent = await bot.send_message(4242, "<b>Dzień dobry</b> — zażółć gęślą jaźń",
                                      parse_mode="HTML")
    [call] = tg.calls_to("sendMessage")
    assert call.params["text"] == "<b>Dzień dobry</b> — zażółć gęślą jaźń"
    assert sent.text == "Dzień dobry — zażółć gęślą jaźń" and sent.chat.id == 4242


async def test_an_api_that_never_answers_is_ptbs_timed_out_after_the_read_timeout(
        tg: FakeTelegramServer) -> None:
    async with _bot(tg.url, tg.token, read_timeout=0.5) as bot:
        tg.hang_next("sendMessage")
        began = time.monotonic()
        with pytest.raises(TimedOut):
            await bot.send_message(4242, "czy ktoś tam jest?")
        assert time.monotonic() - began < 3.0
        tg.release_held()


async def test_nothing_listening_is_ptbs_network_error_and_the_bot_recovers(
        tg: FakeTelegramServer) -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    request = AiohttpRequest()
    await request.initialize()
    try:
        with pytest.raises(NetworkError) as refused:
            await request.post(f"http://127.0.0.1:{port}/bot{tg.token}/getMe")
        assert not isinstance(refused.value, TimedOut)
        assert tg.token not in str(refused.value)  # error texts end up in logs
    finally:
        await request.shutdown()
    async with _bot(tg.url, tg.token) as bot:  # shut down, then initialised again: works
        await bot.shutdown()
        await bot.initialize()
        assert (await bot.get_me()).username == tg.username


async def test_the_transport_logs_the_method_never_the_token(
        tg: FakeTelegramServer, caplog: pytest.LogCaptureFixture) -> None:
    # (PTB's own DEBUG records carry the token: the component filters those, see
    # test_telegram.py's start-up test.)
    caplog.set_level(logging.DEBUG, logger="adapters.telegram.transport")
    async with _bot(tg.url, tg.token) as bot:
        await bot.send_message(4242, "wiadomość")
    logged = "\n".join(r.getMessage() for r in caplog.records
                       if r.name == "adapters.telegram.transport")
    assert "sendMessage -> 200" in logged  # the transport says what it did …
    assert tg.token.split(":")[1] not in logged  # … without the secret half of the token


class _RecordingProxy:
    """An HTTP proxy that answers Bot API calls itself and remembers what it was asked."""

    def __init__(self) -> None:
        self.asked: list[str] = []
        self.fields: dict[str, object] = {}

    async def handle(self, request: web.BaseRequest) -> web.Response:
        self.asked.append(str(request.url))
        if request.content_type.startswith("multipart/"):
            form = await request.post()
            self.fields = {key: value for key, value in form.items()}
            for value in form.values():  # read now: the request's files close with it
                if isinstance(value, web.FileField):
                    self.fields[value.name] = (value.filename, value.file.read())
        if request.path.endswith("/getMe"):
            return web.json_response({"ok": True, "result": {
                "id": 1, "is_bot": True, "first_name": "Łącznik", "username": "LacznikBot"}})
        return web.json_response({"ok": True, "result": {
            "message_id": 1, "date": 0, "chat": {"id": 4242, "type": "private"}}})


@pytest.fixture
async def proxy() -> AsyncIterator[tuple[_RecordingProxy, str]]:
    recorder = _RecordingProxy()
    server = web.Server(recorder.handle)
    runner = web.ServerRunner(server)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    yield recorder, f"http://127.0.0.1:{port}"
    await runner.cleanup()


async def test_the_environments_proxy_is_used_unless_no_proxy_names_the_host(
        tg: FakeTelegramServer, proxy: tuple[_RecordingProxy, str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    recorder, proxy_url = proxy
    api = "http://api.telegram.example"  # only the proxy knows this host
    for name in ("http_proxy", "HTTP_PROXY"):
        monkeypatch.setenv(name, proxy_url)
    for name in ("no_proxy", "NO_PROXY"):
        monkeypatch.setenv(name, "127.0.0.1,localhost")
    request = AiohttpRequest()
    await request.initialize()
    try:
        status, _ = await request.do_request(f"{api}/bot{tg.token}/deleteWebhook", "POST")
        assert status == 200 and recorder.asked == [f"{api}/bot{tg.token}/deleteWebhook"]
        # NO_PROXY: the fake on 127.0.0.1 is asked directly, not through the proxy
        status, _ = await request.do_request(f"{tg.url}/bot{tg.token}/getMe", "POST")
        assert status == 200 and len(recorder.asked) == 1 and tg.calls_to("getMe")
    finally:
        await request.shutdown()


async def test_a_file_goes_as_multipart_with_its_name(
        proxy: tuple[_RecordingProxy, str], tg: FakeTelegramServer) -> None:
    recorder, url = proxy
    async with Bot(tg.token, base_url=f"{url}/bot", request=AiohttpRequest()) as bot:
        await bot.send_document(4242, InputFile(b"BEGIN:VCALENDAR\r\n",
                                                filename="spotkanie.ics"),
                                caption="Spotkanie forum")
    assert recorder.fields["caption"] == "Spotkanie forum"
    assert recorder.fields["document"] == ("spotkanie.ics", b"BEGIN:VCALENDAR\r\n")


async def test_many_sends_at_once_share_the_pool(tg: FakeTelegramServer) -> None:
    async with _bot(tg.url, tg.token) as bot:
        await asyncio.gather(*(bot.send_message(5000 + n, f"nr {n}") for n in range(200)))
    assert len(tg.calls_to("sendMessage")) == 200
