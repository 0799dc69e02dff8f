# The opinion map before issue 16 (kept for bench_opinion.py: old vs new in the same run).
"""Opinion groups from agree/disagree/pass votes on short statements (in the manner of Pol.is).

Pure: plain values in, an :class:`OpinionMap` out; no database, no clock.

The algorithm, step by step:

1. **Vote matrix.** One row per participant, one column per statement; a cell is
   +1 (agree), -1 (disagree), 0 (pass) or missing (not shown / not voted). A
   participant's latest vote on a statement is the one given (callers pass one
   vote per pair; later duplicates overwrite earlier ones).
2. **Who is placed.** Only participants with at least ``min_votes`` votes are
   placed on the map and grouped; with fewer, their position is mostly noise.
3. **PCA to two dimensions.** Each column is centred on the mean of the votes
   actually cast on it and missing cells are set to that mean (so they pull
   nobody anywhere). The two leading eigenvectors of the statements' covariance
   matrix (``X^T X``, at most 500 x 500 here, so cheap) are the axes; each
   axis's sign is fixed so that its largest loading is positive, which makes
   the picture deterministic. A participant who voted on few statements lands
   near the centre, so, as Pol.is does, their coordinates are scaled by
   ``sqrt(statements / votes cast)``.
4. **k-means with k chosen by silhouette.** For every k from 2 to
   ``max_groups`` (at most five, and fewer than the number of distinct
   positions) Lloyd's k-means runs from deterministic seeds: the first centre
   is the point farthest from the mean, each next one the point farthest from
   the centres chosen so far (farthest-point seeding; ties go to the smallest
   coordinates, so the order of participants never matters). The k with the
   highest mean silhouette wins (ties: the smaller k). Each point's silhouette
   is exact: its distances to all points are computed once, in blocks, and
   summed per cluster for every candidate k with one matrix product. Up to
   3,000 placed participants the mean runs over everyone; beyond, over a
   systematic sample of 2,000 points taken in coordinate order (independent of
   the participants' order), which keeps 10,000 participants fast. When all
   placed participants share one position there is one group.
5. **Canonical group order.** Groups are ordered by size (largest first), then
   by their first member in id order, and labelled A, B, C...; so neither the
   order of the votes nor the names of the statements change the labels.
6. **Representative statements** of a group: statements on which the group
   leans one way clearly more than everyone else. With add-one smoothing
   ``p_in = (agree_in + 1) / (voted_in + 2)`` and ``p_out`` likewise for the
   other groups, a statement represents the group in the agree direction when
   ``p_in > 0.5`` and ``p_in > p_out``; its score is ``p_in * p_in / p_out``
   (how typical, times how distinctive). The same for disagree. The best
   ``representatives`` statements per group are kept, best first.
7. **Consensus statements**: statements that every group agrees with, i.e. the
   smoothed agree share is at least ``consensus_share`` in each group (and each
   group has at least one vote on it). Ordered by the lowest group share, best
   first.

Invariants (tested): permuting the participants does not change the groups;
votes outside {+1, -1, 0} are refused; the groups partition the placed
participants; every group's representative statements are ones its members
voted on.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass
from enum import IntEnum
from typing import Any

import numpy as np

MAX_GROUPS = 5
_BLOCK = 1024  # rows of the distance matrix held at once (1024 x 10,000 floats: 40 MB)
SILHOUETTE_EXACT = 3000  # up to this many placed participants the silhouette is exact
SILHOUETTE_SAMPLE = 2000  # beyond, its mean is taken over this many points


class Choice(IntEnum):
    AGREE = 1
    DISAGREE = -1
    PASS = 0


@dataclass(frozen=True)
class Statement:
    """A representative or consensus statement with the shares behind it."""

    statement: Hashable
    direction: Choice  # AGREE or DISAGREE
    share_in: float  # smoothed share of the group voting that way
    share_out: float  # the same share among everyone else (consensus: lowest group share)


@dataclass(frozen=True)
class Group:
    label: str  # "A", "B", ...
    members: tuple[Hashable, ...]
    centroid: tuple[float, float]
    representative: tuple[Statement, ...]

    @property
    def size(self) -> int:
        return len(self.members)


@dataclass(frozen=True)
class OpinionMap:
    groups: tuple[Group, ...]
    consensus: tuple[Statement, ...]
    positions: dict[Hashable, tuple[float, float]]
    silhouette: float | None  # of the chosen k; None with fewer than two groups
    participants: int  # everyone who voted
    placed: int  # those with enough votes to be placed on the map
    reason: str | None = None  # why there are no groups, when there are none

    def group_of(self, participant: Hashable) -> str | None:
        for group in self.groups:
            if participant in group.members:
                return group.label
        return None


def opinion_map(
    votes: Iterable[tuple[Hashable, Hashable, int]],
    *,
    min_votes: int = 3,
    max_groups: int = MAX_GROUPS,
    representatives: int = 5,
    consensus_share: float = 0.6,
) -> OpinionMap:
    """Group participants by how they voted; see the module docstring.

    ``votes`` are ``(participant, statement, choice)`` with choice +1, -1 or 0.
    Participant and statement ids are any sortable hashables (ints, strings).
    """
    if not 2 <= max_groups <= MAX_GROUPS:
        raise ValueError(f"max_groups must be between 2 and {MAX_GROUPS}")
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

    # Dense matrices: 10,000 x 500 is 5 M cells, fine as float32 and int8.
    voted = np.zeros((n, m), dtype=bool)
    value = np.zeros((n, m), dtype=np.float32)
    voted[p_index, s_index] = True
    value[p_index, s_index] = choices  # later duplicates overwrite earlier ones

    counts = voted.sum(axis=1)
    placed_mask = counts >= min_votes
    placed_idx = np.flatnonzero(placed_mask)
    if len(placed_idx) == 0:
        return OpinionMap((), (), {}, None, n, len(placed_idx), "too_few_participants")

    coords = _project(value[placed_idx], voted[placed_idx], counts[placed_idx], m)
    labels, centroids, silhouette = _cluster(coords, max_groups)

    k = len(centroids)
    sizes = np.bincount(labels, minlength=k)
    # Canonical order: size descending, then the group holding the first participant
    # (ids are sorted), so neither participant nor statement order changes labels.
    first = [int(np.flatnonzero(labels == g)[0]) if sizes[g] else len(labels) for g in range(k)]
    # An empty cluster (k-means keeps its centre) is no group at all.
    order = sorted((g for g in range(k) if sizes[g]), key=lambda g: (-sizes[g], first[g]))
    rename = np.full(k, -1, dtype=np.int64)
    rename[order] = np.arange(len(order))
    labels = rename[labels]
    centroids = centroids[order]
    k = len(order)

    agree = (value[placed_idx] > 0) & voted[placed_idx]
    disagree = (value[placed_idx] < 0) & voted[placed_idx]
    onehot = np.zeros((len(placed_idx), k), dtype=np.float32)
    onehot[np.arange(len(placed_idx)), labels] = 1.0
    # Per group and statement: votes, agrees, disagrees (k x m).
    g_voted = onehot.T @ voted[placed_idx].astype(np.float32)
    g_agree = onehot.T @ agree.astype(np.float32)
    g_disagree = onehot.T @ disagree.astype(np.float32)

    groups = []
    for g in range(k):
        members = tuple(people[i] for i in sorted(placed_idx[labels == g].tolist()))
        reps = _representative(g, g_voted, g_agree, g_disagree, statements, representatives)
        groups.append(
            Group(
                label=chr(ord("A") + g),
                members=members,
                centroid=(float(centroids[g][0]), float(centroids[g][1])),
                representative=reps,
            )
        )
    consensus = _consensus(g_voted, g_agree, statements, consensus_share) if k > 1 else ()
    positions = {
        people[i]: (float(coords[j][0]), float(coords[j][1])) for j, i in enumerate(placed_idx)
    }
    return OpinionMap(
        tuple(groups),
        consensus,
        positions,
        silhouette,
        n,
        len(placed_idx),
        None,
    )


def _codes(raw: Sequence[Hashable]) -> tuple[list[Any], np.ndarray]:
    """Sorted distinct ids and each row's index into them (sorting makes order irrelevant)."""
    kinds = set(map(type, raw))
    array = np.asarray(raw) if kinds in ({int}, {str}) else None
    if array is not None and array.ndim == 1 and array.dtype.kind in "iuU":  # vectorised
        distinct, index = np.unique(array, return_inverse=True)
        return distinct.tolist(), index.astype(np.int64)
    ordered = sorted(set(raw), key=_sort_key)
    position = {v: i for i, v in enumerate(ordered)}
    return ordered, np.fromiter((position[v] for v in raw), dtype=np.int64, count=len(raw))


