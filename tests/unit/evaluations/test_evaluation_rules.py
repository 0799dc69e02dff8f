"""Pure evaluation rules against hand-computed cases, plus hypothesis properties."""

from __future__ import annotations

import itertools
import math
from datetime import date
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from consultations.evaluations.rules.answers import (
    Option,
    QuestionKind,
    QuestionSpec,
    check_answer,
    question_problems,
    score_answer,
)
from consultations.evaluations.rules.estimates import (
    Aggregates,
    aggregate,
    estimate,
    indicator_means,
    respondent_index,
)
from consultations.evaluations.rules.integrity import Flag, flags_for
from consultations.evaluations.rules.quotas import QuotaVerdict, age_band, quota_verdict
from consultations.evaluations.rules.sampling import margin_of_error, sample_size
from consultations.evaluations.rules.scoring import ResponseRow, WeightPlan, score
from consultations.evaluations.rules.suppression import shown
from consultations.evaluations.rules.weighting import (
    design_effect,
    post_stratify,
    rake,
    weighted_shares,
)
from consultations.evaluations.rules.weights import (
    IndicatorSpec,
    check_tree,
    leaf_weights,
    parse_permille,
)

TREE = [
    IndicatorSpec("A", None, 600),
    IndicatorSpec("B", None, 400),
    IndicatorSpec("A1", "A", 500),
    IndicatorSpec("A2", "A", 500),
]


def test_valid_tree_and_leaf_weights() -> None:
    assert check_tree(TREE) == []
    assert leaf_weights(TREE) == {
        "A1": Fraction(3, 10),
        "A2": Fraction(3, 10),
        "B": Fraction(2, 5),
    }


@pytest.mark.parametrize(
    ("specs", "reason", "total"),
    [
        ([IndicatorSpec("A", None, 600), IndicatorSpec("B", None, 300)], "sum", 900),
        ([*TREE[:3], IndicatorSpec("A2", "A", 499)], "sum", 999),
        ([IndicatorSpec("A", None, 1000), IndicatorSpec("X", "nope", 1000)], "unknown_parent", 0),
        ([], "empty", 0),
        ([IndicatorSpec("A", None, 1200), IndicatorSpec("B", None, -200)], "negative", -200),
    ],
)
def test_bad_trees(specs: list[IndicatorSpec], reason: str, total: int) -> None:
    problems = check_tree(specs)
    assert any(p.reason == reason and p.total == total for p in problems), problems


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("0.25", 250),
        ("25%", 250),
        ("250‰", 250),
        ("250", 250),
        ("1", 1000),
        ("x", None),
        ("0.0005", None),
    ],
)
def test_parse_permille(text: str, value: int | None) -> None:
    assert parse_permille(text) == value


@st.composite
def trees(draw: st.DrawFn) -> list[IndicatorSpec]:
    def split(count: int) -> list[int]:
        cuts = sorted(draw(st.lists(st.integers(0, 1000), min_size=count - 1, max_size=count - 1)))
        bounds = [0, *cuts, 1000]
        return [b - a for a, b in itertools.pairwise(bounds)]

    specs = []
    tops = draw(st.integers(1, 5))
    for i, w in enumerate(split(tops)):
        specs.append(IndicatorSpec(f"t{i}", None, w))
        children = draw(st.integers(0, 4))
        if children:
            for j, cw in enumerate(split(children)):
                specs.append(IndicatorSpec(f"t{i}c{j}", f"t{i}", cw))
    return specs


@given(trees())
def test_leaf_weights_of_a_valid_tree_sum_to_exactly_one(specs: list[IndicatorSpec]) -> None:
    assert check_tree(specs) == []
    assert sum(leaf_weights(specs).values()) == 1


SCALE = QuestionSpec("q1", QuestionKind.SCALE5, "A1")
CHOICE = QuestionSpec(
    "q2",
    QuestionKind.MULTI,
    "A2",
    (Option("a", "好", 100), Option("b", "一般", 50), Option("c", "其他", None)),
)
NUMBER = QuestionSpec("q3", QuestionKind.NUMBER, "B", low=0, high=10)


@pytest.mark.parametrize(
    ("question", "raw", "score"),
    [
        (SCALE, "1", 0.0),
        (SCALE, "4", 75.0),
        (SCALE, "", None),
        (CHOICE, "a,b", 75.0),
        (CHOICE, "c", None),
        (NUMBER, "7.5", 75.0),
        (NUMBER, "20", 100.0),
        (NUMBER, "-3", 0.0),
    ],
)
def test_answer_scores(question: QuestionSpec, raw: str, score: float | None) -> None:
    assert score_answer(question, raw) == score


