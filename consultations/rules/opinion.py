"""Opinion groups from agree/disagree/pass votes on short statements: the Pol.is
method as its math server publishes it (compdemocracy/polis, ``math/``), step by step.

Pure: plain values in, an :class:`OpinionMap` out; no database, no clock. The
previous map's :class:`MapState` may be passed in, as Pol.is carries its
previous conversation state from one update to the next.

1. **Vote matrix** (``rating-mat``). One row per participant, one column per
   statement that has votes; +1 agree, -1 disagree, 0 pass, missing. Columns of
   moderated-out (hidden) statements are *kept*, with every cell set to pass
   (Pol.is ``zero-out-columns``), so they still count in step 4's scaling.
2. **Who is grouped** (``in-conv``): participants with at least
   ``min(7, statements)`` votes (hidden statements' votes count, as Pol.is
   counts the raw matrix), plus everyone grouped before; while fewer than 15
   qualify, the most active voters fill up to 15 (Pol.is ``greedy-n``).
3. **PCA** (``mat``, ``pca``). Missing cells are set to their column's mean,
   columns are centred on it, and the two leading principal axes are the top
   eigenvectors of the statements' covariance (computed exactly; Pol.is runs
   power iteration to the same axes). Every participant is projected, grouped
   or not; each axis's sign is fixed so its largest loading is positive.
4. **Sparsity scaling** (``sparsity-aware-project-ptpts``): a participant's
   position is multiplied by ``sqrt(statements / votes)``, so someone who voted
   on few statements is not pulled to the centre.
5. **Base clusters** (``base-clusters``): k-means with k = 100 on the grouped
   participants' positions, started from the previous base clusters or else
   from the first 100 distinct positions (in participant order).
6. **Groups** (``group-clusterings``): weighted k-means of the base clusters
   (weights: members) for every k from 2 to ``min(5, 2 + base/12)``; each k's
   silhouette on the base clusters; the k shown is smoothed across updates
   (Pol.is ``group-k-smoother``: a new k must be the best 4 updates in a row).
   Each k-means starts from the previous update's groups for that k, or the
   first time from the first k distinct base clusters (``group_kmeans``); so,
   as in Pol.is, groups depend on the history of updates, which the carried
   :class:`MapState` supplies.
7. **Labels** follow members: each group keeps the letter of the previous group
   it shares most members with (``follow_labels``), so a reload never renumbers.
8. **Representative statements** (``repness``): Pol.is's two-proportion z-tests
   and 90 % significance cut, ranked by ``ra * rat * pa * pat``, with the
   group's best agreed statement first (``opinion_stats.select_representative``).
9. **Consensus** (``group-aware-consensus``): per statement, the product of each
   group's smoothed agree share; the same with disagree shares for common
   rejection (``opinion_stats.group_aware_consensus``).

Invariants (tested): permuting the participants does not change the groups;
votes outside {+1, -1, 0} are refused; the groups partition the grouped
participants; hidden statements are never representative nor consensus.
"""

from __future__ import annotations

from collections.abc import Collection, Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from enum import IntEnum
from typing import Any

import numpy as np

from consultations.rules.opinion_clusters import (
    BASE_K,
    KSmoother,
    first_distinct,
    follow_labels,
    group_kmeans,
    kmeans,
    max_k,
    silhouette,
    smooth_k,
)
from consultations.rules.opinion_stats import (
    RepStats,
    group_aware_consensus,
    rep_stats,
    select_consensus,
    select_representative,
)

MIN_VOTES = 7  # Pol.is: votes needed to be grouped (or all statements, when fewer)
GREEDY_N = 15  # Pol.is: below this many grouped participants, the most active fill up


class Choice(IntEnum):
    AGREE = 1
    DISAGREE = -1
    PASS = 0


@dataclass(frozen=True)
class Statement:
    """A representative or consensus statement with the shares behind it.

    ``share_in``: representative: the group's smoothed share voting that way;
    consensus: the group-aware consensus (product of the groups' shares).
    ``share_out``: representative: the same share among everyone else;
    consensus: the lowest group's smoothed share.
    ``agree`` / ``disagree``: plain shares of those who voted on it (the group,
    or for consensus everyone grouped) who agreed / disagreed; ``votes``: how many.
    """

    statement: Hashable
    direction: Choice  # AGREE or DISAGREE
    share_in: float
    share_out: float
    agree: float = 0.0
    disagree: float = 0.0
    votes: int = 0


