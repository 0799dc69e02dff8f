"""The SMS client against a real HTTP server on 127.0.0.1 (no mocking): it posts
the message with its key, and every failure (a refused key, an error status, no
server, no answer within the timeout) is an SmsError, never a hang."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator

import pytest

from participation.sms import SmsError, SmsProvider, send_quietly
from tests.support.sms_server import KEY, SmsServer, sms_server


@pytest.fixture
def sms() -> Iterator[SmsServer]:
    with sms_server() as server:
        yield server


def test_a_message_reaches_the_provider(sms: SmsServer) -> None:
    SmsProvider(sms.url, KEY).send("13900000000", "【共治】验证码 123456")
    assert sms.messages == [{"to": "13900000000", "text": "【共治】验证码 123456"}]


def test_a_wrong_key_is_an_error(sms: SmsServer) -> None:
    with pytest.raises(SmsError, match="401"):
        SmsProvider(sms.url, "not-the-key").send("13900000000", "x")
    assert sms.messages == [] and sms.refused_keys == ["Bearer not-the-key"]


def test_an_error_status_is_an_error(sms: SmsServer) -> None:
    sms.status = 503
    with pytest.raises(SmsError, match="503"):
        SmsProvider(sms.url, KEY).send("13900000000", "x")
    assert not send_quietly(SmsProvider(sms.url, KEY), "13900000000", "x")


def test_no_server_is_an_error() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # free, and nobody listens once closed
    with pytest.raises(SmsError, match="reached"):
        SmsProvider(f"http://127.0.0.1:{port}/send", KEY).send("13900000000", "x")


def test_a_provider_that_never_answers_times_out() -> None:
    """A server that accepts and never answers: the client gives up after its timeout."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    accepted: list[socket.socket] = []
    thread = threading.Thread(target=lambda: accepted.append(listener.accept()[0]), daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{listener.getsockname()[1]}/send"
    try:
        with pytest.raises(SmsError):
            SmsProvider(url, KEY, timeout=0.2).send("13900000000", "x")
    finally:
        thread.join(timeout=5)
        for conn in accepted:
            conn.close()
        listener.close()


def test_without_a_provider_nothing_is_sent() -> None:
    assert send_quietly(None, "13900000000", "x") is False
