"""Statement statistics of the opinion map, as Pol.is computes them (``repness.clj``
and ``conversation.clj`` of the Pol.is math server).

Pure numpy functions on per-group vote counts (``k`` groups x ``m`` statements):
``n_agree``, ``n_disagree`` and ``n_seen`` (votes of any kind, passes included).
All probabilities are add-one smoothed, ``(n + 1) / (seen + 2)``, as in Pol.is.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

Z_90 = 1.2816  # one-sided 90 % significance, Pol.is's ``z-sig-90?``
PICK = 5  # statements per group (representative) and per direction (consensus)


def prop_test(successes: np.ndarray, trials: np.ndarray) -> np.ndarray:
    """Pol.is ``prop-test``: z of a share against one half, with one pseudo-count."""
    s, n = successes + 1.0, trials + 1.0
    return np.asarray(2.0 * np.sqrt(n) * (s / n - 0.5))


def two_prop_test(
    succ_in: np.ndarray, succ_out: np.ndarray, pop_in: np.ndarray, pop_out: np.ndarray
) -> np.ndarray:
    """Pol.is ``two-prop-test``: z of the group's share against the rest's share.

    Each count gets one pseudo-count; where the pooled share is 1 the z is 0.
    """
    s1, s2, n1, n2 = succ_in + 1.0, succ_out + 1.0, pop_in + 1.0, pop_out + 1.0
    pooled = (s1 + s2) / (n1 + n2)
    spread = np.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    with np.errstate(divide="ignore", invalid="ignore"):
        z = (s1 / n1 - s2 / n2) / spread
    return np.where(pooled >= 1.0, 0.0, np.nan_to_num(z))


@dataclass(frozen=True)
class RepStats:
    """Pol.is's per group x statement statistics (names as in ``repness.clj``)."""

    na: np.ndarray
    nd: np.ndarray
    ns: np.ndarray
    pa: np.ndarray  # smoothed agree share in the group
    pd: np.ndarray
    pat: np.ndarray  # prop-test of agree in the group
    pdt: np.ndarray
    ra: np.ndarray  # pa over the rest's smoothed agree share
    rd: np.ndarray
    rat: np.ndarray  # two-prop-test of agree, group against the rest
    rdt: np.ndarray


def rep_stats(n_agree: np.ndarray, n_disagree: np.ndarray, n_seen: np.ndarray) -> RepStats:
    """Pol.is ``conv-repness`` + ``add-comparitive-stats``, all groups at once."""
    na, nd, ns = (np.asarray(a, dtype=np.float64) for a in (n_agree, n_disagree, n_seen))
    rna, rnd, rns = na.sum(0) - na, nd.sum(0) - nd, ns.sum(0) - ns
    pa, pd = (na + 1) / (ns + 2), (nd + 1) / (ns + 2)
    return RepStats(
        na=na,
        nd=nd,
        ns=ns,
        pa=pa,
        pd=pd,
        pat=prop_test(na, ns),
        pdt=prop_test(nd, ns),
        ra=pa / ((rna + 1) / (rns + 2)),
        rd=pd / ((rnd + 1) / (rns + 2)),
        rat=two_prop_test(na, rna, ns, rns),
        rdt=two_prop_test(nd, rnd, ns, rns),
    )


@dataclass(frozen=True)
class Pick:
    """One selected statement: its column, whether for agree, and Pol.is's metric."""

    column: int
    agree: bool
    best_agree: bool = False


