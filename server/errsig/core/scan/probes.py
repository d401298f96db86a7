"""Configure probes print compiler errors on purpose (numpy's _configtest.c, autoconf's
conftest.c, CMake's try_compile): such a line is not the build failing. Used by the
unknown-error finder and for records of compiler diagnostics (tag ``compiler-diagnostic``)."""

from __future__ import annotations

import re

import re2

from errsig.core.scan.clean import strip_escapes, strip_escapes_bytes

_PROBE = re.compile(
    r"_configtest|conftest\.c|CMakeTmp|CMakeScratch|try_compile|TryCompile-|cmTC_|cmTryCompileExec"
    r"|Check(?:Symbol|Function|Include(?:File)?|Type|CSource)Exists?\.c"
)
_PROBE_CONTEXT = re2.compile(rb"CMakeTmp|CMakeScratch|cmTC_|cmTryCompileExec|_configtest")
PROBE_TAG = "compiler-diagnostic"  # records whose matches on probe lines are dropped
PROBE_BACK = 1000  # bytes: a compiler or linker error this close below a probe's lines is the probe's


def is_probe(raw_line: str, data: bytes, start: int) -> bool:
    """Whether the line at byte ``start`` of ``data`` (text ``raw_line``) belongs to a probe.
    Colour escapes inside a name (``_config\x1b[1mtest``) do not hide it."""
    if _PROBE.search(raw_line):
        return True
    before = data[max(0, start - PROBE_BACK) : start]
    if _PROBE_CONTEXT.search(before):
        return True
    if b"\x1b" not in before and "\x1b" not in raw_line:
        return False
    return bool(_PROBE.search(strip_escapes(raw_line)) or _PROBE_CONTEXT.search(strip_escapes_bytes(before)))
