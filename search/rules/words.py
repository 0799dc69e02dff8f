"""Words: what a text is indexed under, what a query asks for, and what to highlight.

Chinese has no spaces, so both documents and queries are segmented into words by
``jieba`` (dictionary only, no HMM: the same text always gives the same words, and
it is several times faster). Both sides are first normalised the same way (NFKC:
full-width letters, digits and punctuation become plain; lower case), and only runs
of letters and digits survive: punctuation, FTS operators and SQL quotes are never
passed on as syntax.

- A document is indexed under jieba's *search* segmentation: each word, and also the
  dictionary words inside a long word (老年人 → 老年, 老年人), so that a query for a
  shorter word finds it.
- A query is segmented the precise way; each word must occur (AND). A query word that
  the dictionary knows as one piece but a document may have split (加装电梯 vs. 加装 +
  电梯) matches either way: the word itself, or all of its parts.

jieba is loaded once per process, lazily, by the first call that needs it (measured
in README: about 0.4 s with its prefix cache, 1.5-3 s when the cache is built). Its
cache is a pickle; jieba's default would read and write ``jieba.cache`` in the shared
temporary directory, where another local user could plant one. Ours lives in a
directory of its own under the temporary directory, created with mode 0700 and used
only when it belongs to this user; otherwise a fresh private directory is made.
"""

from __future__ import annotations

import logging
import os
import re
import stat
import tempfile
import threading
import unicodedata
import warnings
from dataclasses import dataclass
from typing import Any

#: Longest query, in characters, before anything is done with it.
MAX_QUERY = 100
#: Query words beyond this many are ignored (each costs a lookup).
MAX_TERMS = 8
#: Words too common to tell records apart (function words); dropped on both sides.
STOP_WORDS = frozenset("的了和与及或在是也都就把被对等之其为于以")  # one character each

_WORD = re.compile(r"[^\W_]+")

_lock = threading.Lock()
_tokenizer: Any = None


def cache_dir() -> str:
    """A directory only this user can write, for jieba's dictionary cache."""
    uid = os.getuid() if hasattr(os, "getuid") else 0
    path = os.path.join(tempfile.gettempdir(), f"gongzhi-jieba-{uid}")
    try:
        os.mkdir(path, 0o700)
    except FileExistsError:
        pass
    except OSError:
        return tempfile.mkdtemp(prefix="gongzhi-jieba-")
    info = os.lstat(path)
    if not stat.S_ISDIR(info.st_mode) or info.st_uid != uid or info.st_mode & 0o077:
        return tempfile.mkdtemp(prefix="gongzhi-jieba-")
    return path


def tokenizer() -> Any:
    """jieba's tokenizer (our own instance), loaded once per process, quietly."""
    global _tokenizer
    if _tokenizer is None:
        with _lock:
            if _tokenizer is None:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    import jieba

                    logging.getLogger("jieba").setLevel(logging.WARNING)
                    jieba.setLogLevel(logging.WARNING)
                    made = jieba.Tokenizer()
                    made.tmp_dir = cache_dir()
                    made.initialize()
                _tokenizer = made
    return _tokenizer


def loaded() -> bool:
    """Whether jieba is loaded in this process (tests and the bench ask)."""
    return _tokenizer is not None


def normalise(text: str) -> str:
    return unicodedata.normalize("NFKC", text).lower()


def _runs(text: str) -> list[str]:
    return _WORD.findall(text)


def index_words(*texts: str) -> str:
    """The words a document is indexed under, space-separated (see the module doc)."""
    cut = tokenizer().cut_for_search
    words: list[str] = []
    for text in texts:
        for run in _runs(normalise(text)):
            words.extend(w for w in cut(run, HMM=False) if w not in STOP_WORDS)
    return " ".join(words)


@dataclass(frozen=True)
class Term:
    """One query word: found as the word itself or as all of its ``parts``."""

    word: str
    parts: tuple[str, ...] = ()

    @property
    def alternatives(self) -> tuple[tuple[str, ...], ...]:
        return ((self.word,), self.parts) if self.parts else ((self.word,),)


@dataclass(frozen=True)
class Query:
    """A query as typed, and what came of it: its terms, or why there are none."""

    text: str
    terms: tuple[Term, ...]
    #: "empty" (nothing typed), "too_long", "no_words" (only punctuation), or "".
    problem: str = ""

    @property
    def words(self) -> list[str]:
        """Every word and part, longest first (for highlighting)."""
        found = {w for t in self.terms for alt in t.alternatives for w in alt}
        return sorted(found, key=lambda w: (-len(w), w))


def parse_query(text: str) -> Query:
    """The terms of a query; any text is accepted and none of it is syntax."""
    stripped = text.strip()
    if not stripped:
        return Query("", (), "empty")
    if len(stripped) > MAX_QUERY:
        return Query(stripped[:MAX_QUERY], (), "too_long")
    runs = _runs(normalise(stripped))
    if not runs:
        return Query(stripped, (), "no_words")
    seg = tokenizer()
    terms: list[Term] = []
    for run in runs:
        for word in seg.cut(run, HMM=False):
            if word in STOP_WORDS or any(t.word == word for t in terms):
                continue
            parts = tuple(p for p in seg.cut_for_search(word, HMM=False) if p != word)
            finest = tuple(p for p in parts if not any(p in q and p != q for q in parts))
            terms.append(Term(word, finest if len(finest) > 1 else ()))
    if not terms:
        return Query(stripped, (), "no_words")
    return Query(stripped, tuple(terms[:MAX_TERMS]))


def fts5_match(query: Query) -> str:
    """The SQLite FTS5 MATCH expression: every term, each a quoted string (words are
    letters and digits only, so quoting cannot be escaped)."""

    def quoted(words: tuple[str, ...]) -> str:
        return " AND ".join(f'"{w}"' for w in words)

    return " AND ".join(
        "(" + " OR ".join(f"({quoted(alt)})" for alt in t.alternatives) + ")" for t in query.terms
    )


def pg_tsquery(query: Query) -> str:
    """The PostgreSQL ``to_tsquery('simple', ...)`` text: lexemes quoted, & and |."""

    def quoted(words: tuple[str, ...]) -> str:
        return " & ".join(f"'{w}'" for w in words)

    return " & ".join(
        "(" + " | ".join(f"({quoted(alt)})" for alt in t.alternatives) + ")" for t in query.terms
    )


def highlight(title: str, words: list[str]) -> list[tuple[str, bool]]:
    """``title`` cut into pieces, each marked whether it is a matched word (case and
    width folded as the index folds them). The caller escapes every piece."""
    if not words or not title:
        return [(title, False)] if title else []
    folded = [normalise(ch) for ch in title]
    if any(len(ch) != 1 for ch in folded):
        folded = list(title.lower()) if len(title.lower()) == len(title) else list(title)
    plain = "".join(folded)
    marked = [False] * len(title)
    for word in words:
        start = plain.find(word)
        while start != -1:
            for i in range(start, start + len(word)):
                marked[i] = True
            start = plain.find(word, start + len(word))
    pieces: list[tuple[str, bool]] = []
    for ch, on in zip(title, marked, strict=True):
        if pieces and pieces[-1][1] == on:
            pieces[-1] = (pieces[-1][0] + ch, on)
        else:
            pieces.append((ch, on))
    return pieces
