"""Clustering steps of the opinion map, as the Pol.is math server does them
(``clusters.clj`` and ``conversation.clj``): weighted k-means, silhouette on base
clusters, smoothing of the number of groups, and labels that follow members.

Pure numpy functions; points are rows of a float64 array.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from itertools import permutations

import numpy as np

BASE_K = 100  # Pol.is ``:base-k``
MAX_K = 5  # Pol.is ``:max-k``
K_BUFFER = 4  # Pol.is ``:group-k-buffer``: updates a new k must win before it is shown
SAME_CENTRE = 0.01  # Pol.is ``same-clustering?`` threshold


def first_distinct(points: np.ndarray, k: int) -> np.ndarray:
    """Pol.is ``init-clusters``: the first ``k`` distinct points, in row order."""
    _, first = np.unique(points, axis=0, return_index=True)
    return points[np.sort(first)[:k]].copy()


def kmeans(
    points: np.ndarray,
    centres: np.ndarray,
    weights: np.ndarray | None = None,
    iterations: int = 20,
) -> tuple[np.ndarray, np.ndarray]:
    """Pol.is ``kmeans`` from the given starting centres: Lloyd steps (weighted
    means when ``weights`` are given) until no centre moves by 0.01 or more, at
    most ``iterations`` steps. Clusters left empty are dropped, as Pol.is does.
    Returns each point's cluster index and the centres (compacted)."""
    w = np.ones(len(points)) if weights is None else np.asarray(weights, dtype=np.float64)
    centres = np.asarray(centres, dtype=np.float64)
    labels = _nearest(points, centres)
    for _ in range(iterations):
        k = len(centres)
        totals = np.bincount(labels, weights=w, minlength=k)
        keep = totals > 0
        moved = np.empty((k, points.shape[1]))
        for d in range(points.shape[1]):
            moved[:, d] = np.bincount(labels, weights=w * points[:, d], minlength=k)
        moved = moved[keep] / totals[keep, None]
        same = keep.all() and bool(
            (np.sqrt(((moved - centres) ** 2).sum(axis=1)) < SAME_CENTRE).all()
        )
        centres = moved
        labels = _nearest(points, centres)
        if same:
            break
    used = np.unique(labels)
    remap = np.full(len(centres), -1)
    remap[used] = np.arange(len(used))
    return remap[labels], centres[used]


def _nearest(points: np.ndarray, centres: np.ndarray) -> np.ndarray:
    """Index of each point's nearest centre (the first among equals), coordinate
    by coordinate: no BLAS call, which on a busy machine costs more than it saves."""
    squared = np.zeros((len(points), len(centres)))
    for d in range(points.shape[1]):
        squared += (points[:, d, None] - centres[None, :, d]) ** 2
    nearest: np.ndarray = np.argmin(squared, axis=1)
    return nearest


