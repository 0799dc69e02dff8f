"""Staff decisions on organizations: only an explicit verify or reject decides."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from participation.audit import AuditEntry
from participation.organizations.models import Organization
from participation.organizations.registry import register_organization
from tests.conftest import PASSWORD


def _pending(engine, world) -> int:  # type: ignore[no-untyped-def]
    with Session(engine) as s, s.begin():
        org = register_organization(
            s,
            name="望海社会工作服务中心",
            credit_code="52440101MJ0000777K",
            area_id=world["community"].id,
            description="",
            account_id=world["people"]["nobody"].id,
        )
        return org.id


def test_a_decision_without_verify_or_reject_changes_nothing(client, world, engine) -> None:  # type: ignore[no-untyped-def]
    org_id = _pending(engine, world)
    client.sign_in("staff", PASSWORD)
    for decision in ({}, {"decision": ""}, {"decision": "approve"}):
        refused = client.submit(
            f"/admin/organizations/{org_id}/decide", decision, page="/admin/organizations"
        )
        assert refused.status_code == 422
        assert "望海社会工作服务中心" in refused.text  # the list again, with the message
    with Session(engine) as s:
        org = s.get(Organization, org_id)
        assert org is not None and org.status == "pending"
        decided = select(func.count()).where(AuditEntry.action.like("org.%"))
        assert s.scalar(decided.select_from(AuditEntry)) == 1
    decided = client.submit(
        f"/admin/organizations/{org_id}/decide", {"decision": "reject"}, page="/admin/organizations"
    )
    assert decided.status_code == 303
    with Session(engine) as s:
        org = s.get(Organization, org_id)
        assert org is not None and org.status == "rejected"
        # One decision, one audit row (the service's): registered, then rejected.
        actions = list(s.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))
        assert actions[-2:] == ["org.registered", "org.rejected"]
