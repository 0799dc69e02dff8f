"""Near-duplicate resident requests: does a new text describe the same matter as an
open one of the same grid and category?

How a pair is scored (0 to 100, higher is nearer):

1. Both texts are normalised (NFKC: full-width letters and digits become plain) and
   segmented into words by ``jieba`` (dictionary only, no HMM), each dictionary word
   with its part of speech. A small domain word list (路灯, 井盖, 消防通道, ...) keeps
   complaint vocabulary in one piece.
2. Only the words that say *what* is wrong are kept: function words, numerals and
   measure words, person and place names, words with digits or Latin letters, and the
   words of where it happens (楼下, 门口, 小区, ...) are dropped. The candidates already
   share the grid and category, so shared place words would only make different
   matters of one building look alike.
3. Words residents vary for one complaint are mapped to one (``SYNONYMS``: 不亮, 坏,
   闪烁 → 坏; 吵, 噪音, 扰民 → 噪音; ...), a short list grown from the test pairs.
4. Two measures from ``rapidfuzz`` are averaged: a *soft word overlap* (each word of
   one text matched to its nearest word of the other, ``fuzz.ratio``, averaged both
   ways) and a character-level ``fuzz.token_set_ratio`` over the kept words' characters
   (so a word split differently still meets its characters).

``THRESHOLD`` was chosen on the realistic pairs in
``tests/unit/requests/test_duplicates.py`` (one matter phrased twice vs. two matters of
one category and place, e.g. a broken street lamp vs. the traffic light at the same
crossing): there, pairs of one matter score 71 and above, pairs of two matters 63 and
below, and the threshold sits between. It only suggests: staff decide whether to
merge. Short texts that share no matter word (a one-line "路灯坏了" vs. a long story)
can still fall under it; ``SYNONYMS`` is where to teach it more.

Invariants (tested): scores lie in [0, 100]; a text scores 100 against itself when it
has any content word; scoring is symmetric; ``similar_requests`` returns only
candidates at or above the threshold, best first, ties by the earlier candidate.

jieba is loaded lazily, once per process (about 3 s on the shared 2-core machine: its
cached prefix dictionary and the parts of speech of its dictionary file; ``prepare()``
does it at start-up), without writing to stderr; segmentations are cached per text.
Scores are rounded to one decimal in ``similar_requests``.
"""

from __future__ import annotations

import logging
import re
import threading
import unicodedata
import warnings
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from rapidfuzz import fuzz

#: Scores at or above this suggest the same matter (0-100 scale).
THRESHOLD = 67.0


def _words(spaced: str) -> list[str]:
    return spaced.split()


#: Words of complaints, with their part of speech, that jieba's default dictionary
#: splits or glues badly.
DOMAIN_WORDS = {
    **dict.fromkeys(_words("路灯 井盖 红绿灯 消防通道 垃圾桶 垃圾站 停车位 充电桩 电动车"), "n"),
    **dict.fromkeys(_words("油烟 积水 违建 广场舞"), "n"),
    **dict.fromkeys(_words("不亮 睡不着 影响休息 清运 垃圾清运 噪音 扰民 乱停"), "v"),
    **dict.fromkeys(_words("漏水 停水 停电 占道"), "v"),
}
#: Words residents use for one complaint, mapped to one of them (a word maps to itself
#: when absent). Kept small: only what the test pairs show residents really vary.
SYNONYMS = {
    **dict.fromkeys(_words("坏 坏掉 损坏 不亮 闪烁 黑 太暗 失灵"), "坏"),
    **dict.fromkeys(_words("丢 丢失 缺失 没了 被盗"), "缺失"),
    **dict.fromkeys(_words("吵 太吵 吵得 噪声 噪音 扰民 睡不着 影响休息"), "噪音"),
    # Rubbish "not collected" and "piling up, overflowing" are one complaint.
    **dict.fromkeys(_words("清运 清理 清 收 运走 拉走 堆积 堆满 堆 满 溢出 爆满"), "清运"),
    **dict.fromkeys(_words("停车位 车位 停车 停"), "停车位"),
    **dict.fromkeys(_words("少 太少 不够 不足 紧张 不到"), "不够"),
    **dict.fromkeys(_words("臭 臭味 异味 味道 难闻 气味"), "异味"),
    **dict.fromkeys(_words("乱停 乱停车 乱停放 堵住 占用 堵塞"), "占用"),
    **dict.fromkeys(_words("停水 没水 断水"), "停水"),
    **dict.fromkeys(_words("停电 没电 断电"), "停电"),
    **dict.fromkeys(_words("晚上 夜里 夜间 半夜 凌晨 每天晚上"), "夜间"),
    **dict.fromkeys(_words("车库 停车场"), "车库"),
    **dict.fromkeys(_words("进水 积水 水淹"), "积水"),
    **dict.fromkeys(_words("烧烤 烧烤店 烧烤摊"), "烧烤"),
}

#: Entries of jieba's dictionary that glue a complaint word to its neighbour.
SPLIT_WORDS = ("灯不亮", "路灯坏")

