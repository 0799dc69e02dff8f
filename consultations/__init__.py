"""Community consultations and third-party public evaluations (built on participation)."""
