"""Project ballots: community budgets and congress ballots on livelihood projects."""
