"""The public volunteer pages kept light: a shift's page reads the shift, its
waitlist and the viewer's own place in one statement, signed in or not; the lists
of coming shifts and teams are written out in Python with the markup (phone cards,
links, escaping) the templates wrote; a page number past the last shows the last."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from tests.conftest import PASSWORD
from tests.support.client import FormClient
from tests.support.queries import page_selects
from tests.support.volunteering import make_person, make_shift
from volunteers import signups
from volunteers.listings import ComingShift, TeamLine
from web.volunteers.lines import shift_lines, team_lines

NOW = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)


def test_a_shift_page_reads_in_one_statement_signed_in_or_not(
    app: Any, client: FormClient, engine: Engine, world: dict[str, Any]
) -> None:
    """Fails on the old code: the shift, its area, its waiting count, the viewer's
    sign-up and their waitlist position were five statements."""
    app.state.fixed_now = NOW
    volunteer = world["people"]["volunteer"].id
    with Session(engine) as s, s.begin():
        shift = make_shift(s, world["community"], NOW + timedelta(days=1), capacity=1)
        for name in ("甲", "乙", "丙"):
            signups.sign_up(s, shift.id, make_person(s, f"先到{name}"), NOW)
        assert signups.sign_up(s, shift.id, volunteer, NOW).status == "waitlisted"
        shift_id = shift.id
    url = f"/volunteers/shifts/{shift_id}"
    bare, _ = page_selects(app.state.engine, client, "/volunteers/verify")
    anonymous, html = page_selects(app.state.engine, client, url)
    assert anonymous == bare + 1
    assert '<span data-waiting="3">3 人候补</span>' in html
    assert "社区广场" in html  # the area's name and the place
    client.sign_in("volunteer", PASSWORD)
    bare, _ = page_selects(app.state.engine, client, "/volunteers/verify")
    mine, html = page_selects(app.state.engine, client, url)
    assert mine == bare + 1
    assert '<strong data-status="waitlisted">' in html
    assert '<span data-position="3">候补第 3 位</span>' in html
    assert 'seen=waitlisted%3A3"' in html


def test_the_lines_keep_the_markup_the_templates_wrote(app: Any) -> None:
    """The rows as volunteers/_shifts.html and index.html wrote them (a phone card
    each), values escaped."""
    at = datetime(2026, 12, 3, 1, 30, tzinfo=UTC)  # 09:30 in Beijing
    rows = [
        ComingShift(7, at, "", 3, 1, "清洁<b>", "一队&二队", "幸福社区", 0),
        ComingShift(8, at, '3号"楼', 2, 2, "巡逻", "二队", "幸福社区", 2),
        ComingShift(9, at, "广场", 2, 2, "巡逻", "二队", "幸福社区", 0),
    ]
    assert str(shift_lines(rows)).split("\n") == [
        '<tr><td data-label="时间">2026年12月3日 09:30</td><td class="card-title">'
        '<a href="/volunteers/shifts/7">清洁&lt;b&gt;</a><br><span class="muted">一队&amp;二队'
        '</span></td><td data-label="地点">幸福社区</td><td data-label="名额">3 个名额中剩 2 个'
        "</td></tr>",
        '<tr><td data-label="时间">2026年12月3日 09:30</td><td class="card-title">'
        '<a href="/volunteers/shifts/8">巡逻</a><br><span class="muted">二队</span></td>'
        '<td data-label="地点">幸福社区 · 3号&#34;楼</td><td data-label="名额"><strong>已满'
        "</strong> · 2 人候补</td></tr>",
        '<tr><td data-label="时间">2026年12月3日 09:30</td><td class="card-title">'
        '<a href="/volunteers/shifts/9">巡逻</a><br><span class="muted">二队</span></td>'
        '<td data-label="地点">幸福社区 · 广场</td><td data-label="名额"><strong>已满</strong>'
        "</td></tr>",
    ]
    assert str(shift_lines([])) == '<tr><td colspan="4">近期没有班次。</td></tr>'
    teams = [TeamLine(4, "<一队>", "featured", "open", "幸福社区")]
    assert str(team_lines(teams, {"featured": "特色队"}, {"open": "自由加入"})) == (
        '<tr><td class="card-title"><a href="/volunteers/teams/4">&lt;一队&gt;</a></td>'
        '<td data-label="类型">特色队</td><td data-label="区域">幸福社区</td>'
        '<td data-label="加入方式">自由加入</td></tr>'
    )
    assert str(team_lines([], {}, {})) == '<tr><td colspan="4">暂无服务队。</td></tr>'


def test_a_page_past_the_last_shows_the_last(
    app: Any, client: FormClient, engine: Engine, world: dict[str, Any]
) -> None:
    app.state.fixed_now = NOW
    with Session(engine) as s, s.begin():
        made = [
            make_shift(s, world["community"], NOW + timedelta(days=1 + k)).id for k in range(25)
        ]
    html = client.get("/volunteers?shifts=99&page=99").text
    assert f'href="/volunteers/shifts/{made[-1]}"' in html
    assert f'href="/volunteers/shifts/{made[19]}"' not in html
    assert "第 2 页，共 2 页" in html


def test_the_star_levels_follow_each_new_scheme(
    app: Any, client: FormClient, engine: Engine, world: dict[str, Any]
) -> None:
    """The section is rendered once per schemes in force and language: a new
    scheme shows on the next request, never the one rendered before."""
    from volunteers import stars

    app.state.fixed_now = NOW
    admin = world["people"]["admin"].id
    assert "一区" not in client.get("/volunteers").text
    for hours, shown in (("2 4 8", "8 小时"), ("3 9", "9 小时")):
        with Session(engine) as s, s.begin():
            district = s.merge(world["district"])
            stars.set_scheme(s, district, hours, "0", admin, NOW - timedelta(minutes=1))
        html = client.get("/volunteers").text
        section = html[html.index('id="star-levels-section"') :]
        assert "<h3>一区</h3>" in section and shown in section, section
        assert ("8 小时" in section) == (hours == "2 4 8")
