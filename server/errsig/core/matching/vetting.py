"""Vetting foreign packs against the clean-log corpus.

Foreign records are noisy: many fire on ordinary build output. Before a user pack is
used, each of its signatures is run over the corpus of successful logs shipped with
errsig; those that fire there are disabled and reported. The verdict is cached on disk,
keyed by the pack's content hash, the corpus hash and the errsig version.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from pathlib import Path

import attrs

from errsig import __version__, package_root
from errsig.core.kb.catalogue import Catalogue
from errsig.core.kb.load import PackContents
from errsig.core.matching.cache import cache_dir


@attrs.define
class Verdict:
    noisy: dict[str, str]  # record id -> "corpus-file:line: matched text"
    checked: int
    cached: bool = False


def clean_corpus_dir() -> Path:
    return package_root() / "corpus" / "clean"


def _corpus_files() -> list[Path]:
    root = clean_corpus_dir()
    return sorted(root.glob("*.log")) if root.is_dir() else []


def corpus_digest() -> str:
    h = hashlib.sha256()
    for path in _corpus_files():
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
    key = hashlib.sha256(f"{pack.digest}:{corpus_digest()}:{__version__}".encode()).hexdigest()[:32]
    cache_file = cache_dir() / f"vetting-{key}.json"
    if use_cache and cache_file.is_file():
        try:
            data = json.loads(cache_file.read_text("utf-8"))
            return Verdict(dict(data["noisy"]), int(data["checked"]), cached=True)
        except (OSError, ValueError, KeyError, TypeError):
            pass
    catalogue = Catalogue.from_packs([pack])
    scan = scan_factory(catalogue)
    noisy: dict[str, str] = {}
    for path in _corpus_files():
        for rid, line, text in scan(path.read_bytes()):
            noisy.setdefault(rid, f"{path.name}:{line + 1}: {text[:80]}")
    verdict = Verdict(noisy, len(catalogue))
    if use_cache:
        try:
            cache_file.parent.mkdir(parents=True, exist_ok=True)
            tmp = cache_file.with_suffix(".tmp")
            tmp.write_text(json.dumps({"noisy": noisy, "checked": verdict.checked}), "utf-8")
            tmp.replace(cache_file)
        except OSError:
            pass
    return verdict
