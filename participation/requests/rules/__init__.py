"""Pure rules of resident requests: plain values in, results out; no SQLAlchemy."""
