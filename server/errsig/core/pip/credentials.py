"""Credentials in URLs and proxy settings: found and masked wherever errsig shows or
writes text (titles, edits, commands, hover cards, SARIF, diagnostics)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING

import re2

if TYPE_CHECKING:  # the option table is imported by what masks a command line, not here
    from errsig.core.pip.options import PipOption

CREDENTIAL_PLACEHOLDER = "<user>:<password>"

# RE2: these run on text taken from logs, and under Python's re the scheme's run of letters
# and dots is rescanned from every dot (quadratic). A scheme URL cannot match the proxy
# pattern: its userinfo may not hold a "/".
_URL_USERINFO = re2.compile(r"(?P<scheme>\b[A-Za-z][A-Za-z0-9+.\-]*://)(?P<userinfo>[^\s/?#@'\"]+)@")
_PROXY_USERINFO = re2.compile(r"(?P<opt>--proxy(?:=|\s+)['\"]?)(?P<userinfo>[^\s/@'\"]+)@")
_ENV_REF = re.compile(
    r"^(?:\$\{[A-Za-z_][A-Za-z0-9_]*\}|\$[A-Za-z_][A-Za-z0-9_]*|\$\([A-Za-z_][A-Za-z0-9_]*\)"
    r"|%[A-Za-z_][A-Za-z0-9_]*%|\$\{\{[^}]*\}\})$"
)


def is_secret_free(userinfo: str) -> bool:
    """True when the secret part of ``user[:password]`` is empty or only a variable reference."""
    secret = userinfo.split(":", 1)[1] if ":" in userinfo else userinfo
    return secret == "" or bool(_ENV_REF.match(secret)) or userinfo == CREDENTIAL_PLACEHOLDER


def mask_credentials(text: str) -> tuple[str, bool]:
    """``text`` with the userinfo of every URL replaced by ``<user>:<password>``.

    Also covers ``--proxy user:pass@host:port`` (pip accepts a proxy without a scheme).
    Userinfo whose secret is only an environment variable reference (``${TOKEN}``) is kept.
    Returns the masked text and whether credentials (or such placeholders) were found."""
    found = False

    def sub(m: re.Match[str]) -> str:
        nonlocal found
        info = m.group("userinfo")
        if is_secret_free(info) and info != CREDENTIAL_PLACEHOLDER:
            return m.group(0)
        found = True
        prefix = m.group("scheme") if "scheme" in m.groupdict() else m.group("opt")
        return f"{prefix}{CREDENTIAL_PLACEHOLDER}@"

    masked = _URL_USERINFO.sub(sub, text)
    masked = _PROXY_USERINFO.sub(sub, masked)
    return masked, found


def mask_value(opt: PipOption | None, value: str) -> tuple[str, bool]:
    """Mask credentials in one option value (a proxy may lack a scheme)."""
    masked, found = mask_credentials(value)
    if opt is not None and opt.name == "--proxy" and "://" not in masked and "@" in masked:
        info, _, rest = masked.rpartition("@")
        if not is_secret_free(info) or info == CREDENTIAL_PLACEHOLDER:
            return f"{CREDENTIAL_PLACEHOLDER}@{rest}", True
    return masked, found


_BARE_USERINFO = re.compile(r"^(?P<userinfo>[^\s/@:'\"]+:[^\s/@'\"]*)@(?=[^\s@]+$)")


def mask_captures(captures: Mapping[str, str]) -> dict[str, str]:
    """Captures with credentials masked, also a bare ``user:password@host`` (a host capture)."""
    out = {}
    for key, value in captures.items():
        masked, _ = mask_credentials(value)
        m = _BARE_USERINFO.match(masked)
        if m and not is_secret_free(m.group("userinfo")):
            masked = CREDENTIAL_PLACEHOLDER + masked[m.end("userinfo") :]
        out[key] = masked
    return out
