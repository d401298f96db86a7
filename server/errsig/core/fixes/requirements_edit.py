"""Edits to a requirements file: option lines, package swaps, version pins.

Lines are read with :mod:`errsig.core.scan.requirements` (pip's joining of ``\\``
continuations, comment stripping, argument/option split) and requirements with
``packaging``; edits touch only the characters that change, so extras, markers, per-line
``--hash`` options and trailing comments stay as they are.
"""

from __future__ import annotations

import shlex

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.utils import canonicalize_name

from errsig.core.fixes.model import TextEdit, dominant_newline
from errsig.core.pip.options import PipOption, find_option
from errsig.core.scan.requirements import (
    ReqLine,
    end_position,
    logical_lines,
    parse_line_options,
    physical_lines,
    requirement_spans,
)


class RequirementsEditError(ValueError):
    """The requested edit is not possible (unknown option, option not allowed in a
    requirements file, invalid specifier)."""


def option_line(option: str, value: str | None = None) -> str:
    """The text of an option line (``--only-binary :all:``), value quoted for pip's shlex."""
    return option if value is None else f"{option} {shlex.quote(value)}"


def _spec_for(option: str) -> PipOption:
    spec = find_option(option.split("=", 1)[0], "install")
    if spec is None:
        raise RequirementsEditError(f"pip has no option {option}")
    if spec.reqfile != "file" or spec.removed_in:
        raise RequirementsEditError(f"pip does not accept {spec.name} on a line of a requirements file")
    return spec


def _same(spec: PipOption, a: str | None, b: str | None) -> bool:
    if a is None or b is None:
        return a is b
    if spec.value == "url":
        return a.rstrip("/").lower() == b.rstrip("/").lower()
    if spec.name in ("--only-binary", "--no-binary"):
        return {canonicalize_name(x) if x not in (":all:", ":none:") else x for x in a.split(",")} == {
            canonicalize_name(x) if x not in (":all:", ":none:") else x for x in b.split(",")
        }
    return a == b


def add_option_line(text: str, option: str, value: str | None = None) -> list[TextEdit]:
    """Edits that make a requirements file carry ``option`` (with ``value``).

    Nothing when a line already has it with that value; a single-valued option
    (``--index-url``) has the value of its last line (the one pip uses) replaced in place; otherwise a new
    line is added at the top, after leading comments, blank lines and option lines.
    Raises :class:`RequirementsEditError` for options a requirements file does not accept."""
    spec = _spec_for(option)
    if spec.takes_value and value is None:
        raise RequirementsEditError(f"{spec.name} needs a value")
    lines = logical_lines(text)
    present = [
        (rl, o)
        for rl in lines
        if not rl.args
        for o in parse_line_options(rl)
        if o.spec is not None and o.spec.name == spec.name
    ]
    if spec.takes_value and not spec.multiple and value is not None and present:
        # pip uses the last line of a single-valued option (req_file.py): that one is edited.
        rl, o = present[-1]
        if o.value is None or _same(spec, o.value, value):
            return []
        return [_replace_value(rl, o.start, o.end, o.value, value)]
    if any(not spec.takes_value or _same(spec, o.value, value) for _, o in present):
        return []
    return [_insert_line(text, lines, option_line(spec.name if option.startswith("--") else option, value))]


def _replace_value(rl: ReqLine, start: int, end: int, old: str, new: str) -> TextEdit:
    raw = rl.text[start:end]
    at = raw.rfind(old)
    quoted = shlex.quote(new)
    if at < 0:  # the value was quoted: replace the whole option word after the name
        at = max(raw.find("="), raw.find(" "))
        at = at + 1 if at >= 0 else len(raw)
        old = raw[at:]
    s_line, s_col = rl.pos(start + at)
    e_line, e_col = end_position(rl, start + at + len(old))
    return TextEdit(s_line, s_col, e_line, e_col, quoted)


