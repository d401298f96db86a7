"""Scanners: turn raw text (logs, requirements files) into findings."""
