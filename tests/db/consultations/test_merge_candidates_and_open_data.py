"""The two queries issue 17 moved into SQL, on SQLite and PostgreSQL: a topic's merge
candidates (open, its community's, not itself; searched by title, LIKE's wildcards
taken as text, or by number) and the open data's consultations by id after one,
filtered by area and stage, read whole a batch at a time."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.orm import Session

from consultations import open_data, topics
from consultations.models import Consultation, Topic
from consultations.rules.journey import Stage
from participation.db import make_engine
from tests.support.consultations import NOW, community


def test_merge_candidates_and_the_open_data_on_either_database(any_db_url: str) -> None:
    engine = make_engine(any_db_url)
    with Session(engine, expire_on_commit=False) as s, s.begin():
        c = community(s)

        def topic(title: str, status: str = "collecting", area: int | None = None) -> Topic:
            made = Topic(
                area_id=area or c.area.id,
                title=title,
                source="resident",
                proposer_id=c.residents[0].id,
                status=status,
                threshold=10,
            )
            s.add(made)
            s.flush()
            return made

        mine = topic("我的议题")
        plain = [topic(f"议题{n}") for n in range(5)]
        percent = topic("100% 满意")
        topic("已否决", "declined")
        topic("已合并", "merged")
        topic("别处", area=c.other.id)
        for n, (shift, final) in enumerate([(-30, True), (5, False), (-30, True)]):
            at = NOW + timedelta(days=shift)
            s.add(
                Consultation(
                    topic_id=plain[n].id,
                    area_id=(c.area if n < 2 else c.other).id,
                    title=f"协商{n}",
                    agenda="",
                    meets_at=at,
                    announced_at=at - timedelta(days=7),
                    deliberation_opens_at=at - timedelta(days=3),
                    deliberation_closes_at=at,
                    passed=True if final else None,
                    final_at=at + timedelta(days=20) if final else None,
                )
            )
    with Session(engine) as s:
        rows, total, page = topics.merge_candidates(s, mine, per_page=3)
        assert (total, page) == (6, 1)
        assert [t.title for t in rows] == ["100% 满意", "议题4", "议题3"]
        assert [t.id for t in topics.merge_candidates(s, mine, search="%")[0]] == [percent.id]
        # A number is a topic's number or a title's text; "#N" is the number alone.
        number = topics.merge_candidates(s, mine, search=f"#{plain[2].id}")[0]
        assert [t.id for t in number] == [plain[2].id]
        assert topics.merge_candidates(s, mine, search="9" * 30)[1] == 0  # no overflow
        assert topics.merge_candidates(s, mine, page=99, per_page=4)[2] == 2

        def listed(**asked: object) -> list[str]:
            found = open_data.consultations_after(s, now=NOW, **asked)  # type: ignore[arg-type]
            return [row.title for row, _area in found]

        assert listed(within_id=None, stage=None) == ["协商0", "协商1", "协商2"]
        assert listed(within_id=c.area.id, stage=Stage.FINAL) == ["协商0"]
        assert listed(within_id=None, stage=Stage.FINAL, after=0, limit=1) == ["协商0"]
        assert listed(within_id=99_999_999, stage=None) == []
        batches = open_data.every_consultation(s, within_id=None, stage=None, now=NOW, batch=2)
        assert [[row.title for row, _area in b] for b in batches] == [["协商0", "协商1"], ["协商2"]]
    engine.dispose()
