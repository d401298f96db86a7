"""A watched log that is rewritten (``cmd > build.log`` run again) is scanned anew, even
when its first bytes and its growth look like an append."""

from __future__ import annotations

from pathlib import Path

from errsig.core.loading import Toolkit
from errsig.core.scan.files import scan_growing

HEAD = "Collecting requests\n" + "x" * 300 + "\n"
NO_SPACE = "ERROR: Could not install packages due to an OSError: [Errno 28] No space left on device\n"
RESET = (
    "ERROR: Could not install packages due to an OSError: ('Connection aborted.', "
    "ConnectionResetError(104, 'Connection reset by peer'))\n"
)


def test_a_rewrite_with_the_same_head_and_a_bigger_size_is_rescanned(
    tmp_path: Path, toolkit: Toolkit
) -> None:
    log = tmp_path / "build.log"
    log.write_text(HEAD + NO_SPACE, "utf-8")
    state = scan_growing(toolkit.scanner, log, None)
    assert [(f.id, f.line) for f in state.findings] == [("pip/no-space-left-on-device", 2)]
    log.write_text(HEAD + "ok\nmore output here\n" + RESET, "utf-8")  # same head, bigger
    state = scan_growing(toolkit.scanner, log, state)
    assert [(f.id, f.line) for f in state.findings] == [("pip/network-connection-reset-by-peer", 4)]


def test_a_real_append_is_still_an_append(tmp_path: Path, toolkit: Toolkit) -> None:
    log = tmp_path / "build.log"
    log.write_text(HEAD + NO_SPACE, "utf-8")
    state = scan_growing(toolkit.scanner, log, None)
    with open(log, "a", encoding="utf-8") as f:
        f.write(RESET)
    state = scan_growing(toolkit.scanner, log, state)
    assert [(f.id, f.line) for f in state.findings] == [
        ("pip/no-space-left-on-device", 2),
        ("pip/network-connection-reset-by-peer", 3),
    ]
