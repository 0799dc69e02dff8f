"""Social organizations (社会组织): registered, verified by staff, with members.

Consultations, evaluations and volunteer teams all work with organizations."""
