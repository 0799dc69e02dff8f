"""Following through the pages (a plain form, and htmx swapping the button in place),
the list of what one follows, and the notice settings form."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from participation.notifying.models import Follow, NoticePreference, NoticeSetting
from tests.conftest import PASSWORD
from tests.support.client import FormClient
from tests.support.world import World
from volunteers.teams import create_team

HX = {"HX-Request": "true", "HX-Target": "follow-team-1"}


def _team(engine: Engine, world: World) -> int:
    with Session(engine) as s, s.begin():
        team = create_team(
            s, area=world["community"], name="望江志愿队", kind="featured", join_mode="open"
        )
        return team.id


def _follows(engine: Engine) -> list[tuple[int, str, int]]:
    with Session(engine) as s:
        return [(f.account_id, f.target_kind, f.target_id) for f in s.scalars(select(Follow)).all()]


def test_following_a_team_without_javascript_and_with_htmx(
    client: FormClient, world: World, engine: Engine
) -> None:
    team_id = _team(engine, world)
    page = f"/volunteers/teams/{team_id}"
    assert "登录后关注" in client.get(page).text  # anonymous: a sign-in link
    client.sign_in("resident", PASSWORD)
    assert f'action="/account/following/team/{team_id}"' in client.get(page).text

    done = client.submit(f"/account/following/team/{team_id}", {"next": page}, page=page)
    assert (done.status_code, done.headers["location"]) == (303, page)
    me = world["people"]["resident"].id
    assert _follows(engine) == [(me, "team", team_id)]
    listed = client.get("/account/following")
    assert "望江志愿队" in listed.text and f'href="{page}"' in listed.text

    # Following again changes nothing; htmx gets the button back, swapped in place.
    swapped = client.submit(f"/account/following/team/{team_id}", page=page, headers=HX)
    assert swapped.status_code == 200 and "<html" not in swapped.text
    assert "/remove" in swapped.text and _follows(engine) == [(me, "team", team_id)]
    stopped = client.submit(f"/account/following/team/{team_id}/remove", page=page, headers=HX)
    assert stopped.status_code == 200 and "/remove" not in stopped.text
    assert _follows(engine) == []


def test_following_nothing_is_not_found_and_stores_nothing(
    client: FormClient, world: World, engine: Engine
) -> None:
    client.sign_in("resident", PASSWORD)
    for url in ("/account/following/team/999", "/account/following/ballot/1"):
        assert client.submit(url, page="/account").status_code == 404
    assert _follows(engine) == []


def test_notice_settings_are_saved_and_bad_input_changes_nothing(
    client: FormClient, world: World, engine: Engine
) -> None:
    client.sign_in("resident", PASSWORD)
    page = "/account/notices/preferences"
    shown = client.get(page)
    assert shown.status_code == 200 and "每日汇总" in shown.text
    saved = client.submit(page, {"mail-ballot.opened": "inbox", "delivery": "digest"}, page=page)
    assert saved.status_code == 303
    me = world["people"]["resident"].id
    with Session(engine) as s:
        assert [(p.kind, p.email) for p in s.scalars(select(NoticePreference))] == [
            ("ballot.opened", False)
        ]
        setting = s.get(NoticeSetting, me)
        assert setting is not None and setting.digest
    refused = client.submit(
        page, {"mail-ballot.opened": "email", "delivery": "carrier-pigeon"}, page=page
    )
    assert refused.status_code == 422 and "请选择" in refused.text
    with Session(engine) as s:  # nothing changed
        assert len(s.scalars(select(NoticePreference)).all()) == 1
        setting = s.get(NoticeSetting, me)
        assert setting is not None and setting.digest
