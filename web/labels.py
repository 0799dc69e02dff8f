"""Display names of enumerations (English msgids; translated where shown)."""

from __future__ import annotations

from participation.errors import N_

ROLE_LABELS = {
    "resident": N_("Resident"),
    "household_rep": N_("Household representative"),
    "deputy": N_("People's congress deputy"),
    "representative": N_("Deliberation representative"),
    "volunteer": N_("Volunteer"),
    "team_leader": N_("Team leader"),
    "org_member": N_("Organization member"),
    "staff": N_("Department staff"),
    "community_worker": N_("Community worker"),
    "admin": N_("Administrator"),
}

AREA_KIND_LABELS = {
    "city": N_("City"),
    "district": N_("District"),
    "street": N_("Street / town"),
    "community": N_("Community / village"),
    "grid": N_("Grid"),
}