def _sort_key(value: Hashable) -> tuple[str, Any]:
    return (type(value).__name__, value)


def _project(value: np.ndarray, voted: np.ndarray, counts: np.ndarray, m: int) -> np.ndarray:
    """PCA to two dimensions with mean imputation and Pol.is's sparsity scaling."""
    seen = voted.sum(axis=0)
    means = np.divide(
        (value * voted).sum(axis=0), seen, out=np.zeros(m, dtype=np.float32), where=seen > 0
    )
    centred = np.where(voted, value - means, 0.0).astype(np.float64)
    cov = centred.T @ centred
    eigenvalues, eigenvectors = np.linalg.eigh(cov)
    axes = eigenvectors[:, np.argsort(eigenvalues)[::-1][:2]]
    if axes.shape[1] < 2:
        axes = np.hstack([axes, np.zeros((m, 2 - axes.shape[1]))])
    for j in range(2):
        pivot = int(np.argmax(np.abs(axes[:, j])))
        if axes[pivot, j] < 0:
            axes[:, j] = -axes[:, j]
    coords = centred @ axes
    coords *= np.sqrt(m / np.maximum(counts, 1))[:, None]
    # Round away floating-point noise so that equal voters sit on equal points.
    return np.round(coords, 9)


def _cluster(coords: np.ndarray, max_groups: int) -> tuple[np.ndarray, np.ndarray, float | None]:
    distinct = len(np.unique(coords, axis=0))
    top = min(max_groups, distinct, len(coords) - 1)
    if top < 2:
        return np.zeros(len(coords), dtype=np.int64), coords.mean(axis=0)[None, :], None
    candidates = [_kmeans(coords, k) for k in range(2, top + 1)]
    scores = _silhouettes(coords, [labels for labels, _ in candidates])
    best = int(np.argmax(np.round(scores, 9)))  # first maximum: the smaller k wins ties
    labels, centroids = candidates[best]
    return labels, centroids, float(scores[best])


