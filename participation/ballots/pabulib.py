"""Reading and writing participatory-budget elections in the pabulib format (.pb).

A file has three sections, META, PROJECTS and VOTES, each a ``;``-separated
table with a header row (META's is ``key;value``). A vote lists project ids
separated by commas; cumulative votes add a ``points`` column, ordinal votes
list projects in order of preference.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field


@dataclass
class Election:
    meta: dict[str, str] = field(default_factory=dict)
    projects: dict[str, dict[str, str]] = field(default_factory=dict)  # file order kept
    votes: list[dict[str, str]] = field(default_factory=list)
    project_columns: list[str] = field(default_factory=list)
    vote_columns: list[str] = field(default_factory=list)

    @property
    def budget(self) -> int:
        return int(float(self.meta["budget"].replace(",", ".")))

    def costs(self) -> dict[str, int]:
        return {pid: int(float(p["cost"])) for pid, p in self.projects.items()}

    def ballots(self) -> list[list[str]]:
        return [[v for v in row.get("vote", "").split(",") if v] for row in self.votes]

    def approvals(self) -> list[frozenset[str]]:
        return [frozenset(b) for b in self.ballots()]

    def points(self) -> dict[str, int]:
        """Support per project: the file's score column, else its votes column, else counts."""
        for column in ("score", "votes"):
            if column in self.project_columns and all(
                p.get(column) for p in self.projects.values()
            ):
                return {pid: int(float(p[column])) for pid, p in self.projects.items()}
        counted = dict.fromkeys(self.projects, 0)
        for ballot in self.ballots():
            for pid in ballot:
                counted[pid] += 1
        return counted

    def selected(self) -> set[str] | None:
        if "selected" not in self.project_columns:
            return None
        return {pid for pid, p in self.projects.items() if p.get("selected", "0").strip() == "1"}


def loads(text: str) -> Election:
    """Parse a .pb file's text."""
    election = Election()
    section = None
    header: list[str] = []
    for row in csv.reader(io.StringIO(text), delimiter=";"):
        if not row:
            continue
        if len(row) == 1 and row[0].strip().upper() in ("META", "PROJECTS", "VOTES"):
            section, header = row[0].strip().upper(), []
            continue
        if not header:
            header = [h.strip() for h in row]
            if section == "PROJECTS":
                election.project_columns = header
            elif section == "VOTES":
                election.vote_columns = header
            continue
        record = dict(zip(header, (c.strip() for c in row), strict=False))
        if section == "META":
            election.meta[record["key"]] = record.get("value", "")
        elif section == "PROJECTS":
            election.projects[record["project_id"]] = record
        elif section == "VOTES":
            election.votes.append(record)
    return election


def load(path: str) -> Election:
    with open(path, encoding="utf-8-sig") as fh:
        return loads(fh.read())


def dumps(election: Election) -> str:
    """Write an election back; ``loads(dumps(e))`` gives the same election."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\n")
    writer.writerow(["META"])
    writer.writerow(["key", "value"])
    for key, value in election.meta.items():
        writer.writerow([key, value])
    writer.writerow(["PROJECTS"])
    writer.writerow(election.project_columns)
    for project in election.projects.values():
        writer.writerow([project.get(c, "") for c in election.project_columns])
    writer.writerow(["VOTES"])
    writer.writerow(election.vote_columns)
    for vote in election.votes:
        writer.writerow([vote.get(c, "") for c in election.vote_columns])
    return out.getvalue()
