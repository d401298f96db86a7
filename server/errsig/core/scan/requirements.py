"""Checking a requirements file the way pip reads it (``pip/_internal/req/req_file.py``).

pip joins a line ending in ``\\`` with the next one (a comment line ends the join), strips
comments (``#`` at the start or after whitespace), splits each line into *arguments* (the
words before the first word starting with ``-``) and *options* (the rest, split with
shlex and parsed with the options a requirements file allows), then reads the arguments
as a URL, a path or a PEP 508 requirement.

:func:`check_requirements` reports invalid requirement lines and options pip rejects or
ignores there (``--timeout``, ``--retries``, ``--proxy`` belong in pip.conf);
:func:`requirement_names` says which line names which package. Positions are 0-based
lines and columns in Unicode code points of the physical lines.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

import attrs
from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

from errsig.core.pip.cli import Word, parse_words
from errsig.core.pip.credentials import mask_credentials
from errsig.core.pip.options import PipOption

COMMENT_RE = re.compile(r"(^|\s+)#.*$")
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_NAME_AT_START = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?")
_EGG = re.compile(r"#(?:.*&)?egg=([A-Za-z0-9][A-Za-z0-9._-]*)")
_VCS_SCHEMES = ("git+", "hg+", "svn+", "bzr+")
_URL_SCHEMES = ("http", "https", "file", "ftp")
_ARCHIVE_EXTS = (
    ".zip",
    ".whl",
    ".tar.bz2",
    ".tbz",
    ".tar.gz",
    ".tgz",
    ".tar",
    ".tar.xz",
    ".txz",
    ".tlz",
    ".tar.lz",
    ".tar.lzma",
)

SEVERITY_ERROR = "error"
SEVERITY_WARNING = "warning"


def _masked(message: str) -> str:
    return mask_credentials(message)[0]


@attrs.define(frozen=True)
class Issue:
    """A problem at ``(line, col)`` to ``(end_line, end_col)`` (0-based, code points, end exclusive).
    Its message never shows a credential from the file (masked when the issue is made)."""

    line: int
    col: int
    end_line: int
    end_col: int
    code: str
    message: str = attrs.field(converter=_masked)
    severity: str = SEVERITY_ERROR
    fix: Replacement | None = None  # a safe edit that resolves it


@attrs.define(frozen=True)
class Replacement:
    """Replace ``(line, col)``–``(end_line, end_col)`` with ``text``; ``title`` says so."""

    title: str
    line: int
    col: int
    end_line: int
    end_col: int
    text: str


@attrs.define(frozen=True)
class Token:
    """An option word of a requirement line: unquoted ``value``, offsets in the logical line."""

    value: str
    start: int
    end: int


@attrs.define
class ReqLine:
    """One logical line of a requirements file.

    ``text`` is the joined line as pip sees it before comments are removed; ``positions[i]``
    is the physical (line, col) of ``text[i]`` (plus one entry for the end). ``args`` is the
    requirement part (``args_start`` its offset in ``text``), ``options`` the option words."""

    text: str
    positions: list[tuple[int, int]]
    first_line: int
    last_line: int
    content: str = ""
    content_start: int = 0
    args: str = ""
    args_start: int = 0
    options: list[Token] = attrs.field(factory=list)
    options_error: str | None = None

    def pos(self, offset: int) -> tuple[int, int]:
        return self.positions[max(0, min(offset, len(self.positions) - 1))]

    @property
    def is_blank(self) -> bool:
        return not self.content

    @property
    def option_names(self) -> list[str]:
        return [t.value for t in self.options if t.value.startswith("-")]


def physical_lines(text: str) -> list[str]:
    """The lines of ``text`` without their line breaks (``\\r\\n``, ``\\r`` or ``\\n``)."""
    lines = _LINE_BREAK.split(text)
    if lines and lines[-1] == "" and text:
        lines.pop()
    return lines


def logical_lines(text: str) -> list[ReqLine]:
    """Join continuations, strip comments and split arguments from options, as pip does."""
    lines = physical_lines(text)
    out: list[ReqLine] = []
    buf = ""
    pos: list[tuple[int, int]] = []
    first = -1
    for n, line in enumerate(lines):
        is_comment = bool(COMMENT_RE.match(line))
        if not line.endswith("\\") or is_comment:
            piece = line
            piece_pos = [(n, c) for c in range(len(line))]
            if is_comment:
                piece = " " + line
                piece_pos = [(n, 0), *piece_pos]
            if buf or first >= 0:
                buf += piece
                pos += piece_pos
                pos.append((n, len(line)))
                out.append(ReqLine(buf, pos, first, n))
                buf, pos, first = "", [], -1
            else:
                out.append(ReqLine(piece, [*piece_pos, (n, len(line))], n, n))
        else:
            if first < 0:
                first = n
            lead = len(line) - len(line.lstrip("\\"))
            stripped = line.strip("\\")
            buf += stripped
            pos += [(n, lead + c) for c in range(len(stripped))]
    if first >= 0:
        pos.append((len(lines) - 1, len(lines[-1]) if lines else 0))
        out.append(ReqLine(buf, pos, first, len(lines) - 1))
    for rl in out:
        _split(rl)
    return out


_COMMENT_START = re.compile(r"(?:^|\s)#")


def comment_start(text: str) -> int | None:
    """Where pip's comment (``#`` at the start or after whitespace, with that whitespace)
    begins: what ``COMMENT_RE.search`` finds, in time linear in the line."""
    m = _COMMENT_START.search(text)
    if m is None:
        return None
    start = m.start()
    while start > 0 and text[start - 1].isspace():
        start -= 1
    return start


def _split(rl: ReqLine) -> None:
    cut = comment_start(rl.text)
    body = rl.text[:cut] if cut is not None else rl.text
    stripped = body.strip()
    rl.content = stripped
    rl.content_start = len(body) - len(body.lstrip()) if stripped else 0
    if not stripped:
        return
    # pip: break_args_options splits on single spaces
    tokens = stripped.split(" ")
    args: list[str] = []
    for tok in tokens:
        if tok.startswith("-"):
            break
        args.append(tok)
    args_text = " ".join(args)
    rl.args = args_text.strip()
    rl.args_start = rl.content_start + (len(args_text) - len(args_text.lstrip()))
    opt_start = rl.content_start + len(args_text) + (1 if args else 0)
    try:
        rl.options = shlex_tokens(rl.text[: rl.content_start + len(stripped)], opt_start)
    except ValueError as exc:
        rl.options_error = str(exc)


def shlex_tokens(text: str, start: int = 0) -> list[Token]:
    """POSIX-shell words of ``text[start:]`` with their offsets (quotes removed)."""
    out: list[Token] = []
    i = start
    n = len(text)
    while i < n:
        while i < n and text[i].isspace():
            i += 1
        if i >= n:
            break
        begin = i
        value: list[str] = []
        while i < n and not text[i].isspace():
            ch = text[i]
            if ch == "'":
                close = text.find("'", i + 1)
                if close < 0:
                    raise ValueError("No closing quotation")
                value.append(text[i + 1 : close])
                i = close + 1
            elif ch == '"':
                i += 1
                while i < n and text[i] != '"':
                    if text[i] == "\\" and i + 1 < n and text[i + 1] in '"\\$`':
                        i += 1
                    value.append(text[i])
                    i += 1
                if i >= n:
                    raise ValueError("No closing quotation")
                i += 1
            elif ch == "\\" and i + 1 < n:
                value.append(text[i + 1])
                i += 2
            else:
                value.append(ch)
                i += 1
        out.append(Token("".join(value), begin, i))
    return out


# ---------------------------------------------------------------------------------------
# What the arguments are.


def is_url(arg: str) -> bool:
    """pip's ``is_url``: a scheme pip downloads from (``https:``, ``file:``, ``git+https:`` …)."""
    if ":" not in arg:
        return False
    try:
        scheme = urlsplit(arg).scheme.lower()
    except ValueError:
        return False
    return scheme in _URL_SCHEMES or scheme.startswith(_VCS_SCHEMES)


