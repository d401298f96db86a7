"""Vetting foreign packs against the clean-log corpus.

Foreign records are noisy: many fire on ordinary build output. Before a user pack is
used, each of its signatures is run over the corpus of successful logs shipped with
errsig; those that fire there are disabled and reported. The verdict is cached on disk,
keyed by the pack's content hash, the corpus hash and the errsig version.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import attrs

from errsig import __version__, package_root
from errsig.core.kb.catalogue import Catalogue
from errsig.core.kb.jsonfile import read_json, write_json
from errsig.core.kb.load import PackContents
from errsig.core.matching.cache import cache_dir
from errsig.core.matching.literals import is_case_insensitive, required_literals, weak_alternative

MAX_VERDICT_BYTES = 64 << 20  # a verdict names each noisy record once: far below this


@attrs.define
class Verdict:
    noisy: dict[str, str]  # record id -> "corpus-file:line: matched text"
    checked: int
    cached: bool = False
    # record id -> the literal of an alternative that names no error (an exception or product
    # name alone, a bare word): deadends.dev canons only (tier ai_generated), demoted to information
    generic: dict[str, str] = attrs.field(factory=dict)


def clean_corpus_dir() -> Path:
    """Successful logs in which nothing is an error or a warning (hand-checked)."""
    return package_root() / "corpus" / "clean"


def successful_corpus_dir() -> Path:
    """Real successful output from public bug reports (each ``.log`` with its source thread in
    a ``.json`` sidecar): builds, test runs and installs that went on after warnings and retries.
    Errsig's own records may warn there, never report an error."""
    return package_root() / "corpus" / "successful"


def corpus_files() -> list[Path]:
    """The successful logs the literal frequencies are counted on and foreign packs are vetted
    against: the clean corpus and the real successful one."""
    return [
        p
        for root in (clean_corpus_dir(), successful_corpus_dir())
        if root.is_dir()
        for p in sorted(root.glob("*.log"))
    ]


def corpus_digest() -> str:
    # foreign packs only: the built-in catalogue is not vetted
    import hashlib  # noqa: PLC0415

    h = hashlib.sha256()
    for path in corpus_files():
        h.update(path.name.encode() + b"\0" + path.read_bytes())
    return h.hexdigest()


def vet_pack(
    pack: PackContents,
    scan_factory: Callable[[Catalogue], Callable[[bytes], list[tuple[str, int, str]]]],
    *,
    use_cache: bool = True,
) -> Verdict:
    """Which of ``pack``'s records fire on the clean corpus.

    ``scan_factory(catalogue)`` returns a function scanning bytes into raw
    ``(id, line, match)`` hits (the scan layer supplies it; matching does not import it).
    """
    import hashlib  # noqa: PLC0415

    key = hashlib.sha256(f"{pack.digest}:{corpus_digest()}:{__version__}".encode()).hexdigest()[:32]
    cache_file = cache_dir() / f"vetting-{key}.json"
    data = read_json(cache_file, MAX_VERDICT_BYTES) if use_cache else None
    if isinstance(data, dict):
        try:
            return Verdict(
                dict(data["noisy"]), int(data["checked"]), cached=True, generic=dict(data["generic"])
            )
        except (OSError, ValueError, KeyError, TypeError):
            pass
    catalogue = Catalogue.from_packs([pack])
    scan = scan_factory(catalogue)
    noisy: dict[str, str] = {}
    for path in corpus_files():
        for rid, line, text in scan(path.read_bytes()):
            noisy.setdefault(rid, f"{path.name}:{line + 1}: {text[:80]}")
    verdict = Verdict(noisy, len(catalogue), generic=generic_canons(catalogue))
    if use_cache:
        write_json(cache_file, {"noisy": noisy, "checked": verdict.checked, "generic": verdict.generic})
    return verdict


def generic_canons(catalogue: Catalogue) -> dict[str, str]:
    """deadends.dev canons (tier ``ai_generated``) whose pattern has an alternative with no
    distinctive literal (``literals.weak_alternative``): ``config.*error``, ``already exists``,
    ``DllNotFoundException``. They fire on other tools' output; shown as information only."""
    out: dict[str, str] = {}
    for rid, entry in catalogue.entries.items():
        record = entry.record
        if record.verification_tier != "ai_generated":
            continue
        try:
            flags = re.IGNORECASE if is_case_insensitive(record.regex) else 0
            alts = required_literals(record.regex, flags)
        except (re.error, RecursionError, ValueError, TypeError):
            alts = None
        weak = weak_alternative(alts)
        if weak is not None:
            out[rid] = weak
    return out
