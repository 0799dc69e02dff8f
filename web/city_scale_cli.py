"""``gongzhi demo --scale city [--fraction F]``: the demo, then a city's worth of data
on top of it (demo/city_scale.py), with progress; for benches and capacity tests."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session

from demo.city_scale import CityCounts, say, seed_city
from participation import sealing
from participation.db import make_engine
from web.settings import Settings, settings_or_exit


def load_city(
    settings: Settings,
    *,
    fraction: float = 1.0,
    out: Callable[[str], None] | None = say,
    residents: int = 2000,
) -> CityCounts:
    """Migrate, load the demo when missing, then the city; commits after each step."""
    from web.cli import load_demo  # the command module imports this one

    load_demo(settings, residents=residents)
    sealing.use_secret(settings.secret_key)
    engine = make_engine(settings.database_url)
    try:
        with Session(engine, expire_on_commit=False) as session:
            counts = seed_city(
                session,
                id_hash_key=settings.id_hash_key,
                fraction=fraction,
                out=out,
                commit=session.commit,
            )
            session.commit()
    finally:
        engine.dispose()
    return counts


def register(sub: Any) -> None:
    """Adds ``--scale`` and ``--fraction`` to ``gongzhi demo``."""
    demo: argparse.ArgumentParser = sub.choices["demo"]
    demo.add_argument(
        "--scale",
        choices=["demo", "city"],
        default="demo",
        help="city: also load 1,000,000 people, 20,000 volunteers, ... (issue 17), "
        "which takes minutes",
    )
    demo.add_argument(
        "--fraction",
        type=float,
        default=1.0,
        help="with --scale city: load this share of the city (0 < F <= 1)",
    )
    plain = demo.get_default("func")

    def run(args: argparse.Namespace) -> int:
        if args.scale == "city":
            settings = settings_or_exit()
            if settings.environment == "production":
                sys.exit("gongzhi: refusing to load demo data in production")
            if not 0 < args.fraction <= 1:
                sys.exit("gongzhi: --fraction must be more than 0 and at most 1")
            counts = load_city(settings, fraction=args.fraction)
            print(f"City-scale data loaded in {counts.seconds:.0f} s: {counts}")
        return int(plain(args))

    demo.set_defaults(func=run)