def group_kmeans(
    points: np.ndarray,
    weights: np.ndarray,
    k: int,
    previous: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Pol.is ``group-clusterings`` for one ``k``: weighted k-means of the base
    clusters (at most 20 steps, Pol.is's default), started from the previous
    update's k centres when there are k of them, so that the groups move only as
    far as the new votes push them; otherwise (Pol.is ``init-clusters``) from the
    first ``k`` distinct base clusters, which come in participant order."""
    if previous is not None and len(previous) == k:
        labels, centres = kmeans(points, previous, weights)
        if len(centres) == k:
            return labels, centres
    return kmeans(points, first_distinct(points, k), weights)


def inertia(points: np.ndarray, labels: np.ndarray, centres: np.ndarray, w: np.ndarray) -> float:
    """Weighted within-cluster sum of squared distances."""
    return float((w * ((points - centres[labels]) ** 2).sum(axis=1)).sum())


def silhouette(points: np.ndarray, labels: np.ndarray) -> float:
    """Pol.is ``silhouette`` over base clusters: the plain mean over points of
    ``(b - a) / max(a, b)``; a point alone in its cluster scores 0."""
    n = len(points)
    k = int(labels.max()) + 1
    if k < 2:
        return 0.0
    d = np.sqrt(np.maximum(((points[:, None, :] - points[None, :, :]) ** 2).sum(2), 0.0))
    onehot = np.zeros((n, k))
    onehot[np.arange(n), labels] = 1.0
    sums = d @ onehot
    sizes = onehot.sum(0)
    own = sizes[labels]
    a = np.divide(sums[np.arange(n), labels], own - 1, out=np.zeros(n), where=own > 1)
    other = sums / np.maximum(sizes, 1)
    other[np.arange(n), labels] = np.inf
    other[:, sizes == 0] = np.inf
    b = other.min(1)
    top = np.maximum(a, b)
    s = np.divide(b - a, top, out=np.zeros(n), where=top > 0)
    s[own <= 1] = 0.0
    return float(s.mean())


def max_k(base_clusters: int) -> int:
    """Pol.is ``max-k-fn``: at most 5 groups, and at most 2 + base clusters / 12."""
    return min(MAX_K, 2 + base_clusters // 12)


@dataclass(frozen=True)
class KSmoother:
    """Pol.is ``group-k-smoother`` state: the k the silhouette chose last time,
    how many updates in a row it has been chosen, and the k shown."""

    last_k: int | None = None
    last_k_count: int = 0
    smoothed_k: int | None = None


def smooth_k(scores: dict[int, float], previous: KSmoother | None) -> KSmoother:
    """Pol.is ``group-k-smoother``: the best-silhouette k replaces the shown k only
    once it has been the best in ``K_BUFFER`` updates in a row, so one vote does
    not make the groups flicker between, say, 2 and 3. Among equal scores the
    larger k wins (Pol.is's ``max-key`` returns the last maximum)."""
    prev = previous or KSmoother()
    this_k = max(sorted(scores), key=lambda k: (round(scores[k], 9), k))
    count = prev.last_k_count + 1 if prev.last_k == this_k else 1
    if count >= K_BUFFER:
        smoothed = this_k
    elif prev.smoothed_k is not None and prev.smoothed_k in scores:
        smoothed = prev.smoothed_k
    else:
        smoothed = this_k
    return KSmoother(this_k, count, smoothed)


def follow_labels(
    groups: Sequence[frozenset[Hashable]],
    previous: dict[str, frozenset[Hashable]] | None,
) -> list[str]:
    """Labels ("A", "B", ...) for ``groups`` that follow their members.

    Each group takes the previous label whose members it shares most with
    (the assignment maximising the total overlap, tried over all orders: at
    most 5! of them); a group that shares nobody gets the first unused label.
    Without a previous map, labels go by size (largest first), then by the
    smallest member. So a reload never renumbers the groups, and a new vote
    that leaves the groups as they were leaves their letters as they were.
    """
    letters = [chr(ord("A") + i) for i in range(max(len(groups), len(previous or {})) + 1)]
    if not previous:
        order = sorted(
            range(len(groups)), key=lambda g: (-len(groups[g]), min(map(_key, groups[g])))
        )
        labels = [""] * len(groups)
        for rank, g in enumerate(order):
            labels[g] = letters[rank]
        return labels
    old = sorted(previous)
    width = max(len(old), len(groups))
    slots: list[str | None] = [*old, *([None] * (width - len(old)))]
    shared = [
        [len(groups[g] & previous[slot]) if slot is not None else 0 for slot in slots]
        for g in range(len(groups))
    ]
    best: tuple[int, tuple[int, ...]] | None = None
    for perm in permutations(range(width), len(groups)):
        total = sum(shared[g][p] for g, p in enumerate(perm))
        if best is None or total > best[0]:
            best = (total, perm)
    assert best is not None
    labels = []
    taken = set()
    for g, p in enumerate(best[1]):
        slot = slots[p]
        if slot is not None and groups[g] & previous[slot]:
            labels.append(slot)
            taken.add(slot)
        else:
            labels.append("")
    free = iter(x for x in letters if x not in taken and x not in previous)
    return [label or next(free) for label in labels]


def _key(value: Hashable) -> tuple[str, object]:
    return (type(value).__name__, value)
