"""The consultation page and its API read the worker's stored opinion map: no
request computes one (the pipeline is counted), the page says as of when and from
how many votes, and that an update is on its way while newer votes wait."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import delete
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from consultations.models import StoredOpinionMap
from consultations.rules.opinion import opinion_map
from tests.support.client import FormClient
from tests.support.consultations import NOW, refresh_maps
from tests.web.consultations.test_consultations import PASSWORD, place  # noqa: F401 (fixture)

HTMX = {"HX-Request": "true", "HX-Target": "opinion"}


@pytest.fixture
def pipeline_calls(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts every run of the opinion-map pipeline, wherever it is called from."""
    calls: list[int] = []

    def counted(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        return opinion_map(*args, **kwargs)

    for where in ("consultations.opinion_maps", "consultations.deliberation"):
        monkeypatch.setattr(f"{where}.opinion_map", counted)
    return calls


def test_the_page_and_the_api_read_the_stored_map_and_never_compute(
    client: FormClient,
    place: dict[str, Any],  # noqa: F811
    pipeline_calls: list[int],
) -> None:
    url = f"/consultations/{place['consultation'].id}"
    page = client.get(url).text
    assert page.count('data-testid="group"') == 2
    as_of = page.split('data-testid="map-as-of">')[1].split("</p>")[0]
    assert "基于 44 次表态" in as_of and "正在计算" not in as_of
    assert client.get(url, headers=HTMX).text.lstrip().startswith('<section id="opinion"')
    data = client.get(f"/api/v1/consultations/{place['consultation'].id}").json()["opinion_map"]
    assert data["votes"] == 44 and data["update_waiting"] is False
    assert data["computed_at"] == NOW.isoformat() and len(data["groups"]) == 2
    assert pipeline_calls == []


def test_a_vote_shows_the_stored_map_with_an_update_on_its_way_until_the_worker_runs(
    client: FormClient,
    place: dict[str, Any],  # noqa: F811
    engine: Engine,
    pipeline_calls: list[int],
) -> None:
    url = f"/consultations/{place['consultation'].id}"
    client.sign_in("res0", PASSWORD)
    sid = place["statements"][0]
    data = {"choice": "agree", "csrf_token": client.csrf(url)}
    voted = client.post(f"{url}/statements/{sid}/vote", data=data, headers=HTMX).text
    assert 'data-testid="map-update-waiting"' in voted and "基于 44 次表态" in voted
    page = client.get(url).text
    assert "更新的地图正在计算中" in page
    api = client.get(f"/api/v1/consultations/{place['consultation'].id}").json()
    assert api["opinion_map"]["update_waiting"] is True
    assert pipeline_calls == []  # no request computed
    refresh_maps(engine, NOW + timedelta(minutes=1))
    assert pipeline_calls == [1]  # the worker did, once
    after = client.get(url).text
    assert "基于 45 次表态" in after and 'data-testid="map-update-waiting"' not in after
    assert pipeline_calls == [1]


def test_before_the_first_map_the_page_says_so(
    client: FormClient,
    place: dict[str, Any],  # noqa: F811
    engine: Engine,
    pipeline_calls: list[int],
) -> None:
    with Session(engine) as s, s.begin():
        s.execute(delete(StoredOpinionMap))
    url = f"/consultations/{place['consultation'].id}"
    page = client.get(url).text
    section = page.split('id="opinion"')[1].split("</section>")[0]
    assert "观点地图尚未生成" in section and "第一张地图正在计算中" in section
    assert 'data-testid="group"' not in section and "<svg" not in section
    data = client.get(f"/api/v1/consultations/{place['consultation'].id}").json()["opinion_map"]
    assert data["computed_at"] is None and data["update_waiting"] is True
    assert pipeline_calls == []


def test_the_dots_are_drawn_once_per_spot_with_the_signed_in_person_ringed(
    client: FormClient,
    place: dict[str, Any],  # noqa: F811
    engine: Engine,
) -> None:
    """Twelve people who voted alike share spots: the SVG draws each spot once
    per group (the same picture), and the ring for the signed-in participant."""
    url = f"/consultations/{place['consultation'].id}"
    client.sign_in("res1", PASSWORD)
    svg = client.get(url).text.split('<svg class="opinion-map"')[1].split("</svg>")[0]
    spots = svg.count("h0")
    assert 1 < spots < 11  # fewer than one per participant
    assert svg.count("<path") == 2  # one per group
    assert svg.count('data-testid="you-are-here"') == 1
