"""Pure domain rules: plain values in, results with reasons out. No SQLAlchemy here."""
