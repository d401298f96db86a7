"""The commands in a workaround's ``how`` text (prose and comments left out)."""

from __future__ import annotations

import re

_COMMAND_WORDS = [
    "sudo",
    "doas",
    "python",
    "python3",
    "python2",
    "py",
    "pip",
    "pip3",
    "pipx",
    "pipenv",
    "poetry",
    "uv",
    "uvx",
    "conda",
    "mamba",
    "micromamba",
    "pixi",
    "apt",
    "apt-get",
    "apk",
    "yum",
    "dnf",
    "zypper",
    "pacman",
    "brew",
    "port",
    "choco",
    "scoop",
    "winget",
    "vcpkg",
    "nix",
    "git",
    "ssh",
    "curl",
    "wget",
    "export",
    "set",
    "setx",
    "unset",
    "source",
    ".",
    "cd",
    "rm",
    "del",
    "rmdir",
    "mkdir",
    "mklink",
    "echo",
    "printf",
    "tee",
    "sed",
    "pyenv",
    "virtualenv",
    "rustup",
    "cargo",
    "maturin",
    "cmake",
    "make",
    "ninja",
    "meson",
    "gcc",
    "cc",
    "clang",
    "xcode-select",
    "softwareupdate",
    "npm",
    "npx",
    "docker",
    "podman",
    "systemctl",
    "update-ca-certificates",
    "certutil",
    "openssl",
    "security",
    "keyring",
    "nvidia-smi",
    "nvcc",
    "reg",
    "New-ItemProperty",
    "Set-ItemProperty",
    "Set-ExecutionPolicy",
    "$env:",
    "ulimit",
    "df",
    "du",
    "ls",
]


# A sentence rather than a command: a capitalised word, then lower-case words.
_PROSE = re.compile(r"[A-Z][a-z]+ [a-z]")


def commands_of(how: str) -> list[str]:
    """The command lines of a workaround's ``how``, every one, in order.

    ``how`` holds one command per line (the record guide's rule), so every line counts
    except blank lines, comments and prose: a line that reads like a sentence is prose,
    unless it ends in ``cmd`` after a colon, which gives ``cmd``. A ``$ `` prompt is
    dropped. Lines that start with an environment assignment (``TMPDIR=… pip install``),
    a path (``.venv/bin/python``) or a program errsig does not know (``chmod``, ``aws``,
    ``pip-compile``) are commands too.
    """
    out = []
    for line in how.splitlines():
        s = line.strip()
        if s.startswith(("$ ", "> ", "PS> ")):
            s = s.split(" ", 1)[1].strip()
        if not s or s.startswith(("#", "//", "REM ")):
            continue
        first = s.split(None, 1)[0]
        if first in _COMMAND_WORDS or not _PROSE.match(s):
            out.append(s)
            continue
        m = re.search(r":\s+((?:python3?|py|pip3?|conda|uv|poetry) .+)$", s)
        if m:
            out.append(m.group(1))
    return out