@dataclass(frozen=True)
class Group:
    label: str  # "A", "B", ...: follows the members across updates
    members: tuple[Hashable, ...]
    centroid: tuple[float, float]
    representative: tuple[Statement, ...]

    @property
    def size(self) -> int:
        return len(self.members)


@dataclass(frozen=True)
class MapState:
    """What one computation hands to the next (Pol.is's carried conversation state):
    who was grouped, the base-cluster centres, each k's group centres, the
    k smoother, and the groups' members by label."""

    grouped: frozenset[Hashable] = frozenset()
    base_centres: tuple[tuple[float, float], ...] = ()
    group_centres: dict[int, tuple[tuple[float, float], ...]] = field(default_factory=dict)
    smoother: KSmoother = field(default_factory=KSmoother)
    groups: dict[str, frozenset[Hashable]] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "grouped": sorted(self.grouped, key=_sort_key),
            "base": [list(c) for c in self.base_centres],
            "centres": {str(k): [list(c) for c in v] for k, v in self.group_centres.items()},
            "k": [self.smoother.last_k, self.smoother.last_k_count, self.smoother.smoothed_k],
            "groups": {k: sorted(v, key=_sort_key) for k, v in self.groups.items()},
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> MapState:
        last_k, count, smoothed = data["k"]
        return cls(
            grouped=frozenset(data["grouped"]),
            base_centres=tuple((float(x), float(y)) for x, y in data["base"]),
            group_centres={
                int(k): tuple((float(x), float(y)) for x, y in v)
                for k, v in data["centres"].items()
            },
            smoother=KSmoother(last_k, int(count), smoothed),
            groups={k: frozenset(v) for k, v in data["groups"].items()},
        )


@dataclass(frozen=True)
class OpinionMap:
    groups: tuple[Group, ...]
    consensus: tuple[Statement, ...]  # agreed across groups, best first
    positions: dict[Hashable, tuple[float, float]]  # every participant, grouped or not
    silhouette: float | None  # of the k shown; None with fewer than two groups
    participants: int  # everyone who voted
    placed: int  # those grouped (enough votes, or grouped before)
    reason: str | None = None  # why there are no groups, when there are none
    consensus_disagree: tuple[Statement, ...] = ()  # rejected across groups, best first
    min_votes: int = MIN_VOTES  # votes needed to be grouped this time
    best_k: int | None = None  # the k the silhouette picked this time (may wait, see smoothing)
    state: MapState | None = None  # to pass as ``previous`` next time

    def group_of(self, participant: Hashable) -> str | None:
        for group in self.groups:
            if participant in group.members:
                return group.label
        return None


