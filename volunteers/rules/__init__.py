"""Pure volunteer rules: plain values and ``now`` in, decisions with reasons out."""
