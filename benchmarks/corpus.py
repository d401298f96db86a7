"""Deterministic, realistic pip/build log text for the benchmarks.

The mix follows what CI logs of Python projects look like: pip resolving and downloading,
progress bars redrawn with ``\\r``, long compiler command lines, pytest output, GitHub
Actions timestamps on some jobs, colour on some lines — and now and then a real error
(one per ~2,000 lines), so the scanner has both clean text and hits to work through.
"""

from __future__ import annotations

import random

_PACKAGES = [
    "requests",
    "numpy",
    "pandas",
    "scipy",
    "torch",
    "lxml",
    "psycopg2",
    "cryptography",
    "pillow",
    "grpcio",
    "pyyaml",
    "urllib3",
    "charset-normalizer",
    "idna",
    "certifi",
    "mysqlclient",
]
_ERRORS = [
    "ERROR: Could not install packages due to a ConnectionError: [Errno 104] Connection reset by peer",
    "  WARNING: Retrying (Retry(total=4, connect=None, read=None, redirect=None, status=None)) after connection broken by 'ProtocolError('Connection aborted.', ConnectionResetError(104, 'Connection reset by peer'))': /simple/{pkg}/",
    "ERROR: No matching distribution found for {pkg}==0.0.1",
    "      src/{pkg}.c:4:10: fatal error: Python.h: No such file or directory",
    "  error: subprocess-exited-with-error",
    "ERROR: Failed building wheel for {pkg}",
    "pip._vendor.urllib3.exceptions.ReadTimeoutError: HTTPSConnectionPool(host='files.pythonhosted.org', port=443): Read timed out.",
]


def _pick(rng: random.Random) -> tuple[str, str, float]:
    """A package, a version and the kind of line (in this order: the logs stay the same)."""
    pkg = rng.choice(_PACKAGES)
    ver = f"{rng.randint(0, 3)}.{rng.randint(0, 30)}.{rng.randint(0, 9)}"
    return pkg, ver, rng.random()


def _line(rng: random.Random, i: int) -> str:
    pkg, ver, kind = _pick(rng)
    if kind < 0.18:
        return f"Collecting {pkg}=={ver} (from -r requirements.txt (line {rng.randint(1, 40)}))"
    if kind < 0.32:
        return f"  Downloading {pkg}-{ver}-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl ({rng.randint(1, 900)}.{rng.randint(0, 9)} MB)"
    if kind < 0.40:
        return "".join(
            f"\r     {'━' * k}{'╺' * (40 - k)} {k / 4:.1f}/10.0 MB {rng.randint(1, 90)}.0 MB/s eta 0:00:0{k % 10}"
            for k in range(0, 41, 20)
        )
    if kind < 0.55:
        return f"Requirement already satisfied: {pkg}>={ver} in ./.venv/lib/python3.11/site-packages (from -r requirements.txt (line {rng.randint(1, 40)})) ({ver})"
    if kind < 0.70:
        return (
            f"      gcc -pthread -Wsign-compare -DNDEBUG -g -fwrapv -O2 -Wall -fPIC -I/usr/include/python3.11 "
            f"-Isrc -c src/{pkg}/module_{i % 97}.c -o build/temp.linux-x86_64-cpython-311/src/{pkg}/module_{i % 97}.o -std=c++17 -Werror=implicit"
        )
    if kind < 0.80:
        return f"tests/test_{pkg}.py::test_case_{i % 1000} PASSED{' ' * rng.randint(1, 20)}[{rng.randint(0, 100):3d}%]"
    if kind < 0.86:
        return f"2024-05-01T12:{i % 60:02d}:{rng.randint(0, 59):02d}.{rng.randint(0, 9999999):07d}Z   Building wheel for {pkg} (pyproject.toml): finished with status 'done'"
    if kind < 0.90:
        return f"\x1b[32mSuccessfully installed {pkg}-{ver} idna-3.7 certifi-2024.2.2\x1b[0m"
    if kind < 0.95:
        return f"#12 {rng.randint(0, 300)}.{rng.randint(100, 999)} Get:{i % 50} http://deb.debian.org/debian bookworm/main amd64 lib{pkg}-dev amd64 {ver}-1 [{rng.randint(10, 999)} kB]"
    return (
        f"  Stored in directory: /root/.cache/pip/wheels/{rng.getrandbits(32):08x}/{rng.getrandbits(64):016x}"
    )