def test_answer_checks_and_question_problems() -> None:
    assert check_answer(SCALE, "6") == "bad_choice"
    assert check_answer(SCALE, "") == "required"
    assert check_answer(CHOICE, "a,a") == "bad_choice"
    assert check_answer(NUMBER, "七") == "bad_number"
    assert check_answer(NUMBER, "3") is None
    orphan = QuestionSpec("q9", QuestionKind.SCALE5, None)
    assert question_problems(orphan, {"A1"}) == ["no_indicator"]
    text = QuestionSpec("q10", QuestionKind.TEXT, None)
    assert question_problems(text, {"A1"}) == []
    assert "number_range" in question_problems(QuestionSpec("n", QuestionKind.NUMBER, "A1"), {"A1"})


def test_unweighted_interval_by_hand() -> None:
    # mean 75, s² = 500/3, var = s²/4 = 41.67, half = 1.96 · 6.455 = 12.652
    result = estimate(aggregate([60.0, 70.0, 80.0, 90.0, None]))
    assert result.n == 4
    assert result.mean == pytest.approx(75.0)
    assert result.low == pytest.approx(75 - 12.6515, abs=1e-3)
    assert result.high == pytest.approx(75 + 12.6515, abs=1e-3)


def test_weighted_interval_by_hand() -> None:
    # ȳ = (3·50 + 100)/4 = 62.5; Σw²(y−ȳ)² = 9·156.25 + 1406.25 = 2812.5;
    # v = 2 · 2812.5 / 16 = 351.5625, √v = 18.75, half = 36.7493
    result = estimate(aggregate([50.0, 100.0], [3.0, 1.0]))
    assert result.mean == pytest.approx(62.5)
    assert result.low == pytest.approx(62.5 - 36.7493, abs=1e-3)
    assert result.high == pytest.approx(62.5 + 36.7493, abs=1e-3)


def test_one_answer_has_no_interval_and_none_has_no_mean() -> None:
    assert estimate(aggregate([40.0])).low is None
    assert estimate(aggregate([None])).mean is None


scores = st.lists(st.one_of(st.none(), st.floats(0, 100)), min_size=1, max_size=60)


@given(scores, st.floats(0.1, 10))
def test_interval_holds_the_mean_and_equal_weights_change_nothing(
    values: list[float | None], w: float
) -> None:
    plain = estimate(aggregate(values))
    weighted = estimate(aggregate(values, [w] * len(values)))
    if plain.mean is None:
        assert weighted.mean is None
        return
    assert weighted.mean == pytest.approx(plain.mean)
    if plain.low is not None and plain.high is not None:
        assert 0 <= plain.low <= plain.mean + 1e-9 <= plain.high + 2e-9 <= 100 + 2e-9
        # The variance comes from the published sums, so cancellation costs a little.
        assert weighted.low == pytest.approx(plain.low, abs=1e-3)


def test_index_renormalises_over_answered_leaves() -> None:
    by_indicator = indicator_means(
        {"q1": [100.0, None], "q2": [50.0, 0.0], "q3": [0.0, None]},
        {"q1": "A1", "q2": "A1", "q3": "B"},
        2,
    )
    assert by_indicator == {"A1": [75.0, 0.0], "B": [0.0, None]}
    weights = {"A1": Fraction(3, 5), "B": Fraction(2, 5)}
    assert respondent_index(by_indicator, weights, 2) == [pytest.approx(45.0), 0.0]


def test_sample_size_by_hand() -> None:
    # n₀ = 1.96²·0.25/0.05² = 384.15 → 385; N = 2000: 384.15/(1 + 383.15/2000) = 322.4 → 323
    size = sample_size(confidence=0.95, margin=0.05, population=2000, response_rate=0.4)
    assert (size.infinite, size.needed, size.invitations) == (385, 323, 808)
    assert sample_size(confidence=0.95, margin=0.05).needed == 385
    assert margin_of_error(385) == pytest.approx(0.0499, abs=1e-4)
    with pytest.raises(ValueError):
        sample_size(confidence=0.95, margin=0.0)


@given(
    st.sampled_from([0.9, 0.95, 0.99]),
    st.floats(0.01, 0.2),
    st.integers(1, 10**6),
    st.floats(0.05, 1.0),
)
def test_sample_size_properties(conf: float, margin: float, population: int, rate: float) -> None:
    size = sample_size(confidence=conf, margin=margin, population=population, response_rate=rate)
    assert size.needed <= size.infinite
    assert size.needed <= population
    assert size.invitations >= size.needed


def test_post_stratification_by_hand() -> None:
    result = post_stratify(["a", "a", "a", "b"], {"a": 50, "b": 50, "c": 10})
    assert result.weights == pytest.approx([2 / 3, 2 / 3, 2 / 3, 2.0])
    assert result.missing_cells == ("c",)
    assert weighted_shares(result.weights, ["a", "a", "a", "b"]) == pytest.approx(
        {"a": 0.5, "b": 0.5}
    )


