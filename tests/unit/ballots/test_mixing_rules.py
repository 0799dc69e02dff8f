"""Which sealed contents open when, how large a sealed plaintext is, and sealing."""

from __future__ import annotations

import json
import random
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from participation import sealing
from participation.ballots.rules.ballot_forms import BallotForm, FormKind, check_ballot
from participation.ballots.rules.mixing import ballot_bound, padded_size, to_open


@given(st.integers(0, 500), st.integers(1, 60), st.booleans(), st.integers())
def test_batches_hold_at_least_mix_or_everything_at_the_end(
    pending: int, mix: int, final: bool, seed: int
) -> None:
    chosen = to_open(pending, mix, final, random.Random(seed))
    assert len(set(chosen)) == len(chosen) and all(0 <= i < pending for i in chosen)
    if final:
        assert len(chosen) == pending
    elif pending < 2 * mix:
        assert chosen == []
    else:
        assert len(chosen) == pending - mix >= mix  # a crowd opens, a crowd stays behind


@pytest.mark.parametrize(
    ("length", "size", "expected"),
    [(10, 256, 256), (256, 256, 256), (257, 256, 512), (1000, 0, 1024), (1, 0, 64)],
)
def test_padded_size(length: int, size: int, expected: int) -> None:
    assert padded_size(length, size) == expected


KEYS = [str(n) for n in range(1, 13)]
FORMS = [
    BallotForm(FormKind.CHOOSE, 0, None),
    BallotForm(FormKind.BUDGET, 0, None, budget=10**9),
    BallotForm(FormKind.RANKED, 1, None),
    BallotForm(FormKind.CUMULATIVE, points=99, max_per_item=50),
    BallotForm(FormKind.YES_NO),
    BallotForm(FormKind.SATISFACTION),
]


@pytest.mark.parametrize("form", FORMS, ids=lambda f: f.kind.value)
@given(data=st.data())
def test_no_valid_ballot_is_longer_than_the_bound(form: BallotForm, data: st.DataObject) -> None:
    chosen = data.draw(st.lists(st.sampled_from(KEYS), unique=True))
    raws: dict[FormKind, dict[str, Any]] = {
        FormKind.CHOOSE: {"approved": chosen},
        FormKind.BUDGET: {"approved": chosen},
        FormKind.RANKED: {"ranking": chosen or ["1"]},
        FormKind.CUMULATIVE: {"points": {k: data.draw(st.integers(1, 8)) for k in chosen}},
        FormKind.YES_NO: {
            "choices": {k: data.draw(st.sampled_from(["yes", "no"])) for k in chosen}
        },
        FormKind.SATISFACTION: {"grades": {k: "basic" for k in chosen}},
    }
    raw = raws[form.kind]
    checked = check_ballot(form, dict.fromkeys(KEYS, 1), raw)
    if checked.content is not None:
        stored = json.dumps(checked.content, ensure_ascii=False, sort_keys=True).encode()
        assert len(stored) <= ballot_bound(form, KEYS)


def test_sealed_values_open_only_for_their_purpose_and_key() -> None:
    sealing.use_secret("a" * 40)
    sealed = sealing.seal("ballot-box:1", b'{"approved": ["1"]}', 256)
    same_size = sealing.seal("ballot-box:1", b"x", 256)
    assert len(sealed) == len(same_size)  # the length says nothing of the content
    assert b"approved" not in sealed
    assert sealing.unseal("ballot-box:1", sealed) == b'{"approved": ["1"]}'
    with pytest.raises(sealing.SealingError):
        sealing.unseal("ballot-box:2", sealed)
    damaged = sealed[:-1] + bytes([sealed[-1] ^ 1])
    with pytest.raises(sealing.SealingError):
        sealing.unseal("ballot-box:1", damaged)
    sealing.use_secret("b" * 40)
    with pytest.raises(sealing.SealingError, match="another key"):
        sealing.unseal("ballot-box:1", sealed)