def _argmax_tiebreak(score: np.ndarray, coords: np.ndarray) -> int:
    """Index of the highest score; among equals, the point with the smallest coordinates."""
    best = np.flatnonzero(np.isclose(score, score.max(), rtol=0, atol=1e-9))
    if len(best) == 1:
        return int(best[0])
    pick = np.lexsort((coords[best, 1], coords[best, 0]))[0]
    return int(best[pick])


def _kmeans(coords: np.ndarray, k: int, iterations: int = 100) -> tuple[np.ndarray, np.ndarray]:
    centres = [coords[_argmax_tiebreak(((coords - coords.mean(axis=0)) ** 2).sum(1), coords)]]
    nearest = ((coords - centres[0]) ** 2).sum(axis=1)
    for _ in range(1, k):
        centres.append(coords[_argmax_tiebreak(nearest, coords)])
        nearest = np.minimum(nearest, ((coords - centres[-1]) ** 2).sum(axis=1))
    centroids = np.array(centres, dtype=np.float64)
    labels = np.zeros(len(coords), dtype=np.int64)
    for step in range(iterations):
        distances = ((coords[:, None, :] - centroids[None, :, :]) ** 2).sum(axis=2)
        new_labels = np.argmin(np.round(distances, 9), axis=1)
        if step and np.array_equal(new_labels, labels):
            break
        labels = new_labels
        for g in range(k):
            members = coords[labels == g]
            if len(members):  # an empty cluster keeps its centre
                centroids[g] = members.mean(axis=0)
    return labels, centroids


