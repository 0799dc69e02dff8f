"""Phases of a process: they only move forward."""

from __future__ import annotations

from collections.abc import Sequence


def next_phase(phases: Sequence[str], current: str) -> str | None:
    """The phase after ``current``; None at the end. Phases only move forward."""
    position = list(phases).index(current)
    return phases[position + 1] if position + 1 < len(phases) else None
