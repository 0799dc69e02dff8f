"""Pure rules of search: segmentation, terms and highlighting (no SQLAlchemy)."""