def _silhouettes(coords: np.ndarray, labelings: list[np.ndarray]) -> np.ndarray:
    """Mean silhouette of each labelling, sharing one pass over the distances.

    Exact up to SILHOUETTE_EXACT points. Beyond, the mean is taken over a
    systematic sample of SILHOUETTE_SAMPLE points in coordinate order (each
    sampled point's silhouette is still exact, against all points); the sample
    depends only on the positions, never on the order of the participants.
    """
    n = len(coords)
    if n <= SILHOUETTE_EXACT:
        rows = np.arange(n)
    else:
        order = np.lexsort((coords[:, 1], coords[:, 0]))
        rows = order[np.unique(np.linspace(0, n - 1, SILHOUETTE_SAMPLE).round().astype(np.int64))]
    widths = [int(labels.max()) + 1 for labels in labelings]
    offsets = np.cumsum([0, *widths])
    onehot = np.zeros((n, offsets[-1]), dtype=np.float32)
    for labels, offset in zip(labelings, offsets, strict=False):
        onehot[np.arange(n), labels + offset] = 1.0
    sums = np.empty((len(rows), offsets[-1]), dtype=np.float64)
    points = coords.astype(np.float32)
    norms = (points**2).sum(1)
    for start in range(0, len(rows), _BLOCK):
        block = points[rows[start : start + _BLOCK]]
        squared = (block**2).sum(1)[:, None] + norms[None, :] - 2.0 * (block @ points.T)
        d = np.sqrt(np.maximum(squared, 0.0))
        sums[start : start + _BLOCK] = d @ onehot
    sizes = onehot.sum(axis=0)
    picked = np.arange(len(rows))
    scores = np.empty(len(labelings))
    for c, (labels, offset, width) in enumerate(zip(labelings, offsets, widths, strict=False)):
        mine = labels[rows]
        own_size = sizes[offset + mine]
        per = sums[:, offset : offset + width]
        own = per[picked, mine]
        a = np.divide(own, own_size - 1, out=np.zeros(len(rows)), where=own_size > 1)
        other = per / np.maximum(sizes[offset : offset + width], 1)
        other[picked, mine] = np.inf
        other[:, sizes[offset : offset + width] == 0] = np.inf
        b = other.min(axis=1)
        denominator = np.maximum(a, b)
        s = np.divide(b - a, denominator, out=np.zeros(len(rows)), where=denominator > 0)
        s[own_size <= 1] = 0.0  # silhouette of a singleton is 0 by convention
        scores[c] = s.mean()
    return scores


def _representative(
    g: int,
    g_voted: np.ndarray,
    g_agree: np.ndarray,
    g_disagree: np.ndarray,
    statements: list[Any],
    limit: int,
) -> tuple[Statement, ...]:
    voted_in, voted_out = g_voted[g], g_voted.sum(axis=0) - g_voted[g]
    found: list[tuple[float, Statement]] = []
    for direction, counts in ((Choice.AGREE, g_agree), (Choice.DISAGREE, g_disagree)):
        c_in, c_out = counts[g], counts.sum(axis=0) - counts[g]
        p_in = (c_in + 1) / (voted_in + 2)
        p_out = (c_out + 1) / (voted_out + 2)
        ok = (voted_in > 0) & (p_in > 0.5) & (p_in > p_out)
        for s in np.flatnonzero(ok):
            score = float(p_in[s] * p_in[s] / p_out[s])
            found.append(
                (score, Statement(statements[s], direction, float(p_in[s]), float(p_out[s])))
            )
    found.sort(key=lambda pair: (-round(pair[0], 9), _sort_key(pair[1].statement)))
    chosen: list[Statement] = []
    for _, statement in found:
        if all(c.statement != statement.statement for c in chosen):
            chosen.append(statement)
        if len(chosen) == limit:
            break
    return tuple(chosen)


def _consensus(
    g_voted: np.ndarray, g_agree: np.ndarray, statements: list[Any], share: float
) -> tuple[Statement, ...]:
    p = (g_agree + 1) / (g_voted + 2)
    lowest = p.min(axis=0)
    ok = (g_voted > 0).all(axis=0) & (lowest >= share)
    picked = sorted(np.flatnonzero(ok), key=lambda s: (-round(float(lowest[s]), 9), s))
    return tuple(
        Statement(statements[s], Choice.AGREE, float(p[:, s].mean()), float(lowest[s]))
        for s in picked
    )
