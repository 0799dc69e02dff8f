"""Pure rules of evaluations: weights, answer scores, indices with intervals, sampling,
quotas, weighting, integrity flags and small-group suppression. No SQLAlchemy here."""