#: Part-of-speech tags that say nothing about the matter: numerals, measure words,
#: person and place names, pronouns, prepositions, conjunctions, particles, punctuation.
DROPPED_TAGS = frozenset(
    {"m", "mq", "q", "nr", "nrt", "nrfg", "ns", "r", "p", "c", "u", "uj", "ul", "uz", "ug"}
    | {"uv", "ud", "y", "e", "o", "x", "eng"}
)
#: Words that are too common in requests to tell matters apart, and words of place.
STOP_WORDS = frozenset(
    _words(
        "的 了 在 是 很 也 都 就 还 有 和 与 及 把 被 让 给 到 又 着 过 得 地"
        " 要 会 能 吧 啊 呢 吗 呀 不 没 人 一直 已经 每天 好 太 非常 特别 总是"
        " 经常 多次 好几天 几天 一周 请 希望 麻烦 谢谢 问题"
        " 情况 反映 投诉 处理 解决 尽快 及时 相关 部门 居民 业主 我们 大家 里 上 下 旁边 前面"
        " 后面 附近 周边 对面 楼下 楼上 门口 小区 社区 家里 这里 那里 路口"
        " 回来 回家 下班 上班 地方 找 发现 看到 现在 目前 时候"
    )
)
_PLACE = re.compile(r"[0-9a-zA-Z]|[号栋幢单元楼层室门路街巷村镇]$|^(街道|马路|路边|路面)$")
_PUNCT = re.compile(r"\W+")

_lock = threading.Lock()
_segmenter: tuple[Any, frozenset[str]] | None = None  # (jieba.Tokenizer, dropped words)


def _segmenter_and_dropped() -> tuple[Any, frozenset[str]]:
    """jieba's tokenizer (our own instance: the global one is left as it is) and the
    dictionary words whose part of speech is in ``DROPPED_TAGS``, built once, quietly:
    jieba logs to stderr and its sources warn when compiled. The tags are read from
    jieba's dictionary file rather than through ``jieba.posseg``, whose HMM tables take
    seconds to import and which we do not need."""
    global _segmenter
    if _segmenter is None:
        with _lock:
            if _segmenter is None:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    import jieba

                    logging.getLogger("jieba").setLevel(logging.WARNING)
                    jieba.setLogLevel(logging.WARNING)
                    tokenizer = jieba.Tokenizer()
                    tokenizer.initialize()
                    for word in DOMAIN_WORDS:
                        tokenizer.add_word(word, freq=200_000)
                    for word in SPLIT_WORDS:
                        tokenizer.del_word(word)
                    with tokenizer.get_dict_file() as lines:
                        dropped = frozenset(
                            fields[0]
                            for fields in (line.decode("utf-8").split() for line in lines)
                            if len(fields) == 3 and fields[2] in DROPPED_TAGS
                        )
                _segmenter = (tokenizer, dropped - DOMAIN_WORDS.keys())
    return _segmenter


def prepare() -> None:
    """Load jieba now (e.g. when the app starts) rather than on the first comparison."""
    _segmenter_and_dropped()


@lru_cache(maxsize=65_536)
def content_words(text: str) -> tuple[str, ...]:
    """The words of ``text`` that say what is wrong (see the module docstring)."""
    tokenizer, dropped = _segmenter_and_dropped()
    normal = unicodedata.normalize("NFKC", text)
    kept = []
    # Without the HMM: words outside the dictionary stay single characters, and the
    # character-level measure below still sees them; segmenting is ~7x faster.
    for word in tokenizer.lcut(normal, HMM=False):
        if (
            not word.strip()
            or _PUNCT.fullmatch(word)
            or word in STOP_WORDS
            or word in dropped
            or _PLACE.search(word)
        ):
            continue
        kept.append(SYNONYMS.get(word, word))
    return tuple(kept)


def _soft_overlap(a: Sequence[str], b: Sequence[str]) -> float:
    def one_way(xs: Sequence[str], ys: Sequence[str]) -> float:
        return sum(max(fuzz.ratio(x, y) for y in ys) for x in xs) / len(xs)

    return (one_way(a, b) + one_way(b, a)) / 2


def _char_overlap(a: Sequence[str], b: Sequence[str]) -> float:
    return float(fuzz.token_set_ratio(" ".join("".join(a)), " ".join("".join(b))))


def similarity(a: str, b: str) -> float:
    """How near two request texts are, 0 to 100 (symmetric; 0 when either has no
    content word)."""
    wa, wb = content_words(a), content_words(b)
    if not wa or not wb:
        return 0.0
    score = (_soft_overlap(wa, wb) + _char_overlap(wa, wb)) / 2
    return min(100.0, max(0.0, score))


def similar_requests(
    text: str, candidates: Sequence[tuple[int, str]], *, threshold: float = THRESHOLD
) -> list[tuple[int, float]]:
    """The candidates (id, text) whose text reads like ``text``, as (id, score) with
    score >= ``threshold``, best first; equal scores keep the candidates' order."""
    scored = [(cid, similarity(text, other)) for cid, other in candidates]
    kept = [(cid, round(score, 1)) for cid, score in scored if score >= threshold]
    kept.sort(key=lambda pair: -pair[1])  # stable: ties keep the given order
    return kept