def _insert_line(text: str, lines: list[ReqLine], new_line: str) -> TextEdit:
    """Insert after the last option line that precedes the first requirement, or else after
    the comment lines that open the file."""
    nl = dominant_newline(text)
    phys = physical_lines(text)
    after: int | None = None
    for rl in lines:
        if rl.args or _is_include(rl):
            break
        if rl.options:
            after = rl.last_line + 1
    if after is None:
        after = 0
        for rl in lines:
            if rl.is_blank and rl.text.strip().startswith("#"):
                after = rl.last_line + 1
                continue
            break
    if after < len(phys):
        return TextEdit.insert(after, 0, new_line + nl)
    if not phys:
        return TextEdit.insert(0, 0, new_line + nl)
    if text.endswith(("\n", "\r")):
        return TextEdit.insert(len(phys), 0, new_line + nl)
    return TextEdit.insert(len(phys) - 1, len(phys[-1]), nl + new_line + nl)


def _is_include(rl: ReqLine) -> bool:
    return any(
        o.spec is not None and o.spec.name in ("--requirement", "--constraint", "--editable")
        for o in parse_line_options(rl)
    )


def replace_package(text: str, old: str, new: str) -> list[TextEdit]:
    """Edits that put ``new`` in place of ``old`` on each line requiring ``old`` (names
    compared canonically), keeping the version specifier, extras, markers, ``--hash``
    options and comments (``psycopg2==2.9.9`` becomes ``psycopg2-binary==2.9.9``)."""
    want = canonicalize_name(old)
    edits: list[TextEdit] = []
    for rl in logical_lines(text):
        spans = requirement_spans(rl)
        if spans is None or canonicalize_name(spans.requirement.name) != want:
            continue
        s_line, s_col = rl.pos(spans.name_start)
        e_line, e_col = end_position(rl, spans.name_end)
        edits.append(TextEdit(s_line, s_col, e_line, e_col, new))
    return edits


def set_specifier(text: str, package: str, specifier: str) -> list[TextEdit]:
    """Edits that give ``package`` the version specifier ``specifier`` (``==2.9.9``,
    ``>=1.4,<2``; ``""`` removes the constraint) on each line requiring it. Lines with a
    direct URL (``name @ url``) are left alone."""
    spec_text = specifier.strip()
    if spec_text:
        try:
            SpecifierSet(spec_text)
        except InvalidSpecifier as exc:
            raise RequirementsEditError(f"invalid version specifier {specifier!r}: {exc}") from exc
    want = canonicalize_name(package)
    edits: list[TextEdit] = []
    for rl in logical_lines(text):
        spans = requirement_spans(rl)
        if spans is None or canonicalize_name(spans.requirement.name) != want or spans.requirement.url:
            continue
        if str(spans.requirement.specifier) == str(SpecifierSet(spec_text)) and (
            spans.spec_end > spans.spec_start or not spec_text
        ):
            continue
        start, end = spans.spec_start, spans.spec_end
        if start == end:
            start = end = spans.extras_end  # no specifier yet: right after the name/extras
        elif not spec_text:
            start = spans.extras_end  # relax: also drop the blank before the old specifier
        s_line, s_col = rl.pos(start)
        e_line, e_col = end_position(rl, end) if end > start else (s_line, s_col)
        edits.append(TextEdit(s_line, s_col, e_line, e_col, spec_text))
    return edits


def pin_version(text: str, package: str, version: str) -> list[TextEdit]:
    """``package==version`` on each line requiring ``package``."""
    return set_specifier(text, package, f"=={version}")


def relax_version(text: str, package: str) -> list[TextEdit]:
    """Drop the version constraint of ``package`` (``numpy==1.21.0`` becomes ``numpy``)."""
    return set_specifier(text, package, "")


def lines_requiring(text: str, package: str) -> list[int]:
    """0-based lines whose requirement names ``package``."""
    want = canonicalize_name(package)
    out = []
    for rl in logical_lines(text):
        spans = requirement_spans(rl)
        if spans is not None and canonicalize_name(spans.requirement.name) == want:
            out.append(rl.pos(spans.name_start)[0])
    return out