def opinion_map(
    votes: Iterable[tuple[Hashable, Hashable, int]],
    *,
    hidden: Collection[Hashable] = (),
    previous: MapState | None = None,
    min_votes: int = MIN_VOTES,
) -> OpinionMap:
    """Group participants by how they voted; see the module docstring.

    ``votes`` are ``(participant, statement, choice)`` with choice +1, -1 or 0;
    a later duplicate of a pair overwrites an earlier one. ``hidden`` are the
    moderated-out statements (their votes stay in the matrix as passes).
    Participant and statement ids are any sortable hashables (ints, strings).
    """
    rows = list(votes)
    if not rows:
        return OpinionMap((), (), {}, None, 0, 0, "no_votes")
    people_raw, statements_raw, choice_list = zip(*rows, strict=True)
    choices = np.asarray(choice_list, dtype=np.int64)
    if np.any((choices < -1) | (choices > 1)):
        raise ValueError("a vote must be +1 (agree), -1 (disagree) or 0 (pass)")
    people, p_index = _codes(people_raw)
    statements, s_index = _codes(statements_raw)
    n, m = len(people), len(statements)
    voted = np.zeros((n, m), dtype=bool)
    value = np.zeros((n, m), dtype=np.float32)
    voted[p_index, s_index] = True
    value[p_index, s_index] = choices
    hidden_set = set(hidden)
    excluded = np.fromiter((s in hidden_set for s in statements), dtype=bool, count=m)

    counts = voted.sum(axis=1)
    threshold = min(min_votes, m)
    before = previous.grouped if previous else frozenset()
    in_conv = participants_in(counts, threshold, [p in before for p in people])
    coords = project(*moderate(value, voted, excluded))
    positions = {people[i]: (float(coords[i, 0]), float(coords[i, 1])) for i in range(n)}
    grouped_idx = np.flatnonzero(in_conv)
    points = coords[grouped_idx]

    base_labels, base_centres = base_clusters(
        points, np.asarray(previous.base_centres) if previous and previous.base_centres else None
    )
    weights = np.bincount(base_labels, minlength=len(base_centres)).astype(np.float64)
    if len(base_centres) < 2:
        return OpinionMap(
            (),
            (),
            positions,
            None,
            n,
            len(grouped_idx),
            "too_few_participants",
            min_votes=threshold,
        )
    clusterings, scores = group_clusterings(
        base_centres, weights, previous.group_centres if previous else {}
    )
    smoother = smooth_k(scores, previous.smoother if previous else None)
    k_shown = smoother.smoothed_k
    assert k_shown is not None
    group_of_base, group_centres = clusterings[k_shown]
    labels = group_of_base[base_labels]
    k = len(group_centres)

    member_sets = [frozenset(people[i] for i in grouped_idx[labels == g]) for g in range(k)]
    letters = follow_labels(member_sets, previous.groups if previous else None)

    everyone = len(grouped_idx) == n  # then no copy of the matrices
    described = describe(
        value if everyone else value[grouped_idx],
        voted if everyone else voted[grouped_idx],
        labels,
        k,
        excluded,
        statements,
    )
    groups = []
    for g in range(k):
        members = tuple(sorted(member_sets[g], key=_sort_key))
        centre = points[labels == g].mean(axis=0)
        groups.append(
            Group(letters[g], members, (float(centre[0]), float(centre[1])), described.reps[g])
        )
    groups.sort(key=lambda grp: grp.label)
    state = MapState(
        grouped=frozenset(people[i] for i in grouped_idx),
        base_centres=tuple((float(x), float(y)) for x, y in base_centres),
        group_centres={
            kk: tuple((float(x), float(y)) for x, y in c) for kk, (_, c) in clusterings.items()
        },
        smoother=smoother,
        groups={letters[g]: member_sets[g] for g in range(k)},
    )
    return OpinionMap(
        tuple(groups),
        described.agree,
        positions,
        scores[k_shown],
        n,
        len(grouped_idx),
        None,
        described.disagree,
        threshold,
        smoother.last_k,
        state,
    )


def participants_in(counts: np.ndarray, threshold: int, before: Sequence[bool]) -> np.ndarray:
    """Pol.is ``in-conv``: at least ``threshold`` votes, or grouped before; while
    fewer than 15 are in, the most active of the others fill up to 15 (ties:
    earlier participant). Returns a boolean mask over participants."""
    mask: np.ndarray = (counts >= threshold) | np.asarray(before, dtype=bool)
    short = GREEDY_N - int(mask.sum())
    if short > 0:
        others = np.flatnonzero(~mask & (counts > 0))
        order = others[np.argsort(-counts[others], kind="stable")]
        mask[order[:short]] = True
    return mask