# What pip (rich) and gcc print on a terminal: SGR colours on every piece, progress bars
# redrawn with ``\r`` and an erase-line escape many times per download.
_SGR = "\x1b[{}m"
_BAR_COLOURS = ("38;5;197", "38;5;237", "32", "31", "36", "91", "90")


def _colour_bar(rng: random.Random, size: float) -> str:
    redraws = rng.randint(3, 12)
    out = []
    for r in range(redraws + 1):
        k = 40 * r // redraws
        done = size * r / redraws
        out.append(
            f"\r\x1b[2K   {_SGR.format('38;5;197')}{'━' * k}{_SGR.format(0)}{_SGR.format('38;5;237')}{'╺' * (40 - k)}"
            f"{_SGR.format(0)} {_SGR.format(32)}{done:.1f}/{size:.1f} MB{_SGR.format(0)} "
            f"{_SGR.format(31)}{rng.randint(1, 90)}.{rng.randint(0, 9)} MB/s{_SGR.format(0)} eta "
            f"{_SGR.format(36)}0:00:{rng.randint(0, 59):02d}{_SGR.format(0)}"
        )
    return "".join(out)


def _colour_line(rng: random.Random, i: int) -> str:
    pkg, ver, kind = _pick(rng)
    if kind < 0.15:
        return f"Collecting {pkg}=={ver}"
    if kind < 0.55:
        size = rng.randint(1, 900) / 10
        return (
            f"  Downloading {pkg}-{ver}-cp311-cp311-manylinux_2_17_x86_64.whl ({size:.1f} MB)\n"
            + _colour_bar(rng, size)
        )
    if kind < 0.75:
        col = rng.randint(1, 80)
        return (
            f"\x1b[01m\x1b[Ksrc/{pkg}/module_{i % 97}.c:{rng.randint(1, 4000)}:{col}:\x1b[m\x1b[K "
            f"\x1b[01;35m\x1b[Kwarning: \x1b[m\x1b[Kunused variable '\x1b[01m\x1b[Ktmp{i % 13}\x1b[m\x1b[K' "
            f"[\x1b[01;35m\x1b[K-Wunused-variable\x1b[m\x1b[K]\n"
            f"  {rng.randint(1, 4000)} |     int \x1b[01;35m\x1b[Ktmp{i % 13}\x1b[m\x1b[K = 0;\n"
            f"      |         \x1b[01;35m\x1b[K^~~~\x1b[m\x1b[K"
        )
    if kind < 0.85:
        return f"tests/test_{pkg}.py::test_case_{i % 1000} \x1b[32mPASSED\x1b[0m{' ' * rng.randint(1, 20)}\x1b[32m[{rng.randint(0, 100):3d}%]\x1b[0m"
    if kind < 0.92:
        return f"\x1b[32mSuccessfully installed {pkg}-{ver} idna-3.7 certifi-2024.2.2\x1b[0m"
    return f"Requirement already satisfied: {pkg}>={ver} in ./.venv/lib/python3.11/site-packages ({ver})"


def generate(size_bytes: int, seed: int = 42, error_every: int = 2000, *, colour: bool = False) -> bytes:
    """About ``size_bytes`` of log text (always the same for the same arguments).
    ``colour``: the colour-dense variant, as pip and gcc write to a terminal."""
    rng = random.Random(seed)
    make = _colour_line if colour else _line
    out: list[str] = []
    total = 0
    i = 0
    while total < size_bytes:
        if i % error_every == error_every - 1:
            line = rng.choice(_ERRORS).format(pkg=rng.choice(_PACKAGES))
            if colour:
                line = f"\x1b[31m{line}\x1b[0m"
        else:
            line = make(rng, i)
        out.append(line)
        total += len(line.encode()) + 1
        i += 1
    return ("\n".join(out) + "\n").encode()
