"""What is known of a workaround or a dead end, in words a user can check.

errsig shows no rate it did not measure. A step of an errsig record is either backed by
public reports (issue or pull-request threads, Q&A answers, forum posts: people saying it
worked, or for a dead end that it did not help), by release notes, or only documented, or
"suggested, not yet confirmed". A foreign pack's own number is shown as that pack's
estimate, labelled, never as a measurement.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import attrs

# Where people report what happened: threads and answers, not manuals.
_REPORT = re.compile(
    r"https?://(?:"
    r"github\.com/[^/]+/[^/]+/(?:issues|pull|discussions)/\d+"
    r"|gitlab\.com/.+/-/(?:issues|merge_requests)/\d+"
    r"|(?:[a-z]+\.)?stackoverflow\.com/(?:questions|a)/\d+"
    r"|(?:superuser|serverfault|askubuntu)\.com/(?:questions|a)/\d+"
    r"|[a-z.]*stackexchange\.com/(?:questions|a)/\d+"
    r"|discuss\.[a-z.]+/t/"
    r"|bugs\.[a-z.]+/"
    r"|bugs\.python\.org/issue\d+"
    r")"
)
_RELEASE_NOTES = re.compile(r"changelog|release[-_ ]?notes|/news|NEWS\.|/releases/|whatsnew", re.I)

UNCONFIRMED = "suggested, not yet confirmed by a public report"
UNCONFIRMED_DEAD_END = "not yet confirmed by a public report"

TIERS = {
    "verified": "checked against the tool's source and confirmed by measured outcomes",
    "curated": "checked against the tool's source or changelog by the errsig team",
    "community": (
        "written by errsig contributors and tested on sample logs; "
        "a step without a cited report is a suggestion"
    ),
    "ai_generated": "generated, not checked by a person",
}


def is_report(url: str) -> bool:
    return _REPORT.match(url) is not None


def is_release_note(url: str) -> bool:
    return not is_report(url) and _RELEASE_NOTES.search(url) is not None


@attrs.define(frozen=True)
class Evidence:
    urls: tuple[str, ...] = ()
    reports: int = 0  # public threads among urls
    release_notes: int = 0
    worked: bool = True  # a workaround's evidence (it worked) or a dead end's (it did not help)
    estimate: float | None = None  # a foreign pack's own, generated number

    @property
    def summary(self) -> str:
        if self.estimate is not None:
            return f"deadends.dev estimate, generated and not measured: {round(self.estimate * 100)}%"
        parts = []
        if self.reports:
            verb = "reported to work" if self.worked else "reported not to help"
            parts.append(f"{verb} in {self.reports} public thread{'s' if self.reports != 1 else ''}")
        if self.release_notes:
            parts.append(
                f"stated in {self.release_notes} release note{'s' if self.release_notes != 1 else ''}"
            )
        docs = len(self.urls) - self.reports - self.release_notes
        if docs and not parts:
            parts.append("documented, no public report cited")
        if parts:
            return "; ".join(parts)
        return UNCONFIRMED if self.worked else UNCONFIRMED_DEAD_END


def evidence_of(sources: Sequence[str], rate: float | None, *, foreign: bool, worked: bool) -> Evidence:
    urls = tuple(
        dict.fromkeys(s for s in sources if isinstance(s, str) and s.startswith(("https://", "http://")))
    )
    return Evidence(
        urls=urls,
        reports=sum(1 for u in urls if is_report(u)),
        release_notes=sum(1 for u in urls if is_release_note(u)),
        worked=worked,
        estimate=rate if foreign and rate is not None else None,
    )


def tier_words(tier: str, *, foreign: bool) -> str:
    words = TIERS.get(tier, f"'{tier}'")
    return f"deadends.dev record, tier {tier}: {words}" if foreign else words