def select_representative(
    stats: RepStats, group: int, excluded: np.ndarray, pick: int = PICK
) -> list[Pick]:
    """Pol.is ``select-rep-comments`` for one group.

    Statements in ``excluded`` (moderated out) are never chosen, nor (unlike
    Pol.is, whose fallback could pick one) statements no member voted on. A statement is
    *sufficient* when, in its direction, both the group's share (``pat``/``pdt``)
    and its difference from the rest (``rat``/``rdt``) are significant at 90 %;
    its direction is agree when ``rat > rdt``. Sufficient statements are ranked
    by ``repness * repness-test * p-success * p-test``; the group's *best agreed*
    statement (``beats-best-agr?``) goes first (its direction, like every
    statement's, is agree when ``rat > rdt``, so it may show as disagree), the
    list is cut at ``pick`` and agrees are put before disagrees. With no
    sufficient statement the best agreed one is shown alone, or failing that
    the one with the highest ``max(rat, rdt)`` (so every group shows at least one statement).
    """
    s = stats
    g = group
    best: int | None = None
    best_agree: int | None = None
    sufficient: list[int] = []
    for c in range(s.na.shape[1]):
        if excluded[c] or s.ns[g, c] == 0:
            continue
        passes = (s.rat[g, c] > Z_90 and s.pat[g, c] > Z_90) or (
            s.rdt[g, c] > Z_90 and s.pdt[g, c] > Z_90
        )
        if passes:
            sufficient.append(c)
        if not sufficient and (
            best is None or max(s.rat[g, c], s.rdt[g, c]) > _repness_test(s, g, best)
        ):
            best = c
        if _beats_best_agree(s, g, c, best_agree):
            best_agree = c
    head = (
        [Pick(best_agree, bool(s.rat[g, best_agree] > s.rdt[g, best_agree]), True)]
        if best_agree is not None
        else ([Pick(best, bool(s.rat[g, best] > s.rdt[g, best]))] if best is not None else [])
    )
    if not sufficient:
        return head
    ranked = sorted(
        (c for c in sufficient if c != best_agree), key=lambda c: (-_metric(s, g, c), c)
    )
    chosen = head + [Pick(c, bool(s.rat[g, c] > s.rdt[g, c])) for c in ranked]
    chosen = chosen[:pick]
    return [p for p in chosen if p.agree] + [p for p in chosen if not p.agree]


def _repness_test(s: RepStats, g: int, c: int) -> float:
    return float(s.rat[g, c] if s.rat[g, c] > s.rdt[g, c] else s.rdt[g, c])


def _metric(s: RepStats, g: int, c: int) -> float:
    if s.rat[g, c] > s.rdt[g, c]:
        return float(s.ra[g, c] * s.rat[g, c] * s.pa[g, c] * s.pat[g, c])
    return float(s.rd[g, c] * s.rdt[g, c] * s.pd[g, c] * s.pdt[g, c])


def _beats_best_agree(s: RepStats, g: int, c: int, current: int | None) -> bool:
    """Pol.is ``beats-best-agr?``."""
    if s.na[g, c] == 0 and s.nd[g, c] == 0:
        return False
    if current is not None and s.ra[g, current] > 1.0:
        mine = s.ra[g, c] * s.rat[g, c] * s.pa[g, c] * s.pat[g, c]
        theirs = s.ra[g, current] * s.rat[g, current] * s.pa[g, current] * s.pat[g, current]
        return bool(mine > theirs)
    if current is not None:
        return bool(s.pa[g, c] * s.pat[g, c] > s.pa[g, current] * s.pat[g, current])
    return bool(s.pat[g, c] > Z_90 or (s.ra[g, c] > 1.0 and s.pa[g, c] > 0.5))


def group_aware_consensus(
    n_agree: np.ndarray, n_disagree: np.ndarray, n_seen: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Pol.is ``group-aware-consensus``: per statement, the product over groups of
    each group's smoothed share ``(n + 1) / (seen + 2)``; for agree (Pol.is's own
    number) and, the same way, for disagree. High only when every group leans
    that way, however small the group."""
    seen = np.asarray(n_seen, dtype=np.float64) + 2.0
    agree = ((np.asarray(n_agree, dtype=np.float64) + 1.0) / seen).prod(axis=0)
    disagree = ((np.asarray(n_disagree, dtype=np.float64) + 1.0) / seen).prod(axis=0)
    return agree, disagree


def select_consensus(
    consensus: np.ndarray,
    shares: np.ndarray,
    excluded: np.ndarray,
    pick: int = PICK,
) -> list[int]:
    """Columns of the ``pick`` highest group-aware-consensus statements that a
    majority of every group supports (each group's smoothed share > 1/2).

    Pol.is publishes the group-aware-consensus numbers and leaves choosing to
    its clients; the portal shows at most ``pick`` a direction, and only those
    that a majority of every group supports, so that "common ground" never
    lists a statement that some group mostly rejects. Ties go to the earlier
    column. Moderated-out statements (``excluded``) are never chosen.
    """
    ok = (shares > 0.5).all(axis=0) & ~excluded
    columns = np.flatnonzero(ok)
    order = sorted(columns.tolist(), key=lambda c: (-round(float(consensus[c]), 12), c))
    return order[:pick]
