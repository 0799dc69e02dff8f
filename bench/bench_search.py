"""Search at city scale: p50/p99 of ``search()`` against a bare reference, same run.

    .venv/bin/python bench/bench_search.py [--items 100000] [--others 20000] [--repeat 30] [--pg]

Builds a migrated database (SQLite; with --pg also a throwaway PostgreSQL cluster)
holding a city's area tree (5 districts, 50 streets, 500 communities), 2,500 plans
and ``--items`` plan items written as batched Core INSERTs (as ``gongzhi demo
--scale city`` writes them, so without change notes), then indexes them with
``gongzhi search reindex``'s service (timed: the backfill) and adds ``--others``
index rows of the other kinds (consultations, topics, proposals, teams, shifts...)
straight into the index. Titles are drawn from a list of real-sounding project
phrases, so common words (改造: about a third of the titles) and rare ones (加装电梯:
about one in 60) both occur.

Each query is run ``--repeat`` times through the service (a session per query, as a
request has); the reference is a primary-key read of one index row through the same
kind of session, the floor any query pays. The naive alternative, ``LIKE '%word%'``
over the titles, is timed too. Also printed: the first query's cost in a fresh
process (jieba's dictionary loaded from its cache, and built without it).
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert, select, text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from participation.areas import Area, create_area
from participation.db import READ_ONLY, make_engine
from participation.plan.models import Plan, PlanItem
from participation.rules.areas import AreaKind
from search.indexing import KIND_INDEX, reindex_all
from search.models import SearchDoc, doc_id
from search.querying import Filters, search, years
from search.rules.words import index_words
from web.migrate import upgrade

PLACES = [
    "老旧小区",
    "背街小巷",
    "社区",
    "幸福里",
    "滨江",
    "农贸市场",
    "学校周边",
    "公园",
    "新村",
    "菜场",
]
THINGS = [
    "加装电梯",
    "路灯",
    "雨污分流",
    "停车位",
    "充电桩",
    "垃圾分类",
    "助餐服务",
    "健身设施",
    "消防通道",
    "绿化",
    "外墙",
    "屋面防水",
    "道路",
    "文化活动室",
    "养老服务站",
    "儿童游乐场",
    "无障碍坡道",
    "监控",
    "排水管网",
    "休闲座椅",
    "快递柜",
    "阅览室",
    "卫生服务站",
    "便民服务点",
    "安全隐患",
    "公共厕所",
    "燃气管道",
    "老年食堂",
    "智慧门禁",
    "晾晒架",
    "非机动车棚",
    "人行步道",
    "景观亭",
    "宣传栏",
    "篮球场",
    "门球场",
    "污水处理",
    "雨棚",
    "围墙",
    "楼道照明",
    "防盗门",
    "信报箱",
    "标识牌",
    "口袋公园",
    "红色驿站",
    "社区食堂",
    "托育点",
    "书屋",
    "广场",
    "停车场",
    "下水道",
    "路面",
    "台阶",
    "扶手",
    "监控探头",
    "消防栓",
    "化粪池",
    "水箱",
    "电线",
    "网络",
    "电动车",
]
ACTIONS = ["改造", "改造工程", "建设", "维修", "提升", "整治", "更新", "新建", "完善", "项目"]
OTHER_KINDS = ["consultation", "topic", "budget_proposal", "livelihood_project", "team", "shift"]
QUERIES: list[tuple[str, str, Filters]] = [
    ("rare word", "加装电梯", Filters()),
    ("common word", "改造", Filters()),
    ("two words", "老旧小区 路灯", Filters()),
    ("word, one year", "路灯", Filters(year=2026)),
    ("word, one kind", "维修", Filters(kind="plan_item")),
    ("no match", "火箭发射", Filters()),
    ("page 5 of a common word", "改造", Filters()),
]


def title(rng: random.Random) -> str:
    return rng.choice(PLACES) + rng.choice(THINGS) + rng.choice(ACTIONS)


def build(url: str, items: int, others: int) -> tuple[float, str]:
    """Migrate, load the city, backfill the index; the backfill's seconds and a
    district's path (for the area filter)."""
    upgrade(url)
    rng = random.Random(17)
    engine = make_engine(url)
    with Session(engine) as s, s.begin():
        city = create_area(s, code="C", name="海澄市", kind=AreaKind.CITY, parent=None)
        communities: list[Area] = []
        for d in range(5):
            district = create_area(
                s, code=f"D{d}", name=f"第{d}区", kind=AreaKind.DISTRICT, parent=city
            )
            for t in range(10):
                street = create_area(
                    s, code=f"S{d}{t}", name=f"街道{d}{t}", kind=AreaKind.STREET, parent=district
                )
                for c in range(10):
                    communities.append(
                        create_area(
                            s,
                            code=f"M{d}{t}{c}",
                            name=f"社区{d}{t}{c}",
                            kind=AreaKind.COMMUNITY,
                            parent=street,
                        )
                    )
        district_path = s.scalars(select(Area.path).where(Area.code == "D0")).one()
        plans = [
            {"area_id": c.id, "year": y, "title": f"{c.name}{y}"}
            for c in communities
            for y in range(2023, 2028)
        ]
        s.execute(insert(Plan), plans)
        plan_ids = list(s.scalars(select(Plan.id)))
        now = datetime(2026, 6, 1, tzinfo=UTC)
        for start in range(0, items, 5_000):
            s.execute(
                insert(PlanItem),
                [
                    {
                        "plan_id": plan_ids[n % len(plan_ids)],
                        "title": title(rng),
                        "description": "按照倒排工期推进，" + title(rng),
                        "source_kind": "direct",
                        "source_ref": f"bench:{n}",
                        "created_at": now - timedelta(minutes=n),
                    }
                    for n in range(start, min(items, start + 5_000))
                ],
            )
    started = time.perf_counter()
    with Session(engine) as s, s.begin():
        reindex_all(s)
    backfill = time.perf_counter() - started
    with Session(engine) as s, s.begin():
        area_rows = s.execute(select(Area.id, Area.path).where(Area.kind == "community")).all()
        for start in range(0, others, 5_000):
            rows = []
            for n in range(start, min(others, start + 5_000)):
                words = title(rng)
                area_id, path = area_rows[n % len(area_rows)]
                kind = OTHER_KINDS[n % len(OTHER_KINDS)]
                day = date(2023 + n % 5, 1 + n % 12, 1 + n % 28)
                rows.append(
                    {
                        "id": doc_id(day, KIND_INDEX[kind], n + 1),
                        "kind": kind,
                        "ref_id": n + 1,
                        "area_id": area_id,
                        "area_path": path,
                        "year": 2023 + n % 5,
                        "day": day,
                        "title": words,
                        "words": index_words(words),
                    }
                )
            s.execute(insert(SearchDoc), rows)
        if engine.dialect.name == "postgresql":
            s.execute(text("ANALYZE"))
        else:
            s.execute(text("ANALYZE"))
    engine.dispose()
    return backfill, district_path


