"""Search words: segmentation, query terms (never syntax), highlighting, jieba's loading."""

from __future__ import annotations

import os
import re
import stat
import subprocess
import sys

from hypothesis import given
from hypothesis import strategies as st

from search.rules.words import (
    MAX_QUERY,
    MAX_TERMS,
    cache_dir,
    fts5_match,
    highlight,
    index_words,
    parse_query,
    pg_tsquery,
)


def test_a_title_is_indexed_under_its_words_and_the_words_inside_them() -> None:
    assert index_words("老旧小区加装电梯工程").split() == [
        "老",
        "旧",
        "小区",
        "加装",
        "电梯",
        "工程",
    ]
    assert {"老年", "老年人"} <= set(index_words("老年人助餐服务").split())
    assert index_words("ＡＢＣ１２３的电梯") == "abc123 电梯"  # width and case folded, 的 dropped


def test_a_query_needs_every_word() -> None:
    query = parse_query("加装电梯")
    assert [t.word for t in query.terms] == ["加装", "电梯"]
    assert fts5_match(query) == '(("加装")) AND (("电梯"))'
    assert pg_tsquery(query) == "(('加装')) & (('电梯'))"


def test_a_dictionary_word_matches_as_itself_or_as_its_parts() -> None:
    [term] = parse_query("中华人民共和国").terms
    assert term.parts  # e.g. 中华 / 人民 / 共和国
    assert "OR" in fts5_match(parse_query("中华人民共和国"))


def test_problems_are_named_not_raised() -> None:
    assert parse_query("").problem == "empty"
    assert parse_query("   ").problem == "empty"
    assert parse_query("电" * (MAX_QUERY + 1)).problem == "too_long"
    assert parse_query("，。！?*^()\"'").problem == "no_words"
    assert parse_query("的").problem == "no_words"
    assert len(parse_query(" ".join(f"w{i}" for i in range(20))).terms) == MAX_TERMS


@given(st.text(max_size=300))
def test_any_text_gives_terms_of_letters_and_digits_only(text: str) -> None:
    query = parse_query(text)
    for word in query.words:
        assert word and all(ch.isalnum() for ch in word)
    if query.terms:
        # Quotes only around words: the expressions hold no syntax from the text.
        left = re.sub(r'"[^\W_]+"', "", fts5_match(query))
        assert set(left.replace("AND", "").replace("OR", "")) <= set("() ")
        left = re.sub(r"'[^\W_]+'", "", pg_tsquery(query))
        assert set(left) <= set("()&| ")
        assert len(query.text) <= MAX_QUERY


def test_highlight_marks_matched_words_in_the_title_as_typed() -> None:
    words = parse_query("加装电梯").words
    assert highlight("老旧小区加装电梯工程", words) == [
        ("老旧小区", False),
        ("加装电梯", True),
        ("工程", False),
    ]
    assert highlight("ＡＢＣ路灯", parse_query("abc").words) == [("ＡＢＣ", True), ("路灯", False)]
    assert highlight("无关", words) == [("无关", False)]
    assert highlight("", words) == []


def test_the_cache_directory_is_private() -> None:
    path = cache_dir()
    info = os.stat(path)
    assert info.st_uid == os.getuid() and not info.st_mode & 0o077
    assert stat.S_ISDIR(info.st_mode)


def test_jieba_loads_lazily_quietly_and_caches_only_in_its_private_directory(
    tmp_path: object,
) -> None:
    code = (
        "import sys, tempfile; import search.querying, web.search;"
        "assert 'jieba' not in sys.modules;"
        "from search.rules.words import parse_query, loaded;"
        "assert not loaded();"
        "print(len(parse_query('加装电梯').terms));"
        "print(tempfile.gettempdir())"
    )
    env = dict(os.environ, TMPDIR=str(tmp_path))
    done = subprocess.run(
        [sys.executable, "-W", "error", "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env=env,
        cwd=str(tmp_path),
    )
    assert done.stderr == ""
    assert done.stdout.split()[0] == "2"
    written = sorted(os.listdir(str(tmp_path)))
    assert written == [f"gongzhi-jieba-{os.getuid()}"]
    assert os.listdir(os.path.join(str(tmp_path), written[0])) == ["jieba.cache"]