def moderate(
    value: np.ndarray, voted: np.ndarray, excluded: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Pol.is ``zero-out-columns``: a hidden statement's column becomes all passes."""
    if not excluded.any():
        return value, voted
    value = value.copy()
    voted = voted.copy()
    value[:, excluded] = 0.0
    voted[:, excluded] = True
    return value, voted


def project(value: np.ndarray, voted: np.ndarray) -> np.ndarray:
    """Pol.is PCA with mean imputation and ``sparsity-aware-project-ptpts``.

    Every participant's position on the two leading principal axes of the
    column-mean-imputed matrix, times ``sqrt(statements / votes)``.
    """
    m = value.shape[1]
    seen = voted.sum(axis=0)
    means = np.divide(
        (value * voted).sum(axis=0), seen, out=np.zeros(m, dtype=np.float32), where=seen > 0
    )
    centred = np.where(voted, value - means, np.float32(0.0))
    cov = (centred.T @ centred).astype(np.float64)
    axes = leading_axes(cov, 2)
    for j in range(2):
        pivot = int(np.argmax(np.abs(axes[:, j])))
        if axes[pivot, j] < 0:
            axes[:, j] = -axes[:, j]
    coords = (centred @ axes.astype(np.float32)).astype(np.float64)
    coords *= np.sqrt(m / np.maximum(voted.sum(axis=1), 1))[:, None]
    # Round away float32 noise so that equal voters sit on equal points.
    return np.asarray(np.round(coords, 6))


KRYLOV = 40  # Krylov basis size for the leading axes (exact decomposition below this)


def leading_axes(cov: np.ndarray, count: int) -> np.ndarray:
    """The ``count`` leading eigenvectors of a symmetric positive semi-definite
    matrix (Pol.is ``powerit-pca`` approximates the same axes by power iteration).

    Up to ``KRYLOV`` statements: an exact decomposition. Beyond: Rayleigh-Ritz on
    a Krylov basis of ``KRYLOV`` vectors from a fixed start, fully
    re-orthogonalised (Lanczos); the leading pair converges far faster than
    power iteration does, and at 500 statements it costs a few milliseconds
    where a full decomposition competes for the machine's threads.
    """
    m = cov.shape[0]
    if m <= KRYLOV:
        values, vectors = np.linalg.eigh(cov)
        axes = vectors[:, np.argsort(values)[::-1][:count]]
    else:
        basis = np.zeros((m, KRYLOV))
        start = np.cos(np.arange(m) * 0.7 + 0.3)  # fixed, deterministic, not sparse
        basis[:, 0] = start / np.linalg.norm(start)
        size = KRYLOV
        for j in range(1, KRYLOV):
            w = cov @ basis[:, j - 1]
            for _ in range(2):  # twice is enough (Kahan-Parlett)
                w -= basis[:, :j] @ (basis[:, :j].T @ w)
            norm = np.linalg.norm(w)
            if norm < 1e-10 * max(1.0, float(np.abs(cov).max())):
                size = j  # an invariant subspace: exact
                break
            basis[:, j] = w / norm
        basis = basis[:, :size]
        values, small = np.linalg.eigh(basis.T @ cov @ basis)
        axes = (basis @ small)[:, np.argsort(values)[::-1][:count]]
    if axes.shape[1] < count:
        axes = np.hstack([axes, np.zeros((m, count - axes.shape[1]))])
    return np.asarray(axes)


def base_clusters(
    points: np.ndarray, previous: np.ndarray | None, k: int = BASE_K
) -> tuple[np.ndarray, np.ndarray]:
    """Pol.is ``base-clusters``: k-means with k = 100 (at most 100 iterations).

    With at most 100 distinct positions every distinct position is its own base
    cluster (where Pol.is's k-means ends). Otherwise it starts from the previous
    base centres when there are 100 of them, else from the first 100 distinct
    positions (participants in id order). Returns each point's base cluster
    and the centres.
    """
    if len(points) == 0:
        return np.zeros(0, dtype=np.int64), np.zeros((0, 2))
    distinct, first, inverse = np.unique(points, axis=0, return_index=True, return_inverse=True)
    if len(distinct) <= k:  # in participant order, as Pol.is's init-clusters takes them
        order = np.argsort(first)
        rank = np.empty_like(order)
        rank[order] = np.arange(len(order))
        return rank[inverse.reshape(-1)].astype(np.int64), distinct[order]
    start = previous if previous is not None and len(previous) == k else first_distinct(points, k)
    return kmeans(points, start, iterations=100)


def group_clusterings(
    centres: np.ndarray,
    weights: np.ndarray,
    previous: dict[int, tuple[tuple[float, float], ...]],
) -> tuple[dict[int, tuple[np.ndarray, np.ndarray]], dict[int, float]]:
    """Pol.is ``group-clusterings`` and their silhouettes, for k = 2 .. max_k."""
    clusterings: dict[int, tuple[np.ndarray, np.ndarray]] = {}
    scores: dict[int, float] = {}
    for k in range(2, min(max_k(len(centres)), len(centres)) + 1):
        start = np.asarray(previous[k]) if k in previous else None
        labels, group_centres = group_kmeans(centres, weights, k, start)
        if len(group_centres) < 2:
            continue
        clusterings[k] = (labels, group_centres)
        scores[k] = silhouette(centres, labels)
    if not clusterings:  # two base clusters that k-means cannot split: each its own group
        clusterings[2] = (np.arange(2), centres[:2])
        scores[2] = 0.0
    return clusterings, scores


@dataclass(frozen=True)
class Described:
    reps: list[tuple[Statement, ...]]  # per group index
    agree: tuple[Statement, ...]
    disagree: tuple[Statement, ...]


def describe(
    value: np.ndarray,
    voted: np.ndarray,
    labels: np.ndarray,
    k: int,
    excluded: np.ndarray,
    statements: list[Any],
) -> Described:
    """Steps 8 and 9 for a given grouping: each group's representative statements
    (Pol.is ``repness``) and the group-aware consensus both ways, from the raw
    votes (``value``/``voted``, one row per grouped participant, ``labels`` their
    group 0..k-1). Hidden statements (``excluded``) are never chosen."""
    m = voted.shape[1]
    rows, cols = np.nonzero(voted)
    cell = labels[rows] * m + cols
    choice = value[rows, cols]
    n_seen = np.bincount(cell, minlength=k * m).reshape(k, m)
    n_agree = np.bincount(cell[choice > 0], minlength=k * m).reshape(k, m)
    n_disagree = np.bincount(cell[choice < 0], minlength=k * m).reshape(k, m)
    stats = rep_stats(n_agree, n_disagree, n_seen)
    reps = [
        tuple(
            _rep_statement(stats, g, p.column, p.agree, statements)
            for p in select_representative(stats, g, excluded)
        )
        for g in range(k)
    ]
    gac_agree, gac_disagree = group_aware_consensus(n_agree, n_disagree, n_seen)
    return Described(
        reps,
        tuple(
            _consensus_statement(stats, c, True, gac_agree, statements)
            for c in select_consensus(gac_agree, stats.pa, excluded)
        ),
        tuple(
            _consensus_statement(stats, c, False, gac_disagree, statements)
            for c in select_consensus(gac_disagree, stats.pd, excluded)
        ),
    )


def describe_groups(
    votes: Iterable[tuple[Hashable, Hashable, int]],
    groups: dict[str, Collection[Hashable]],
    hidden: Collection[Hashable] = (),
) -> tuple[dict[str, tuple[Statement, ...]], tuple[Statement, ...], tuple[Statement, ...]]:
    """Representative statements per group and consensus both ways for a grouping
    given from outside (e.g. Pol.is's own), by the same rules as :func:`opinion_map`."""
    label_of = {m: label for label, members in groups.items() for m in members}
    order = sorted(groups)
    rows = [(p, s, c) for p, s, c in votes if p in label_of]
    people, p_index = _codes([p for p, _, _ in rows])
    statements, s_index = _codes([s for _, s, _ in rows])
    value = np.zeros((len(people), len(statements)), dtype=np.float32)
    voted = np.zeros_like(value, dtype=bool)
    voted[p_index, s_index] = True
    value[p_index, s_index] = [c for _, _, c in rows]
    labels = np.array([order.index(label_of[p]) for p in people], dtype=np.int64)
    hidden_set = set(hidden)
    excluded = np.array([s in hidden_set for s in statements], dtype=bool)
    d = describe(value, voted, labels, len(order), excluded, statements)
    return dict(zip(order, d.reps, strict=True)), d.agree, d.disagree


def _rep_statement(
    stats: RepStats, g: int, c: int, agree: bool, statements: list[Any]
) -> Statement:
    seen = float(stats.ns[g, c])
    return Statement(
        statements[c],
        Choice.AGREE if agree else Choice.DISAGREE,
        float(stats.pa[g, c] if agree else stats.pd[g, c]),
        float((stats.pa[g, c] / stats.ra[g, c]) if agree else (stats.pd[g, c] / stats.rd[g, c])),
        float(stats.na[g, c] / seen) if seen else 0.0,
        float(stats.nd[g, c] / seen) if seen else 0.0,
        int(seen),
    )


def _consensus_statement(
    stats: RepStats, c: int, agree: bool, gac: np.ndarray, statements: list[Any]
) -> Statement:
    shares = stats.pa[:, c] if agree else stats.pd[:, c]
    seen = float(stats.ns[:, c].sum())
    return Statement(
        statements[c],
        Choice.AGREE if agree else Choice.DISAGREE,
        float(gac[c]),
        float(shares.min()),
        float(stats.na[:, c].sum() / seen) if seen else 0.0,
        float(stats.nd[:, c].sum() / seen) if seen else 0.0,
        int(seen),
    )


def _codes(raw: Sequence[Hashable]) -> tuple[list[Any], np.ndarray]:
    """Sorted distinct ids and each row's index into them (sorting makes order irrelevant)."""
    kinds = set(map(type, raw))
    array = np.asarray(raw) if kinds in ({int}, {str}) else None
    if array is not None and array.ndim == 1 and array.dtype.kind in "iuU":  # vectorised
        distinct, index = np.unique(array, return_inverse=True)
        return distinct.tolist(), index.reshape(-1).astype(np.int64)
    ordered = sorted(set(raw), key=_sort_key)
    position = {v: i for i, v in enumerate(ordered)}
    return ordered, np.fromiter((position[v] for v in raw), dtype=np.int64, count=len(raw))


def _sort_key(value: Hashable) -> tuple[str, Any]:
    return (type(value).__name__, value)
