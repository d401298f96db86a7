"""A cloned repository cannot freeze errsig: the requirements and pip.conf checks, the
pip.conf merge and credential masking take time linear in a hostile line (measured as the
growth from a 10 KB to a 40 KB line, best of three, never as a wall-clock limit)."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable

import pytest

from errsig.core.fixes.model import ConfSetting
from errsig.core.fixes.pipconf import PipConfError, merge_settings
from errsig.core.pip.credentials import mask_credentials
from errsig.core.scan.pipconf import check_pipconf
from errsig.core.scan.requirements import check_requirements, requirement_names

UNITS = [" ", "# ", "#x", "a", "--index-url=", "a.", " :", "#&", "=", "\\", "-e ", "[", "http://"]


def _merge(text: str) -> None:
    with contextlib.suppress(PipConfError):
        merge_settings("[global]\n" + text + "\n", [ConfSetting("global", "timeout", "60")])


CHECKS: dict[str, Callable[[str], object]] = {
    "requirements": check_requirements,
    "requirement names": requirement_names,
    "pip.conf": lambda s: check_pipconf("[global]\n" + s + "\n"),
    "pip.conf merge": _merge,
    "masking": mask_credentials,
}


def _best(f: Callable[[str], object], text: str) -> float:
    best = float("inf")
    for _ in range(5):  # best of 5: a shared machine's stalls hit single runs
        start = time.perf_counter()
        f(text)
        best = min(best, time.perf_counter() - start)
    return best


@pytest.mark.parametrize("name", sorted(CHECKS))
def test_linear_in_a_hostile_line(name: str) -> None:
    f = CHECKS[name]
    for unit in UNITS:
        small, big = unit * (10_000 // len(unit)), unit * (40_000 // len(unit))
        t_small, t_big = _best(f, small), _best(f, big)
        # Linear: about 4x. Quadratic: 16x. Slack for a noisy shared machine.
        assert t_big < 9 * t_small + 0.02, (name, repr(unit), t_small, t_big)