def looks_like_path(arg: str) -> bool:
    return "/" in arg or "\\" in arg or arg.startswith(".")


def is_archive(arg: str) -> bool:
    return arg.lower().endswith(_ARCHIVE_EXTS)


def arg_kind(arg: str) -> str:
    """``url``, ``path``, ``archive`` or ``requirement`` (a PEP 508 string), as pip decides
    (without looking at the file system: a path-like argument is taken to be a path)."""
    head = arg.split(";", 1)[0].strip()
    if is_url(head):
        return "url"
    if "@" in head and not looks_like_path(head.split("@", 1)[0]):
        return "requirement"
    if looks_like_path(head):
        return "path"
    if is_archive(head):
        return "archive"
    return "requirement"


@attrs.define(frozen=True)
class ReqSpans:
    """Where the parts of a PEP 508 requirement lie in a :class:`ReqLine`'s text (offsets).

    ``spec`` is the version specifier (may be empty: ``spec_start == spec_end``)."""

    requirement: Requirement
    name_start: int
    name_end: int
    extras_end: int
    spec_start: int
    spec_end: int


def requirement_spans(rl: ReqLine) -> ReqSpans | None:
    """The parsed requirement of a line and the offsets of its name and specifier, when the
    line's arguments are a valid PEP 508 requirement (``name @ url`` included)."""
    if not rl.args or "${" in rl.args or arg_kind(rl.args) != "requirement":
        return None
    try:
        req = Requirement(rl.args)
    except InvalidRequirement:
        return None
    m = _NAME_AT_START.match(rl.args)
    if m is None:
        return None
    name_start = rl.args_start + m.start()
    name_end = rl.args_start + m.end()
    rest = rl.args[m.end() :]
    k = 0
    while k < len(rest) and rest[k] in " \t":
        k += 1
    extras_end = name_end
    if k < len(rest) and rest[k] == "[":
        close = rest.find("]", k)
        extras_end = name_end + close + 1
        k = close + 1
    while k < len(rest) and rest[k] in " \t":
        k += 1
    spec_start = name_end + k
    stop = len(rest)
    for sep in (";", "@"):
        at = rest.find(sep, k)
        if at >= 0:
            stop = min(stop, at)
    spec_text = rest[k:stop].rstrip()
    spec_end = spec_start + len(spec_text)
    if req.url is not None:
        spec_end = spec_start
    return ReqSpans(req, name_start, name_end, extras_end, spec_start, spec_end)


