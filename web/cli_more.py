"""Further ``gongzhi`` subcommands contributed by other parts of the portal.

Each part adds a ``register(subparsers)`` function to HOOKS, so that the main
parser in :mod:`web.cli` stays small.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

HOOKS: list[Callable[[Any], None]] = []


def register(sub: Any) -> None:
    for hook in HOOKS:
        hook(sub)


from web import cli_ballots  # noqa: E402

HOOKS.append(cli_ballots.register)

from web import cli_rolls  # noqa: E402

HOOKS.append(cli_rolls.register)

from web import cli_pb  # noqa: E402

HOOKS.append(cli_pb.register)

from web import cli_plan  # noqa: E402

HOOKS.append(cli_plan.register)
from web import cli_volunteers  # noqa: E402

HOOKS.append(cli_volunteers.register)
