"""Near-duplicate requests: realistic pairs on both sides of the threshold, ordering,
and properties of the score."""

from __future__ import annotations

import subprocess
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from participation.requests.rules.duplicates import (
    THRESHOLD,
    content_words,
    similar_requests,
    similarity,
)

#: One matter, phrased by two residents.
SAME_MATTER = [
    ("小区3栋门口的路灯坏了好几天，晚上很黑", "3栋楼下路灯不亮已经一周了，夜里出行不安全"),
    ("幸福路与建设路路口的路灯不亮了", "建设路和幸福路交叉口路灯晚上不亮，过马路很危险"),
    ("花园小区南门路灯一直闪烁不亮", "花园小区南门口的路灯坏了，一闪一闪的"),
    ("垃圾站的垃圾三天没人清运，臭味很大", "垃圾堆了好几天没有清运，味道难闻"),
    ("5号楼旁边垃圾桶满了没人清理，苍蝇很多", "5号楼垃圾桶垃圾溢出来了，好几天没人收"),
    ("菜市场门口垃圾清运不及时，污水横流", "菜市场前面的垃圾一直没人运走，地上都是污水"),
    ("楼下工地夜间施工噪音扰民，晚上十二点还在打桩", "工地晚上施工太吵，半夜还在打桩，影响休息"),
    ("广场舞音响声音太大，每天晚上跳到十点", "小区广场跳舞的音乐太响了，晚上十点还不停"),
    ("楼下烧烤店油烟噪音扰民到凌晨", "烧烤摊每天营业到凌晨两三点，吵得睡不着，油烟也大"),
    ("小区车辆乱停占用消防通道", "消防通道被私家车堵住了，乱停车没人管"),
    ("小区电动车在楼道里充电，很危险", "有人把电动车推进楼道充电，存在火灾隐患"),
    ("小区地下车库积水严重，车开不进去", "地下停车场进水了，积水很深没人处理"),
    ("人行道上的井盖丢了，很危险", "路边人行道井盖缺失，晚上容易掉下去"),
    ("家里停水两天了，也没有通知", "我们这栋楼已经两天没水了，没有提前通知停水"),
    ("ＸＸ小区东门路灯不亮", "xx小区东门的路灯坏了"),  # full-width letters
    ("小区门口垃圾堆积", "门口垃圾没人清"),
    ("小区东门垃圾堆积三天", "东门垃圾桶满了好几天没人收"),
    ("小区停车位太少，晚上回来没地方停", "车位不够，下班回家找不到停车的地方"),
]

#: Two matters of one category, mostly at one place.
DIFFERENT_MATTERS = [
    ("小区3栋门口的路灯坏了好几天，晚上很黑", "小区停车位月租费涨价太多，不合理"),
    ("幸福路与建设路路口的路灯不亮了", "幸福路与建设路路口红绿灯时间太短，老人过不去"),
    ("花园小区南门路灯一直闪烁不亮", "花园小区南门的门禁坏了，外来人员随便进出"),
    ("垃圾站的垃圾三天没人清运，臭味很大", "垃圾分类投放点设置不合理，离楼太远"),
    ("5号楼旁边垃圾桶满了没人清理，苍蝇很多", "5号楼楼顶有人违章搭建，私搭乱建"),
    ("菜市场门口垃圾清运不及时，污水横流", "菜市场门口占道经营，流动摊贩堵路"),
    ("楼下工地夜间施工噪音扰民，晚上十二点还在打桩", "广场舞音响声音太大，每天晚上跳到十点"),
    ("广场舞音响声音太大，每天晚上跳到十点", "楼上邻居装修噪音太大，周末早上七点就开始"),
    ("楼下烧烤店油烟噪音扰民到凌晨", "楼下餐馆把污水直接倒进雨水井"),
    ("小区车辆乱停占用消防通道", "小区停车位月租费涨价太多，不合理"),
    ("小区车辆乱停占用消防通道", "小区电动车在楼道里充电，很危险"),
    ("小区地下车库积水严重，车开不进去", "小区地下车库的灯坏了很多，太暗"),
    ("人行道上的井盖丢了，很危险", "人行道被共享单车占满，没法走路"),
    ("家里停水两天了，也没有通知", "这个月水费比平时高了好几倍，怀疑水表有问题"),
    ("小区电动车在楼道里充电，很危险", "小区电动车充电桩不够用，经常排队"),
    ("5号楼旁边垃圾桶满了没人清理，苍蝇很多", "5号楼旁边的树枝太长挡住窗户，需要修剪"),
    ("小区停车位太少，晚上回来没地方停", "小区车辆乱停占用消防通道"),
    ("小区停车位太少，晚上回来没地方停", "小区停车位月租费涨价太多，不合理"),
    ("小区停车位太少，晚上回来没地方停", "小区电动车充电桩不够用，经常排队"),
    ("小区门口垃圾堆积", "小区门口有人乱扔建筑垃圾"),
    ("楼道里杂物堆积，堵住了消防通道", "小区门口垃圾堆积"),
]