def requirement_names(text: str) -> list[tuple[int, str, int, int]]:
    """``(line, canonical name, start col, end col)`` for each line that names a package.

    PEP 508 requirements give their name (``Psycopg2`` and ``psycopg2`` are both
    ``psycopg2``; ``_``/``.``/``-`` are one); URLs and editables give their ``#egg=`` name."""
    out: list[tuple[int, str, int, int]] = []
    for rl in logical_lines(text):
        spans = requirement_spans(rl)
        if spans is not None:
            line, col = rl.pos(spans.name_start)
            out.append(
                (
                    line,
                    canonicalize_name(spans.requirement.name),
                    col,
                    col + spans.name_end - spans.name_start,
                )
            )
            continue
        where = None
        if rl.args and arg_kind(rl.args) in ("url", "path"):
            where = (rl.args, rl.args_start)
        else:
            editable = _editable_value(rl)
            if editable is not None:
                where = (editable.value, editable.start)
        if where is None:
            continue
        m = _EGG.search(where[0])
        if m is None:
            continue
        start = rl.text.find(m.group(1), where[1] + m.start(1))
        if start < 0:
            continue
        line, col = rl.pos(start)
        out.append((line, canonicalize_name(m.group(1)), col, col + len(m.group(1))))
    return out


def _editable_value(rl: ReqLine) -> Token | None:
    toks = rl.options
    for i, t in enumerate(toks):
        if t.value in ("-e", "--editable") and i + 1 < len(toks):
            return toks[i + 1]
        if t.value.startswith("--editable="):
            return Token(t.value.split("=", 1)[1], t.end - len(t.value.split("=", 1)[1]), t.end)
        if t.value.startswith("-e") and len(t.value) > 2 and not t.value.startswith("--"):
            return Token(t.value[2:], t.start + 2, t.end)
    return None


# ---------------------------------------------------------------------------------------
# Checking.


@attrs.define(frozen=True)
class ParsedReqOption:
    """One option of a requirements line: its spec (``None`` when pip has no such option)."""

    spec: PipOption | None
    written: str
    value: str | None
    start: int
    end: int
    missing_value: bool = False


def parse_line_options(rl: ReqLine) -> list[ParsedReqOption]:
    """The options of a logical line, read with pip's grammar (``--name=v``, ``--name v``,
    ``-iURL``, ``-qU`` clusters, unique long prefixes)."""
    uses, _ = parse_words([Word(t.value, t.start, t.end) for t in rl.options], "install")
    return [ParsedReqOption(u.spec, u.written, u.value, u.start, u.end, u.missing_value) for u in uses]


def end_position(rl: ReqLine, end: int) -> tuple[int, int]:
    """The position just after ``text[end - 1]`` (on the character's own physical line)."""
    if end <= 0:
        return rl.pos(0)
    line, col = rl.pos(end - 1)
    return line, col + 1


