"""Duplicate suggestions: one new request against 1,000 open ones of a grid and category.

python bench/bench_duplicates.py [--candidates N] [--rounds R]

Times ``similar_requests`` (jieba segmentation + rapidfuzz) cold (no text segmented yet)
and warm (candidates' segmentations cached, as in a running server), next to a baseline
in the same run: the standard library's ``difflib.SequenceMatcher`` over the raw texts
(what the placeholder did), for the same pairs. Loading jieba is timed apart. Prints the
machine, and ratios against the baseline (> 1: slower than the baseline).
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from difflib import SequenceMatcher

from harness import ROOT, machine

sys.path.insert(0, str(ROOT))

from participation.requests.rules import duplicates

PLACES = ["3栋", "5号楼", "南门", "东门", "幸福路口", "菜市场", "地下车库", "2单元", "花园"]
MATTERS = [
    "路灯坏了好几天，晚上很黑",
    "路灯不亮，夜里出行不安全",
    "垃圾桶满了没人清理，苍蝇很多",
    "垃圾三天没人清运，臭味很大",
    "夜间施工噪音扰民，半夜还在打桩",
    "广场舞音响声音太大，每天晚上跳到十点",
    "车辆乱停占用消防通道",
    "停车位月租费涨价太多，不合理",
    "电动车在楼道里充电，很危险",
    "井盖丢了，很危险",
    "停水两天了，也没有通知",
    "积水严重，车开不进去",
]
FILLERS = ["", "，希望尽快处理", "，已经反映过好几次了", "，麻烦相关部门看一下", "。谢谢！"]


def corpus(n: int, seed: int) -> list[tuple[int, str]]:
    rng = random.Random(seed)
    return [
        (i, f"{rng.choice(PLACES)}{rng.choice(MATTERS)}{rng.choice(FILLERS)}{i % 97}")
        for i in range(n)
    ]


def baseline(text: str, candidates: list[tuple[int, str]]) -> list[tuple[int, float]]:
    found = [(i, SequenceMatcher(None, text, t).ratio() * 100) for i, t in candidates]
    return sorted([(i, s) for i, s in found if s >= 50], key=lambda p: -p[1])


def timed(fn, rounds: int) -> float:  # type: ignore[no-untyped-def]
    best = float("inf")
    for _ in range(rounds):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--candidates", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    print(machine())
    candidates = corpus(args.candidates, 2026)
    text = "小区3栋楼下路灯不亮已经一周了，夜里出行不安全"

    start = time.perf_counter()
    duplicates.prepare()
    load = time.perf_counter() - start
    start = time.perf_counter()
    found = duplicates.similar_requests(text, candidates)
    cold = time.perf_counter() - start
    warm = timed(lambda: duplicates.similar_requests(text, candidates), args.rounds)
    base = timed(lambda: baseline(text, candidates), args.rounds)

    print(f"candidates {len(candidates)}, suggested {len(found)}; loading jieba {load:.2f} s")
    print(f"{'':28} {'seconds':>9} {'per cand.':>10} {'ratio':>7}")
    for name, t in [
        ("difflib (baseline)", base),
        ("similar_requests, cold", cold),
        ("similar_requests, warm", warm),
    ]:
        per = t / len(candidates) * 1e6
        print(f"{name:28} {t:9.4f} {per:8.1f}µs {t / base:7.2f}")


if __name__ == "__main__":
    main()
