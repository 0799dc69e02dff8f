"""Counting rules for ballots and participatory budgets: pure, exact, explained."""
