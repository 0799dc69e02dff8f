"""Panel review (大众评审): presentation order by lot, and the tally of two tracks.

Draw: each project's place is decided by SHA-256(seed + ":" + project id), lowest
first. The seed is drawn at random once and published with the order, so anyone
can recompute the order from the seed and the project ids; no one can choose it.

Tally: each track (expert, public) scores every project 0–100. A member who
recused from a project does not score it. Within a track a project's score is the
mean of its scores; with five or more scores the single highest and lowest are
dropped first (the usual 去掉一个最高分、一个最低分). The combined score is
expert_weight × expert score + public_weight × public score (weights in per-mille,
summing to 1000); a project lacking either track's scores has no combined score yet.
Ranking: combined score, highest first; ties go to the earlier drawn place.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

TRIM_FROM = 5


class Track(StrEnum):
    EXPERT = "expert"
    PUBLIC = "public"


def draw_order(project_ids: Sequence[int], seed: str) -> list[int]:
    """The presentation order. Invariant: a permutation of ``project_ids``, the same
    for the same seed whatever order the ids are given in."""
    return sorted(
        project_ids, key=lambda pid: (hashlib.sha256(f"{seed}:{pid}".encode()).hexdigest(), pid)
    )


def track_score(scores: Sequence[int]) -> float | None:
    if not scores:
        return None
    kept = sorted(scores)[1:-1] if len(scores) >= TRIM_FROM else list(scores)
    return sum(kept) / len(kept)


@dataclass(frozen=True)
class PanelScore:
    project_id: int
    track: Track
    score: int


@dataclass(frozen=True)
class ProjectResult:
    project_id: int
    expert: float | None
    public: float | None
    expert_count: int
    public_count: int
    combined: float | None
    rank: int | None


def tally(
    scores: Sequence[PanelScore],
    order: Sequence[int],
    weights: Mapping[Track, int],
) -> list[ProjectResult]:
    """Results in ranking order (projects without a combined score last, in drawn order)."""
    assert weights[Track.EXPERT] + weights[Track.PUBLIC] == 1000
    by: dict[tuple[int, Track], list[int]] = defaultdict(list)
    for s in scores:
        by[(s.project_id, s.track)].append(s.score)
    place = {pid: i for i, pid in enumerate(order)}
    results = []
    for pid in order:
        expert = track_score(by[(pid, Track.EXPERT)])
        public = track_score(by[(pid, Track.PUBLIC)])
        combined = (
            (weights[Track.EXPERT] * expert + weights[Track.PUBLIC] * public) / 1000
            if expert is not None and public is not None
            else None
        )
        results.append((pid, expert, public, combined))
    ranked = sorted(results, key=lambda r: (r[3] is None, -(r[3] or 0.0), place[r[0]]))
    out = []
    rank = 0
    for pid, expert, public, combined in ranked:
        if combined is not None:
            rank += 1
        out.append(
            ProjectResult(
                pid,
                expert,
                public,
                len(by[(pid, Track.EXPERT)]),
                len(by[(pid, Track.PUBLIC)]),
                combined,
                rank if combined is not None else None,
            )
        )
    return out
