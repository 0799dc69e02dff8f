"""Ballot boxes: eligibility, secret casting with receipts, paper ballots, bulletins."""