def timed(run: Callable[[], object], repeat: int) -> tuple[float, float]:
    run()  # warm: caches, the dictionary
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    return statistics.median(times), times[min(len(times) - 1, round(0.99 * (len(times) - 1)))]


def reading(engine: Engine) -> Session:
    """A session that reads, as a GET request's does (SQLite: plain BEGIN, no write lock)."""
    session = Session(engine)
    session.connection(execution_options={READ_ONLY: True})
    return session


def measure(engine: Engine, repeat: int, district_path: str) -> None:
    def one(typed: str, filters: Filters, page: int = 1) -> Callable[[], object]:
        def run() -> object:
            with reading(engine) as s:
                return search(s, typed, filters, page).hits

        return run

    def reference() -> object:
        with reading(engine) as s:
            return s.scalar(select(SearchDoc.title).where(SearchDoc.id == some_id))

    def like() -> object:
        with reading(engine) as s:
            return s.scalars(
                select(SearchDoc.title)
                .where(SearchDoc.title.like("%加装电梯%"))
                .order_by(SearchDoc.id.desc())
                .limit(21)
            ).all()

    def years_of() -> object:
        with reading(engine) as s:
            return years(s)

    with Session(engine) as s:
        count = s.scalar(text("SELECT count(*) FROM search_docs"))
        some_id = s.scalars(select(SearchDoc.id).offset(count // 2).limit(1)).one()
    print(f"  {count:,} index rows")
    rows = [("reference: one index row by primary key", reference)]
    for label, typed, filters in QUERIES:
        page = 5 if label.startswith("page 5") else 1
        rows.append((f"{label} ({typed})", one(typed, filters, page)))
    rows.append(
        (
            "rare word within one district (加装电梯)",
            one("加装电梯", Filters(area_path=district_path)),
        )
    )
    rows.append(
        ("common word, a kind it is rare in (改造, team)", one("改造", Filters(kind="team")))
    )
    rows.append(("the year filter's choices (distinct years)", lambda: years_of()))
    rows.append(("naive: title LIKE '%加装电梯%'", like))
    for label, run in rows:
        p50, p99 = timed(run, repeat)
        print(f"  {label:48} p50 {p50:7.2f} ms   p99 {p99:7.2f} ms")


def first_query_cost() -> None:
    code = (
        "import time; t=time.perf_counter();"
        "from search.rules.words import parse_query; import search.querying;"
        "i=time.perf_counter(); parse_query('加装电梯');"
        "print(f'{(time.perf_counter()-i)*1000:.0f}')"
    )
    private = tempfile.mkdtemp()
    cold = subprocess.run(
        [sys.executable, "-c", code],
        env=dict(os.environ, TMPDIR=private),
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    warm = subprocess.run(
        [sys.executable, "-c", code],
        env=dict(os.environ, TMPDIR=private),
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    print(
        f"first query of a process: {cold} ms without jieba's cache (it is built), "
        f"{warm} ms with it"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--others", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--pg", action="store_true", help="also on a throwaway PostgreSQL")
    args = parser.parse_args()
    print(
        f"{platform.processor() or platform.machine()}, Python {platform.python_version()}, "
        f"load average {os.getloadavg()[0]:.1f}"
    )
    first_query_cost()
    urls = [("SQLite (FTS5)", f"sqlite:///{tempfile.mkdtemp()}/bench.db")]
    cluster = None
    if args.pg:
        sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
        from tests.support.pg import start_cluster

        cluster = start_cluster()
        admin = make_engine(cluster.admin_url)
        with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("CREATE DATABASE bench_search"))
        admin.dispose()
        urls.append(("PostgreSQL (tsvector, GIN)", cluster.url("bench_search")))
    try:
        for name, url in urls:
            backfill, district_path = build(url, args.items, args.others)
            print(f"{name}: {args.items:,} plan items indexed by reindex_all in {backfill:.1f} s")
            engine = make_engine(url)
            measure(engine, args.repeat, district_path)
            engine.dispose()
    finally:
        if cluster is not None:
            cluster.stop()


if __name__ == "__main__":
    main()
