"""Text messages through an HTTP SMS provider (a gateway with a URL and a key).

The provider is configured by settings (``GONGZHI_SMS_URL``, ``GONGZHI_SMS_KEY``):
each message is one POST of ``{"to": "<mobile number>", "text": "<message>"}`` as
JSON with the key as a bearer token, answered by any 2xx status. Most gateways
either take this shape or sit behind a small adapter that does. The client waits
at most ``timeout`` seconds; a provider that is down or slow fails the one message,
never the request that caused it (see web.accounts.recovery, which sends after the
response).
"""

from __future__ import annotations

import json
import logging
import urllib.error
import urllib.request
from dataclasses import dataclass

log = logging.getLogger(__name__)


class SmsError(RuntimeError):
    """The provider refused the message or could not be reached."""


@dataclass(frozen=True)
class SmsProvider:
    url: str
    key: str
    timeout: float = 5.0

    def send(self, to: str, text: str) -> None:
        """Hand one message to the provider; raises SmsError unless it took it."""
        body = json.dumps({"to": to, "text": text}, ensure_ascii=False).encode()
        request = urllib.request.Request(
            self.url,
            data=body,
            method="POST",
            headers={
                "Content-Type": "application/json; charset=utf-8",
                "Authorization": f"Bearer {self.key}",
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                status = int(response.status)
        except urllib.error.HTTPError as error:
            raise SmsError(f"the SMS provider answered {error.code}") from None
        except (urllib.error.URLError, OSError) as error:
            raise SmsError(f"the SMS provider could not be reached: {error}") from None
        if not 200 <= status < 300:
            raise SmsError(f"the SMS provider answered {status}")


def send_quietly(provider: SmsProvider | None, to: str, text: str) -> bool:
    """Send, logging (not raising) a failure; False when not sent. Without a
    provider nothing is sent (the message is logged without its text)."""
    if provider is None:
        log.warning("no SMS provider is configured: a message to %s was not sent", to[-4:])
        return False
    try:
        provider.send(to, text)
    except SmsError as error:
        log.warning("SMS to …%s failed: %s", to[-4:], error)
        return False
    return True
