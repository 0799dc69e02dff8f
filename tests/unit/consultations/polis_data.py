"""Load the real Pol.is conversations in ../shared/polis/ (votes, moderation and
Pol.is's own math output) and compare the opinion map with Pol.is's results."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from consultations.rules.opinion import OpinionMap
from consultations.rules.opinion_stats import group_aware_consensus, select_consensus
from tests.support.shared import shared_folder

CONVERSATIONS = (
    "25ptpt-3gp-no-strict-with-meta",
    "50ptpt-3gp-strict-no-meta",
    "below-100-ptpts",
    "above-100-ptpts",
    "150ptpt-3gp-no-strict-no-meta",
)


def polis_folder() -> Path | None:
    """../shared/polis beside the checkout (CI lays shared/ there; see
    tests/support/shared.py), else None."""
    base = shared_folder("polis")
    return base if (base / "README.md").exists() else None


@dataclass(frozen=True)
class Conversation:
    name: str
    votes: list[tuple[int, int, int]]
    hidden: list[int]
    math: dict[str, Any]

    def polis_groups(self) -> dict[int, set[int]]:
        """Pol.is's groups as participant sets (group-clusters hold base-cluster ids)."""
        base = self.math["base-clusters"]
        members = dict(zip(base["id"], base["members"], strict=True))
        return {
            g["id"]: {p for b in g["members"] for p in members[b]}
            for g in self.math["group-clusters"]
        }


def load(folder: Path, name: str) -> Conversation:
    path = folder / name
    raw = json.loads((path / "votes.json").read_text())
    math = json.loads((path / "math-pca2.json").read_text())
    cutoff = math.get("lastVoteTimestamp")
    latest: dict[tuple[int, int], tuple[float, int]] = {}
    for v in raw:
        pid = v.get("participant_id", v.get("pid"))
        tid = v.get("statement_id", v.get("tid"))
        when = float(v["modified"])
        if cutoff and when > float(cutoff):
            continue  # cast after Pol.is computed its math output
        if (pid, tid) not in latest or latest[(pid, tid)][0] <= when:
            latest[(pid, tid)] = (when, int(v["vote"]))
    votes = [(p, t, c) for (p, t), (_, c) in sorted(latest.items())]
    return Conversation(name, votes, list(math["mod-out"] or []), math)


def adjusted_rand_index(a: list[Any], b: list[Any]) -> float:
    """Adjusted Rand index of two labellings of the same items (Hubert & Arabie 1985).

    1 for identical partitions (whatever the label names), about 0 for chance.
    """
    if len(a) != len(b):
        raise ValueError("labellings of different lengths")
    n = len(a)
    if n < 2:
        return 1.0
    ia = {x: i for i, x in enumerate(sorted(set(a), key=str))}
    ib = {x: i for i, x in enumerate(sorted(set(b), key=str))}
    table = np.zeros((len(ia), len(ib)))
    for x, y in zip(a, b, strict=True):
        table[ia[x], ib[y]] += 1

    def pairs(values: np.ndarray) -> float:
        return float((values * (values - 1) / 2).sum())

    index = pairs(table)
    rows, cols = pairs(table.sum(1)), pairs(table.sum(0))
    total = n * (n - 1) / 2
    expected = rows * cols / total
    top = (rows + cols) / 2
    if top == expected:
        return 1.0
    return (index - expected) / (top - expected)


def ari_against_polis(conv: Conversation, result: OpinionMap) -> float:
    """ARI over the participants Pol.is grouped; one we left out counts as a group of its own."""
    theirs = {p: g for g, members in conv.polis_groups().items() for p in members}
    ours = {m: grp.label for grp in result.groups for m in grp.members}
    people = sorted(theirs)
    return adjusted_rand_index([theirs[p] for p in people], [ours.get(p, "-") for p in people])


def matched_groups(conv: Conversation, result: OpinionMap) -> dict[int, Any]:
    """Each Pol.is group's counterpart among ours: the one sharing most members."""
    found = {}
    for gid, members in conv.polis_groups().items():
        found[gid] = max(result.groups, key=lambda g: (len(members & set(g.members)), g.label))
    return found


def repness_overlap(conv: Conversation, result: OpinionMap) -> float:
    """Share of Pol.is's representative statements (all groups, up to 5 each) that
    our matched group also lists (same statement)."""
    match = matched_groups(conv, result)
    hit = total = 0
    for gid, reps in conv.math["repness"].items():
        theirs = {r["tid"] for r in reps}
        ours = {s.statement for s in match[int(gid)].representative}
        hit += len(theirs & ours)
        total += len(theirs)
    return hit / total if total else 1.0


def polis_consensus(conv: Conversation) -> tuple[list[int], list[int]]:
    """The consensus lists that Pol.is's own groups give under the portal's rule:
    group-aware consensus from Pol.is's published group votes."""
    group_votes = conv.math["group-votes"]
    tids = sorted({int(t) for g in group_votes.values() for t in g["votes"]})
    gids = sorted(group_votes, key=int)
    shape = (len(gids), len(tids))
    na, nd, ns = np.zeros(shape), np.zeros(shape), np.zeros(shape)
    for i, gid in enumerate(gids):
        for j, tid in enumerate(tids):
            counts = group_votes[gid]["votes"].get(str(tid), {})
            na[i, j], nd[i, j], ns[i, j] = (
                counts.get("A", 0),
                counts.get("D", 0),
                counts.get("S", 0),
            )
    agree, disagree = group_aware_consensus(na, nd, ns)
    excluded = np.array([t in set(conv.hidden) for t in tids])
    pa, pd = (na + 1) / (ns + 2), (nd + 1) / (ns + 2)
    return (
        [tids[c] for c in select_consensus(agree, pa, excluded)],
        [tids[c] for c in select_consensus(disagree, pd, excluded)],
    )


def consensus_overlap(conv: Conversation, result: OpinionMap) -> float:
    """Share of the reference consensus statements (agree and disagree) that we list too;
    1 when both lists are empty."""
    agree, disagree = polis_consensus(conv)
    ours_a = {s.statement for s in result.consensus}
    ours_d = {s.statement for s in result.consensus_disagree}
    total = len(agree) + len(disagree)
    if total == 0:
        return 1.0 if not (ours_a or ours_d) else 0.0
    return (len(set(agree) & ours_a) + len(set(disagree) & ours_d)) / total