@pytest.mark.parametrize(("a", "b"), SAME_MATTER)
def test_one_matter_phrased_twice_is_suggested(a: str, b: str) -> None:
    assert similarity(a, b) >= THRESHOLD
    found = similar_requests(a, [(7, b)])
    assert [cid for cid, _ in found] == [7]
    assert found[0][1] == pytest.approx(similarity(a, b), abs=0.05)  # rounded to 0.1


@pytest.mark.parametrize(("a", "b"), DIFFERENT_MATTERS)
def test_two_matters_of_one_category_are_not(a: str, b: str) -> None:
    assert similarity(a, b) < THRESHOLD
    assert similar_requests(a, [(7, b)]) == []


def test_the_threshold_sits_between_the_two_kinds_of_pairs() -> None:
    lowest_same = min(similarity(a, b) for a, b in SAME_MATTER)
    highest_different = max(similarity(a, b) for a, b in DIFFERENT_MATTERS)
    assert highest_different + 3 <= THRESHOLD <= lowest_same - 3  # a margin both ways


def test_best_first_among_candidates() -> None:
    text = "小区3栋门口的路灯坏了好几天，晚上很黑"
    candidates = [
        (1, "小区停车位月租费涨价太多，不合理"),
        (2, "3栋楼下路灯不亮已经一周了，夜里出行不安全"),
        (3, "小区3栋门口的路灯坏了好几天，晚上很黑"),
        (4, "3栋楼下路灯不亮已经一周了，夜里出行不安全"),  # ties keep the given order
    ]
    found = similar_requests(text, candidates)
    assert [i for i, _ in found] == [3, 2, 4]
    assert found[0][1] == 100.0
    assert similar_requests(text, candidates, threshold=101) == []
    assert [i for i, _ in similar_requests(text, candidates, threshold=0)] == [3, 2, 4, 1]


def test_texts_without_a_matter_word_match_nothing() -> None:
    assert content_words("。。。 123 ！") == ()
    assert similarity("", "路灯坏了") == similarity("，，，", "路灯坏了") == 0.0
    assert similar_requests("", [(1, "")]) == []


def test_place_words_do_not_make_a_match() -> None:
    assert "3栋" not in content_words("小区3栋门口的路灯坏了")
    assert "路灯" in content_words("小区3栋门口的路灯坏了")


def test_jieba_loads_lazily_and_quietly() -> None:
    code = (
        "import sys; from participation.requests.rules.duplicates import similarity;"
        "assert 'jieba' not in sys.modules;"
        "print(round(similarity('路灯不亮', '路灯坏了')))"
    )
    done = subprocess.run(
        [sys.executable, "-W", "error", "-c", code], capture_output=True, text=True, check=True
    )
    assert done.stderr == ""
    assert int(done.stdout) >= THRESHOLD


texts = st.text(alphabet="路灯坏不亮垃圾清运噪音扰民停车位小区门口3栋的了，很 晚上A", max_size=30)


@settings(max_examples=60, deadline=None)
@given(texts, texts)
def test_scores_are_symmetric_and_bounded(a: str, b: str) -> None:
    score = similarity(a, b)
    assert 0.0 <= score <= 100.0
    assert score == pytest.approx(similarity(b, a))
    if content_words(a):
        assert similarity(a, a) == 100.0


@settings(max_examples=40, deadline=None)
@given(texts, st.lists(texts, max_size=8), st.floats(0, 100))
def test_results_are_the_candidates_above_the_threshold_best_first(
    text: str, others: list[str], threshold: float
) -> None:
    candidates = list(enumerate(others))
    found = similar_requests(text, candidates, threshold=threshold)
    assert [i for i, _ in found] == sorted(
        (i for i, t in candidates if similarity(text, t) >= threshold),
        key=lambda i: -round(similarity(text, others[i]), 1),
    )
    assert all(s >= round(threshold, 1) - 0.05 for _, s in found)