def _issue(
    rl: ReqLine, span: tuple[int, int], code: str, message: str, severity: str = SEVERITY_ERROR
) -> Issue:
    start, end = span
    line, col = rl.pos(start)
    end_line, end_col = end_position(rl, end)
    return Issue(line, col, end_line, end_col, code, message, severity)


def _conf_hint(spec: PipOption, value: str | None) -> str:
    key = spec.conf_key
    shown = value if value is not None and spec.takes_value else (spec.conf_true if spec.is_flag else "…")
    return (
        f"put `{key} = {shown}` in the [{spec.conf_section}] section of pip.conf, or pass {spec.name} to pip"
    )


_LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})
# Indexes known to serve the same files over https: switching the scheme changes nothing else.
_HTTPS_HOSTS = frozenset({"pypi.org", "pypi.python.org", "files.pythonhosted.org", "download.pytorch.org"})
_INDEX_OPTIONS = frozenset({"--index-url", "--extra-index-url", "--find-links"})


def _whole_file_issues(
    lines: list[ReqLine], base: Path | None, exists: Callable[[Path], bool]
) -> list[Issue]:
    """What only the whole file shows: overridden indexes, missing includes, plain-HTTP
    indexes, a project required twice.

    pip (src/pip/_internal/req/req_file.py, handle_option_line) sets its index list to
    ``[url]`` at each ``--index-url`` line, so only the last one counts and any
    ``--extra-index-url`` before it is dropped too."""
    issues: list[Issue] = []
    index_lines: list[tuple[ReqLine, ParsedReqOption]] = []
    extras: list[tuple[ReqLine, ParsedReqOption]] = []
    names: dict[str, int] = {}
    for rl in lines:
        if rl.is_blank:
            continue
        for o in parse_line_options(rl):
            if o.spec is None or o.value is None:
                continue
            if o.spec.name == "--index-url":
                index_lines.append((rl, o))
            elif o.spec.name == "--extra-index-url":
                extras.append((rl, o))
            if o.spec.name in _INDEX_OPTIONS:
                parts = urlsplit(o.value)
                if parts.scheme == "http" and (parts.hostname or "") not in _LOCAL_HOSTS:
                    issue = _issue(
                        rl,
                        (o.start, o.end),
                        "insecure-index",
                        f"{o.spec.name} uses plain HTTP: anyone on the network path can change the "
                        "packages pip downloads; use https://",
                        SEVERITY_WARNING,
                    )
                    at = rl.text.find("http://", o.start, o.end)
                    if (parts.hostname or "") in _HTTPS_HOSTS and at >= 0:
                        line, col = rl.pos(at)
                        title = f"Use https:// for {parts.hostname}"
                        issue = attrs.evolve(
                            issue, fix=Replacement(title, line, col, line, col + 7, "https://")
                        )
                    issues.append(issue)
            if o.spec.name in ("--requirement", "--constraint") and base is not None:
                if "://" in o.value or "$" in o.value:
                    continue
                target = Path(o.value) if Path(o.value).is_absolute() else base / o.value
                if not exists(target):
                    issues.append(
                        _issue(
                            rl,
                            (o.start, o.end),
                            "missing-include",
                            f"pip cannot open {o.value}: no such file",
                        )
                    )
        spans = requirement_spans(rl)
        if spans is not None:
            name = canonicalize_name(spans.requirement.name)
            if name in names:
                issues.append(
                    _issue(
                        rl,
                        (spans.name_start, spans.name_start + len(spans.requirement.name)),
                        "duplicate-requirement",
                        f"{spans.requirement.name} is already required on line {names[name] + 1} "
                        "(names ignore case and -_.); pip needs both to hold",
                        SEVERITY_WARNING,
                    )
                )
            else:
                names[name] = rl.first_line
    if len(index_lines) > 1:
        last_rl = index_lines[-1][0]
        for rl, o in index_lines[:-1]:
            issue = _issue(
                rl,
                (o.start, o.end),
                "index-overridden",
                f"pip uses only the last --index-url (line {last_rl.first_line + 1}); this one has no effect",
                SEVERITY_WARNING,
            )
            if not rl.args and len(parse_line_options(rl)) == 1:  # the line holds nothing else
                title = (
                    f"Remove the --index-url that line {last_rl.first_line + 1} overrides "
                    "(pip's behaviour is unchanged)"
                )
                issue = attrs.evolve(issue, fix=Replacement(title, rl.first_line, 0, rl.last_line + 1, 0, ""))
            issues.append(issue)
    if index_lines:
        last_rl = index_lines[-1][0]
        for rl, o in extras:
            if rl.first_line < last_rl.first_line:
                issues.append(
                    _issue(
                        rl,
                        (o.start, o.end),
                        "index-overridden",
                        f"pip drops this --extra-index-url: the --index-url on line {last_rl.first_line + 1} "
                        "replaces every index given before it; move it below",
                        SEVERITY_WARNING,
                    )
                )
    return issues


