"""The civic core: people, roles, the area tree, rolls, ballots and the governance plan."""
