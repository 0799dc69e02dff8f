"""The governance plan (年度计划 / 关键小事清单): every result becomes a plan item."""