def check_requirements(
    text: str, base: Path | None = None, exists: Callable[[Path], bool] = Path.exists
) -> list[Issue]:
    """Problems pip has with a requirements file's text (``base``: its folder, for ``-r``).

    Codes: ``invalid-requirement``, ``unknown-option``, ``option-not-allowed`` (a pip option
    that requirements files do not accept, e.g. ``--timeout``: it belongs in pip.conf),
    ``option-removed``, ``missing-value``, ``option-ignored`` (accepted but without effect
    where it is written), ``bad-quoting``, ``index-overridden``, ``insecure-index``,
    ``missing-include``, ``duplicate-requirement``."""
    issues: list[Issue] = []
    lines = logical_lines(text)
    issues += _whole_file_issues(lines, base, exists)
    for rl in lines:
        if rl.is_blank:
            continue
        if rl.options_error:
            issues.append(
                _issue(
                    rl,
                    (rl.content_start, rl.content_start + len(rl.content)),
                    "bad-quoting",
                    f"pip cannot split this line's options: {rl.options_error}",
                )
            )
            continue
        opts = parse_line_options(rl)
        editable = any(o.spec is not None and o.spec.name == "--editable" for o in opts)
        has_requirement = bool(rl.args) or editable
        for o in opts:
            spec = o.spec
            if spec is None:
                issues.append(
                    _issue(rl, (o.start, o.end), "unknown-option", f"pip has no option {o.written}")
                )
                continue
            if spec.removed_in:
                repl = f"; {spec.note}" if spec.note else ""
                issues.append(
                    _issue(
                        rl,
                        (o.start, o.end),
                        "option-removed",
                        f"pip {spec.removed_in} removed {spec.name}{repl}",
                    )
                )
                continue
            if spec.reqfile is None:
                if spec.persist:
                    msg = f"{o.written} is not allowed in a requirements file; {_conf_hint(spec, o.value)}"
                else:
                    msg = f"{o.written} is not allowed in a requirements file; pass it on pip's command line"
                issues.append(_issue(rl, (o.start, o.end), "option-not-allowed", msg))
                continue
            if o.missing_value:
                issues.append(_issue(rl, (o.start, o.end), "missing-value", f"{o.written} needs a value"))
                continue
            if spec.reqfile == "requirement":
                if not has_requirement:
                    issues.append(
                        _issue(
                            rl,
                            (o.start, o.end),
                            "option-ignored",
                            f"{spec.name} applies to the requirement on its own line; here pip ignores it",
                            SEVERITY_WARNING,
                        )
                    )
                elif editable and spec.name != "--config-settings":
                    issues.append(
                        _issue(
                            rl,
                            (o.start, o.end),
                            "option-ignored",
                            f"pip ignores {spec.name} on an editable (-e) requirement",
                            SEVERITY_WARNING,
                        )
                    )
            elif rl.args and spec.name != "--editable":
                issues.append(
                    _issue(
                        rl,
                        (o.start, o.end),
                        "option-ignored",
                        f"pip ignores {spec.name} after a requirement; put it on a line of its own",
                        SEVERITY_WARNING,
                    )
                )
        if rl.args:
            issues.extend(_check_args(rl))
    return issues


def _check_args(rl: ReqLine) -> list[Issue]:
    args = rl.args
    if "${" in args:
        return []  # pip expands ${VAR} from the environment first
    kind = arg_kind(args)
    if kind in ("url", "path", "archive"):
        if kind == "url" and ";" in args and "; " not in args:
            return [
                _issue(
                    rl,
                    (rl.args_start, rl.args_start + len(args)),
                    "invalid-requirement",
                    "after a URL, environment markers need a space before ';' (`url ; marker`)",
                    SEVERITY_WARNING,
                )
            ]
        return []
    try:
        Requirement(args)
    except InvalidRequirement as exc:
        first = str(exc).splitlines()[0] if str(exc) else "invalid requirement"
        return [
            _issue(
                rl,
                (rl.args_start, rl.args_start + len(args)),
                "invalid-requirement",
                f"invalid requirement {args!r}: {first}",
            )
        ]
    return []
