# Placeholder until the requests-rules branch lands (its module replaces this one).
from difflib import SequenceMatcher


def similar_requests(text, candidates):
    found = [(i, SequenceMatcher(None, text, t).ratio() * 100) for i, t in candidates]
    return sorted([(i, s) for i, s in found if s >= 50], key=lambda p: -p[1])
