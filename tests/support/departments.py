"""The department records the tests assign (departments are chosen, never typed)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from participation.departments import Department

TEST_DEPARTMENTS = (
    "住建局",
    "区住建局",
    "区民政局",
    "园林局",
    "城管局",
    "局",
    "中心",
    "便民服务中心",
    "街道便民服务中心",
    "街道办事处",
    "临江街道社会事务办",
    "临江街道城建办",
)


def add_departments(session: Session) -> None:
    session.add_all(Department(name=name) for name in TEST_DEPARTMENTS)
    session.flush()
