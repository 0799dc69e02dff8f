"""An opinion map as compact JSON, zlib-compressed: what the stored map keeps.

Pure: no database. The carried state (``MapState``) is not part of it (the
opinion_map_states table keeps that). Positions keep 4 decimals: the page draws
them on a 200-unit square.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Hashable
from typing import Any

from consultations.rules.opinion import Choice, Group, OpinionMap, Statement


def _statement_json(s: Statement) -> list[Any]:
    return [s.statement, int(s.direction), s.share_in, s.share_out, s.agree, s.disagree, s.votes]


def _statement(data: list[Any]) -> Statement:
    statement, direction, share_in, share_out, agree, disagree, votes = data
    return Statement(statement, Choice(direction), share_in, share_out, agree, disagree, votes)


def map_to_json(opinion: OpinionMap) -> dict[str, Any]:
    """The map as JSON (without the carried state, which opinion_map_states keeps).
    Positions keep 4 decimals: the page draws them on a 200-unit square."""
    return {
        "groups": [
            [
                g.label,
                list(g.members),
                list(g.centroid),
                [_statement_json(s) for s in g.representative],
            ]
            for g in opinion.groups
        ],
        "consensus": [_statement_json(s) for s in opinion.consensus],
        "consensus_disagree": [_statement_json(s) for s in opinion.consensus_disagree],
        "positions": [[p, round(x, 4), round(y, 4)] for p, (x, y) in opinion.positions.items()],
        "silhouette": opinion.silhouette,
        "participants": opinion.participants,
        "placed": opinion.placed,
        "reason": opinion.reason,
        "min_votes": opinion.min_votes,
        "best_k": opinion.best_k,
    }


def map_from_json(data: dict[str, Any]) -> OpinionMap:
    positions: dict[Hashable, tuple[float, float]] = {p: (x, y) for p, x, y in data["positions"]}
    return OpinionMap(
        groups=tuple(
            Group(label, tuple(members), (centre[0], centre[1]), tuple(map(_statement, reps)))
            for label, members, centre, reps in data["groups"]
        ),
        consensus=tuple(map(_statement, data["consensus"])),
        positions=positions,
        silhouette=data["silhouette"],
        participants=data["participants"],
        placed=data["placed"],
        reason=data["reason"],
        consensus_disagree=tuple(map(_statement, data["consensus_disagree"])),
        min_votes=data["min_votes"],
        best_k=data["best_k"],
    )


def pack(opinion: OpinionMap) -> bytes:
    return zlib.compress(json.dumps(map_to_json(opinion), separators=(",", ":")).encode())


def unpack(body: bytes) -> OpinionMap:
    return map_from_json(json.loads(zlib.decompress(body)))
