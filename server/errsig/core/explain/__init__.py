"""Explanations: a record (and optionally a finding) as a person reads it."""
