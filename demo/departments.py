"""Demo departments (责任单位): one record per department, with its full name, the short
name boards show, its area and its reminder mailbox. Every demo process assigns
departments by these full names."""

from __future__ import annotations

from sqlalchemy.orm import Session

from participation import departments
from participation.areas import Area
from participation.departments import DepartmentFields

# full name, short name, area, mailbox
DEPARTMENTS = [
    ("海澄市住房和城乡建设局", "市住建局", "海澄市", "zjj@haicheng.example.cn"),
    ("海澄市教育局", "市教育局", "海澄市", "jyj@haicheng.example.cn"),
    ("海澄市水务局", "市水务局", "海澄市", "swj@haicheng.example.cn"),
    ("海澄市交通运输局", "市交通局", "海澄市", "jtj@haicheng.example.cn"),
    ("海澄市政务服务数据管理局", "市政数局", "海澄市", "zsj@haicheng.example.cn"),
    ("海澄市体育局", "市体育局", "海澄市", ""),
    ("海澄市民政局", "市民政局", "海澄市", "mzj@haicheng.example.cn"),
    ("海澄市民政局养老服务科", "市民政局养老科", "海澄市", ""),
    ("海澄市居家养老服务指导中心", "市居家养老中心", "海澄市", ""),
    ("东湖区住房和城乡建设局", "区住建局", "东湖区", "zjj@donghu.example.cn"),
    ("东湖区民政局", "区民政局", "东湖区", ""),
    ("东湖区公安分局交通警察大队", "区交警大队", "东湖区", ""),
    ("东湖区城市管理和综合执法局", "区城管局", "东湖区", ""),
    ("东湖区园林绿化局", "区园林局", "东湖区", ""),
    ("东湖区卫生健康局", "区卫健局", "东湖区", ""),
    ("东湖区市场监督管理局", "区市场监管局", "东湖区", ""),
    ("东湖区发展和改革局", "区发改局", "东湖区", ""),
    ("东湖区水务局", "区水务局", "东湖区", ""),
    ("东湖区文化体育和旅游局", "区文体局", "东湖区", ""),
    ("临江街道办事处", "临江街道办", "临江街道", ""),
    ("临江街道市场监督管理所", "市场监管所", "临江街道", "scjg@haicheng.example.cn"),
    ("翠竹街道城市建设办公室", "翠竹街道城建办", "翠竹街道", ""),
    ("望江社区居民委员会", "望江社区居委会", "望江社区", "wangjiang@haicheng.example.cn"),
    ("春晖社区居民委员会", "春晖社区居委会", "春晖社区", ""),
]


def seed_departments(session: Session, by_name: dict[str, Area]) -> None:
    for name, short, area, email in DEPARTMENTS:
        departments.create(
            session,
            DepartmentFields(name, short, by_name[area].id, email),
            actor_id=None,
        )
