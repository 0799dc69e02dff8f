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
    "grid_worker": N_("Grid worker"),
    "unit_staff": N_("Handling unit staff"),
}

AREA_KIND_LABELS = {
    "city": N_("City"),
    "district": N_("District"),
    "street": N_("Street / town"),
    "community": N_("Community / village"),
    "grid": N_("Grid"),
}

ROLL_LABELS = {
    "residents": N_("Verified residents, one vote each"),
    "households": N_("One vote per household"),
    "deputies": N_("The deputies of a congress session"),
    "representatives": N_("The deliberation representatives"),
}

FORM_LABELS = {
    "yes_no": N_("Yes / no / abstain on each item"),
    "choose": N_("Choose up to N of M"),
    "budget": N_("Projects within a budget"),
    "ranked": N_("Ranked"),
    "cumulative": N_("Cumulative points"),
    "satisfaction": N_("Satisfaction grades"),
}

RULE_LABELS = {
    "threshold": N_("Majority threshold, then the top N"),
    "approval": N_("Most votes (top N)"),
    "greedy": N_("Greedy by votes"),
    "greedy-no-skip": N_("Greedy by votes, stop at the first that does not fit"),
    "greedy-threshold": N_("Greedy among projects above a support threshold"),
    "mes": N_("Method of Equal Shares"),
    "mes-add1": N_("Method of Equal Shares, add-one completion"),
    "mes-add1-greedy": N_("Method of Equal Shares, add-one then greedy completion"),
    "borda": N_("Borda count"),
    "irv": N_("Instant runoff"),
    "points": N_("Most points"),
    "satisfaction": N_("Satisfaction rating"),
}

JOB_STATUS = {
    "pending": N_("Waiting to start"),
    "validating": N_("Checking the rows"),
    "writing": N_("Writing the roll"),
    "done": N_("Imported"),
    "failed": N_("Not imported"),
}
