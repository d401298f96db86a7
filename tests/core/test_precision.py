"""A record fires on its own tool's error and nothing else."""

from __future__ import annotations

from errsig.core.loading import Toolkit

DART_PUB = """\
Resolving dependencies...
Because every version of flutter_test from sdk depends on collection 1.17.0 and my_app depends on \
collection ^1.18.0, flutter_test from sdk is forbidden.
So, because my_app depends on flutter_test from sdk, version solving failed.
pub get failed (1; So, because my_app depends on flutter_test from sdk, version solving failed.)
"""


def test_poetry_solver_record_does_not_claim_dart_pub_output(toolkit: Toolkit) -> None:
    assert [f.id for f in toolkit.scanner.scan_text(DART_PUB)] == []
