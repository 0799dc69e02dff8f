"""Chinese strings use full-width punctuation next to Chinese characters.

ASCII ``, : ; ? ! ( )`` beside a CJK character reads as a typo in Chinese text
(``签到,签退`` instead of ``签到，签退``). Times (``12:35``), URLs and placeholders
never sit beside CJK characters, so they pass; the few strings that must keep ASCII
punctuation (a formula, the syntax a teller types) are listed below with why.
"""

from __future__ import annotations

import re
from pathlib import Path

from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[3]
CJK = r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]"
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%[sd]")
# ASCII punctuation with a CJK character right before or after it (one space allowed).
ASCII_BESIDE_CJK = re.compile(rf"(?<={CJK}) ?[,:;?!()]|[,:;?!()](?= ?{CJK})")

ALLOWED = {
    # A formula anyone can recompute: SHA-256(seed:project id).
    "Each project's place is the rank of SHA-256(seed:project id); anyone can recompute it.",
    # The syntax a teller types for paper counts: "item: numbers".
    "item: satisfied basically dissatisfied abstain, e.g. 1: 50 30 15 5",
    "item: votes, e.g. 1: 85",
    "item: yes no abstain, e.g. 1: 60 25 5",
    "item:points pairs, e.g. 1:3 2:2",
}


def offending() -> dict[str, str]:
    with (ROOT / "web/translations/zh_CN.po").open("rb") as fh:
        po = read_po(fh, locale="zh_CN")
    found: dict[str, str] = {}
    for message in po:
        msgid = message.id if isinstance(message.id, str) else message.id[0]
        if not msgid or msgid in ALLOWED:
            continue
        string = message.string
        texts = [string] if isinstance(string, str) else list(string or ())
        for text in texts:
            if ASCII_BESIDE_CJK.search(PLACEHOLDER.sub("X", text or "")):
                found[msgid] = text
    return found


def test_no_ascii_punctuation_beside_chinese_characters() -> None:
    wrong = offending()
    assert not wrong, "use full-width punctuation:\n" + "\n".join(
        f"{k!r} => {v}" for k, v in wrong.items()
    )


def test_the_scan_catches_ascii_punctuation_and_spares_times_and_placeholders() -> None:
    def flagged(text: str) -> bool:
        return bool(ASCII_BESIDE_CJK.search(PLACEHOLDER.sub("X", text)))

    assert flagged("签到,签退")
    assert flagged("队员(可选)")
    assert flagged("您的身份:")
    assert flagged("报名成功!")
    assert not flagged("签到，签退")
    assert not flagged("开始时间 12:35")
    assert not flagged("见 https://example.cn/a?b=1")
    assert not flagged("共 %(count)s 人")


def test_the_allow_list_names_only_messages_that_exist() -> None:
    with (ROOT / "web/translations/zh_CN.po").open("rb") as fh:
        ids = {m.id for m in read_po(fh, locale="zh_CN") if isinstance(m.id, str)}
    assert ids >= ALLOWED
