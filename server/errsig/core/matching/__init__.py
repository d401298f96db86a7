"""Matching: regex compilation per trust level, literal extraction and the multi-pattern engine."""
