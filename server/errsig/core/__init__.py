"""The protocol-free core: records, matching, scanners, fixes and explanations.

Nothing under ``errsig.core`` may import pygls or lsprotocol (tests enforce it).
"""
