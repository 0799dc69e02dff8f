"""Volunteer teams, shifts, attendance, the hours ledger and certificates."""