def test_raking_on_one_dimension_equals_post_stratification() -> None:
    rows = [{"g": "女"}, {"g": "女"}, {"g": "女"}, {"g": "男"}]
    result = rake(rows, {"g": {"女": 0.5, "男": 0.5}}, trim=(0.1, 10))
    assert result.converged
    assert result.weights == pytest.approx([2 / 3, 2 / 3, 2 / 3, 2.0])


def test_raking_two_dimensions_fits_both_margins() -> None:
    rows = (
        [{"g": "女", "a": "老"}] * 40
        + [{"g": "女", "a": "青"}] * 20
        + [{"g": "男", "a": "老"}] * 25
        + [{"g": "男", "a": "青"}] * 15
    )
    margins = {"g": {"女": 0.5, "男": 0.5}, "a": {"老": 0.4, "青": 0.6}}
    result = rake(rows, margins)
    assert result.converged
    assert weighted_shares(result.weights, [r["g"] for r in rows])["女"] == pytest.approx(0.5)
    assert weighted_shares(result.weights, [r["a"] for r in rows])["青"] == pytest.approx(0.6)
    assert result.design_effect > 1


def test_trimming_caps_weights_even_when_margins_cannot_be_met() -> None:
    rows = [{"g": "女"}] * 99 + [{"g": "男"}]
    result = rake(rows, {"g": {"女": 0.5, "男": 0.5}}, trim=(0.5, 2.0))
    assert not result.converged
    assert max(result.weights) <= 2.0 + 1e-9
    assert min(result.weights) >= 0.5 - 1e-9


@given(
    st.lists(st.tuples(st.sampled_from("xyz"), st.sampled_from("pq")), min_size=1, max_size=80),
    st.floats(0.1, 0.9),
)
def test_raked_weights_have_mean_one_and_stay_within_trim(
    pairs: list[tuple[str, str]], share: float
) -> None:
    rows = [{"d1": a, "d2": b} for a, b in pairs]
    margins = {"d1": {"x": 0.3, "y": 0.3, "z": 0.4}, "d2": {"p": share, "q": 1 - share}}
    result = rake(rows, margins, trim=(0.3, 3.0))
    assert math.fsum(result.weights) == pytest.approx(len(rows))
    assert all(0.3 - 1e-6 <= w <= 3.0 + 1e-6 for w in result.weights)
    assert design_effect(result.weights) >= 1 - 1e-9


def test_integrity_flags() -> None:
    assert flags_for(50, 300.0, ["3", "4", "2", "5", "1"]) == {Flag.SPEEDING}
    assert flags_for(300, 300.0, ["4"] * 5) == {Flag.STRAIGHT_LINING}
    assert flags_for(300, 300.0, ["4"] * 4) == set()
    assert flags_for(300, 300.0, ["", *["4"] * 5]) == set()
    assert flags_for(300, 300.0, [""] * 6) == set()
    assert flags_for(99, 300.0, ["4"] * 6) == {Flag.SPEEDING, Flag.STRAIGHT_LINING}


def test_quota_cells_and_age_bands() -> None:
    assert age_band(date(1980, 6, 1), date(2026, 5, 31)) == "45-59"
    assert age_band(date(1960, 1, 1), date(2026, 1, 1)) == "60+"
    assert age_band(date(2010, 1, 1), date(2026, 1, 1)) == "<18"
    caps = {"一社区 / 女": 2}
    assert quota_verdict("一社区 / 女", caps, {"一社区 / 女": 1}) is QuotaVerdict.OK
    assert quota_verdict("一社区 / 女", caps, {"一社区 / 女": 2}) is QuotaVerdict.FULL
    assert quota_verdict("二社区 / 女", caps, {}) is QuotaVerdict.NOT_IN_PLAN
    assert quota_verdict("any", {}, {}) is QuotaVerdict.OK


@given(st.integers(0, 200))
def test_small_groups_are_never_shown(n: int) -> None:
    assert shown(n) == (n >= 30)


SCORING_QUESTIONS = [
    QuestionSpec("q1", QuestionKind.SCALE5, "A"),
    QuestionSpec("q2", QuestionKind.SCALE5, "A"),
    QuestionSpec("q3", QuestionKind.SINGLE, "B", (Option("a", "好", 100), Option("b", "差", 0))),
    QuestionSpec("q4", QuestionKind.TEXT, None),
]
SCORING_TREE = [IndicatorSpec("A", None, 600), IndicatorSpec("B", None, 400)]
NO_WEIGHTS = WeightPlan("none", (), {})


