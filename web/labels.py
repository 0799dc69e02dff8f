"""Display names of enumerations (English msgids; translated where shown)."""

from __future__ import annotations

ROLE_LABELS = {
    "resident": "Resident",
    "household_rep": "Household representative",
    "deputy": "People's congress deputy",
    "representative": "Deliberation representative",
    "volunteer": "Volunteer",
    "team_leader": "Team leader",
    "org_member": "Organization member",
    "staff": "Department staff",
    "community_worker": "Community worker",
    "admin": "Administrator",
}

AREA_KIND_LABELS = {
    "city": "City",
    "district": "District",
    "street": "Street / town",
    "community": "Community / village",
    "grid": "Grid",
}