def _rows() -> list[ResponseRow]:
    return [
        ResponseRow("x", {"q1": "5", "q2": "3", "q3": "a", "q4": "很好"}, 300),  # A 75, B 100: 85
        ResponseRow("x", {"q1": "1", "q2": "", "q3": "b", "q4": ""}, 300),  # A 0, B 0: 0
        ResponseRow("y", {"q1": "4", "q2": "4", "q3": "", "q4": ""}, 300),  # A 75, B —: 75
        ResponseRow("y", {"q1": "5", "q2": "5", "q3": "a", "q4": ""}, 10),  # speeding: left out
    ]


def test_scoring_by_hand() -> None:
    report = score(SCORING_QUESTIONS, SCORING_TREE, _rows(), NO_WEIGHTS)
    assert report["responses"] == 4
    assert report["kept"] == 3
    assert report["flags"] == {"speeding": 1, "straight_lining": 0}
    figures = report["figures"]
    assert figures["_overall"]["mean"] == pytest.approx((85 + 0 + 75) / 3)
    assert figures["A"]["mean"] == pytest.approx(50.0)
    assert figures["B"]["n"] == 2
    assert figures["B"]["mean"] == pytest.approx(50.0)
    assert report["questions"]["q2"]["n"] == 2
    assert "q4" not in report["questions"]


def test_published_aggregates_recompute_every_figure() -> None:
    report = score(SCORING_QUESTIONS, SCORING_TREE, _rows(), NO_WEIGHTS)
    for figure in report["figures"].values():
        again = estimate(Aggregates(**figure["weighted_aggregates"]))
        assert again.mean == pytest.approx(figure["weighted_mean"])
        assert again.low == pytest.approx(figure["weighted_low"])


def test_responses_missing_a_key_score_like_skipped_answers() -> None:
    rows = _rows()
    partial = [
        ResponseRow(r.cell, {k: v for k, v in r.answers.items() if v}, r.seconds) for r in rows
    ]
    full = score(SCORING_QUESTIONS, SCORING_TREE, rows, NO_WEIGHTS)
    assert score(SCORING_QUESTIONS, SCORING_TREE, partial, NO_WEIGHTS)["figures"] == full["figures"]


def test_straight_liners_are_left_out_and_small_subgroups_hidden() -> None:
    questions = [QuestionSpec(f"s{i}", QuestionKind.SCALE5, "A") for i in range(5)]
    tree = [IndicatorSpec("A", None, 1000)]
    rows = [
        ResponseRow("甲 / 女", {f"s{i}": str(1 + (i + k) % 5) for i in range(5)}, 100)
        for k in range(40)
    ]
    rows += [ResponseRow("乙 / 女", {f"s{i}": "5" for i in range(5)}, 100) for _ in range(3)]
    rows += [ResponseRow("乙 / 男", {f"s{i}": str(1 + i) for i in range(5)}, 100) for _ in range(5)]
    plan = WeightPlan(
        "raking", ("community", "gender"), {"甲 / 女": 50, "乙 / 女": 30, "乙 / 男": 20}
    )
    report = score(questions, tree, rows, plan)
    assert report["flags"]["straight_lining"] == 3
    assert report["kept"] == 45
    community = {g["value"]: g for g in report["subgroups"]["community"]}
    assert community["甲"]["shown"] and community["甲"]["n"] == 40
    assert not community["乙"]["shown"] and "mean" not in community["乙"]


@given(
    st.lists(
        st.tuples(st.sampled_from(["", "1", "2", "3", "4", "5"]), st.sampled_from(["", "a", "b"])),
        min_size=1,
        max_size=50,
    )
)
def test_the_fast_pipeline_matches_the_stated_formulas(answers: list[tuple[str, str]]) -> None:
    questions = [SCORING_QUESTIONS[0], SCORING_QUESTIONS[2]]
    rows = [ResponseRow("x", {"q1": a, "q3": b}, 300) for a, b in answers]
    report = score(questions, SCORING_TREE, rows, NO_WEIGHTS)
    scale = {"1": 0.0, "2": 25.0, "3": 50.0, "4": 75.0, "5": 100.0}
    a_values = [scale.get(a) for a, _ in answers]
    b_values = [{"a": 100.0, "b": 0.0}.get(b) for _, b in answers]
    overall = [
        None
        if a is None and b is None
        else (0.6 * (a or 0) + 0.4 * (b or 0))
        / ((0.6 if a is not None else 0) + (0.4 if b is not None else 0))
        for a, b in zip(a_values, b_values, strict=True)
    ]
    for key, values in (("A", a_values), ("B", b_values), ("_overall", overall)):
        expected = estimate(aggregate(values))
        figure = report["figures"][key]
        assert figure["n"] == expected.n
        if expected.mean is None:
            assert figure["mean"] is None
        else:
            assert figure["mean"] == pytest.approx(expected.mean)
            assert figure["weighted_mean"] == pytest.approx(expected.mean)
