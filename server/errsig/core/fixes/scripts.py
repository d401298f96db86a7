"""Adding a workaround's options to the ``pip install`` invocations of scripts and CI files.

Supported files (:func:`script_kind`): shell scripts, PowerShell and batch files,
Dockerfiles (``RUN`` in shell form with ``\\`` continuations and ``&&`` chains, in exec form
``["pip", "install", …]``, and ``RUN <<EOF`` heredocs; the ``# escape=`` directive is
honoured), Makefiles (recipes, variable values, ``$(PIP)``/``$(PYTHON) -m pip``), tox.ini
(``commands*`` and ``install_command``; when ``deps`` are installed with tox's default
command an ``install_command`` line is added) and YAML CI files (GitHub Actions ``run:``,
GitLab CI ``script:``/``before_script:``/``after_script:``, also ``command:``, ``bash:``,
``pwsh:`` … as plain, quoted or block scalars and list items).

Each file kind is cut into *regions* of shell-like text. A region's *view* has the same
length as the text it covers, with what the shell never sees (line continuations, comment
lines inside a Dockerfile ``RUN``, Makefile recipe prefixes) blanked out, so every token
keeps its offset in the file. Invocations are ``pip``, ``pip3``, ``pip3.12``, ``python -m
pip``, ``python3 -m pip``, ``py -3.12 -m pip``, ``uv pip``, paths to them and Makefile/shell
variables (``$(PIP)``, ``${PYTHON}``) followed by ``install``.

Options are inserted right after ``install``; an option already present is not repeated —
its value is replaced when it differs (a repeatable option such as ``--extra-index-url``
gets the new value added instead). ``uv pip`` only gets options uv accepts.
"""

from __future__ import annotations

import json
import re
import shlex
from collections.abc import Collection, Sequence
from pathlib import PurePath

import attrs

from errsig.core.fixes.commands import ParsedOption, launcher_end, skip_wrappers
from errsig.core.fixes.model import TextEdit, dominant_newline, edit_for_span, line_starts
from errsig.core.pip.cli import (
    Region,
    Tok,
    Word,
    _blank,
    _mask_continuations,
    parse_words,
    tokenize,
)
from errsig.core.pip.options import PipOption, find_long_prefix, find_option

SCRIPT_KINDS = ("shell", "powershell", "cmd", "dockerfile", "makefile", "tox", "yaml")

UV_ACCEPTS = frozenset(
    {
        "--index-url",
        "--extra-index-url",
        "--find-links",
        "--no-index",
        "--no-binary",
        "--only-binary",
        "--no-build-isolation",
        "--trusted-host",
        "--upgrade",
        "--no-deps",
        "--force-reinstall",
        "--requirement",
        "--constraint",
        "--editable",
        "--target",
        "--python-version",
        "--require-hashes",
        "--config-settings",
        "--break-system-packages",
    }
)
"""Options of ``pip install`` that ``uv pip install`` accepts with the same meaning. (uv has
no ``--default-timeout``/``--retries``: it reads ``UV_HTTP_TIMEOUT`` instead.)"""

TOX_DEFAULT_INSTALL = "python -I -m pip install"
_YAML_KEYS = (
    "run",
    "script",
    "before_script",
    "after_script",
    "command",
    "bash",
    "pwsh",
    "powershell",
    "sh",
    "inlineScript",
)
_VAR_REF = re.compile(r"^(?:\$\(|\$\{|\$|%)([A-Za-z_][A-Za-z0-9_]*)(?:\)|\}|%)?(.*)$")


def script_kind(path: PurePath, text: str | None = None) -> str | None:
    """The kind of script a file is (one of :data:`SCRIPT_KINDS`), or ``None``."""
    name = path.name.lower()
    suffix = path.suffix.lower()
    if (
        name in ("dockerfile", "containerfile")
        or name.startswith(("dockerfile.", "containerfile."))
        or (suffix in (".dockerfile", ".containerfile"))
    ):
        return "dockerfile"
    if name in ("makefile", "gnumakefile", "bsdmakefile") or suffix in (".mk", ".make"):
        return "makefile"
    if name == "tox.ini":
        return "tox"
    if suffix in (".yml", ".yaml"):
        return "yaml"
    if suffix in (".sh", ".bash", ".zsh", ".ksh", ".dash"):
        return "shell"
    if suffix in (".ps1", ".psm1"):
        return "powershell"
    if suffix in (".bat", ".cmd"):
        return "cmd"
    if text is not None and text.startswith("#!"):
        first = text.split("\n", 1)[0]
        if re.search(r"\b(?:ba|z|k|da)?sh\b", first):
            return "shell"
        if "pwsh" in first:
            return "powershell"
    return None


# ---------------------------------------------------------------------------------------
# Regions and tokens.


def _json_tokens(region: Region) -> list[Tok]:
    out = []
    for m in re.finditer(r'"(?:[^"\\]|\\.)*"', region.view):
        try:
            value = json.loads(m.group(0))
        except ValueError:
            continue
        out.append(Tok("word", value, region.start + m.start(), region.start + m.end()))
    return out


# ---------------------------------------------------------------------------------------
# Regions per file kind.


def _shell_regions(text: str, escape: str, context: str = "shell") -> list[Region]:
    return [Region(0, _mask_continuations(text, escape), context, escape)]


def _cmd_regions(text: str) -> list[Region]:
    view = _mask_continuations(text, "^")
    view = re.sub(r"(?im)^[ \t]*(?:rem\b|::).*$", lambda m: " " * len(m.group(0)), view)
    return [Region(0, view, "cmd", "^")]


def _dockerfile_regions(text: str) -> list[Region]:
    lines = text.splitlines(keepends=True)
    offsets = [0]
    for ln in lines:
        offsets.append(offsets[-1] + len(ln))
    escape = "\\"
    for ln in lines:  # parser directives come first, as comments
        m = re.match(r"^#\s*([A-Za-z]+)\s*=\s*(\S+)\s*$", ln)
        if not m:
            break
        if m.group(1).lower() == "escape":
            escape = m.group(2)[0]
    regions: list[Region] = []
    k = 0
    while k < len(lines):
        line = lines[k]
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            k += 1
            continue
        first = k
        # gather the instruction's physical lines
        while lines[k].rstrip("\r\n").rstrip(" \t").endswith(escape) and k + 1 < len(lines):
            k += 1
            while k + 1 < len(lines) and (not lines[k].strip() or lines[k].lstrip().startswith("#")):
                k += 1
        last = k
        k += 1
        m = re.match(r"^(\s*)(\w+)(\s+)", line)
        if not m or m.group(2).upper() != "RUN":
            continue
        start = offsets[first] + m.end()
        end = offsets[last + 1]
        chunk = text[start:end]
        view_lines = chunk.splitlines(keepends=True)
        masked = []
        for idx, vl in enumerate(view_lines):
            body = vl.rstrip("\r\n")
            if idx > 0 and (not body.strip() or body.lstrip().startswith("#")):
                masked.append(_blank(vl))
            else:
                masked.append(vl)
        view = _mask_continuations("".join(masked), escape)
        flags = re.match(r"^(?:\s*--[\w-]+(?:=\S*)?)*\s*", view)
        skip = flags.end() if flags else 0
        view = " " * skip + view[skip:]
        rest = view[skip:]
        if rest.startswith("["):
            regions.append(Region(start, view, "json", escape))
            continue
        heredoc = re.match(r"^<<(-?)([\"']?)(\w+)\2", rest)
        regions.append(Region(start, view, "shell", escape))
        here = re.search(r"<<(-?)([\"']?)(\w+)\2", rest)
        if here is not None:
            delim = here.group(3)
            body_start = k
            while k < len(lines) and lines[k].strip() != delim:
                k += 1
            if heredoc is not None:  # RUN <<EOF: the body is a shell script
                b0, b1 = offsets[body_start], offsets[min(k, len(lines))]
                regions.append(Region(b0, _mask_continuations(text[b0:b1], "\\"), "shell", "\\"))
            k += 1
    return regions


def _makefile_regions(text: str) -> list[Region]:
    lines = text.splitlines(keepends=True)
    offsets = [0]
    for ln in lines:
        offsets.append(offsets[-1] + len(ln))
    regions: list[Region] = []
    k = 0
    in_define = False
    while k < len(lines):
        line = lines[k]
        first = k
        while lines[k].rstrip("\r\n").endswith("\\") and k + 1 < len(lines):
            k += 1
        last = k
        k += 1
        body = line.rstrip("\r\n")
        if re.match(r"^\s*define\b", body):
            in_define = True
            continue
        if in_define:
            in_define = not re.match(r"^\s*endef\b", body)
            continue
        start = offsets[first]
        end = offsets[last + 1]
        chunk = text[start:end]
        if line.startswith("\t"):
            # recipe: drop the tab and the @ - + prefixes; a continuation line's leading tab too
            parts = chunk.splitlines(keepends=True)
            masked = []
            for idx, part in enumerate(parts):
                cut = 0
                if idx == 0 or part.startswith("\t"):
                    m = re.match(r"^\t[@+\-\s]*", part) if idx == 0 else re.match(r"^\t", part)
                    cut = m.end() if m else 0
                masked.append(" " * cut + part[cut:])
            regions.append(Region(start, _mask_continuations("".join(masked), "\\"), "shell", "\\", True))
            continue
        if body.lstrip().startswith("#"):
            continue
        m = re.match(r"^\s*(?:(?:export|override)\s+)*[A-Za-z_][\w.\-]*\s*(?:\?|:{1,3}|\+|!)?=", chunk)
        if m:
            value = chunk[m.end() :]
            value = re.sub(r"(?<!\\)#.*", lambda mm: " " * len(mm.group(0)), value)
            view = " " * m.end() + value
            regions.append(Region(start, _mask_continuations(view, "\\"), "shell", "\\"))
            continue
        rule = re.match(r"^[^:#=\t][^:#=]*:[^;#=]*;", chunk)
        if rule:
            view = " " * rule.end() + chunk[rule.end() :]
            regions.append(Region(start, _mask_continuations(view, "\\"), "shell", "\\", True))
    return regions


_TOX_KEYS = ("commands", "commands_pre", "commands_post", "install_command")


@attrs.define
class _ToxSection:
    name: str
    header_line: int
    end_line: int  # exclusive
    keys: dict[str, tuple[int, int]] = attrs.field(factory=dict)  # key -> (first line, last line)


def _tox_sections(lines: list[str]) -> list[_ToxSection]:
    sections: list[_ToxSection] = []
    current: _ToxSection | None = None
    key: str | None = None
    for n, line in enumerate(lines):
        body = line.rstrip("\r\n")
        m = re.match(r"^\[([^\]]+)\]", body)
        if m:
            if current:
                current.end_line = n
            current = _ToxSection(m.group(1).strip(), n, len(lines))
            sections.append(current)
            key = None
            continue
        if current is None or not body.strip() or body.lstrip().startswith(("#", ";")):
            continue
        if body[0] in " \t" and key is not None:
            first, _ = current.keys[key]
            current.keys[key] = (first, n)
            continue
        km = re.match(r"^([A-Za-z_][\w.\-]*)\s*[=:]", body)
        if km:
            key = km.group(1).strip().lower().replace("-", "_")
            current.keys[key] = (n, n)
        else:
            key = None
    return sections


def _tox_regions(text: str) -> list[Region]:
    lines = text.splitlines(keepends=True)
    offsets = [0]
    for ln in lines:
        offsets.append(offsets[-1] + len(ln))
    regions: list[Region] = []
    for sec in _tox_sections(lines):
        if not sec.name.startswith("testenv"):
            continue
        for key in _TOX_KEYS:
            if key not in sec.keys:
                continue
            first, last = sec.keys[key]
            for n in range(first, last + 1):
                line = lines[n]
                col = 0
                if n == first:
                    km = re.match(r"^[^=:]*[=:]\s*", line)
                    col = km.end() if km else 0
                view = " " * col + line[col:]
                # tox prefixes: "- cmd" ignores the exit code, "! cmd" inverts it
                pm = re.match(r"^(\s*)[-!]+\s*", view)
                if pm:
                    view = view[: len(pm.group(1))] + " " * (pm.end() - len(pm.group(1))) + view[pm.end() :]
                view = _mask_continuations(view, "\\")
                regions.append(Region(offsets[n], view, "shell", "\\"))
    return regions


def _yaml_scalar_region(text: str, start: int, end: int) -> Region | None:
    """A one-line YAML scalar at ``text[start:end]`` (plain or quoted)."""
    s = text[start:end]
    lead = len(s) - len(s.lstrip())
    s2 = s[lead:]
    if not s2 or s2[0] in "|>[{&*!":
        return None
    if s2[0] in "\"'":
        q = s2[0]
        i = 1
        while i < len(s2):
            if q == "'" and s2[i] == "'" and i + 1 < len(s2) and s2[i + 1] == "'":
                i += 2
                continue
            if q == '"' and s2[i] == "\\":
                i += 2
                continue
            if s2[i] == q:
                break
            i += 1
        inner_start = start + lead + 1
        return Region(
            inner_start, text[inner_start : start + lead + i], "yaml-single" if q == "'" else "yaml-double"
        )
    cm = re.search(r"\s#", s2)
    value = s2[: cm.start()] if cm else s2
    return Region(start + lead, value.rstrip(), "yaml-plain")


def _yaml_regions(text: str) -> list[Region]:
    lines = text.splitlines(keepends=True)
    offsets = [0]
    for ln in lines:
        offsets.append(offsets[-1] + len(ln))
    key_re = re.compile(r"^(\s*)(-\s+)?(" + "|".join(_YAML_KEYS) + r")\s*:(?:\s+(.*?))?\s*$")
    regions: list[Region] = []

    def indent_of(s: str) -> int:
        return len(s) - len(s.lstrip(" "))

    def block(k: int, parent_indent: int, folded: bool, escape: str) -> tuple[list[Region], int]:
        """Lines after a block indicator that are more indented than ``parent_indent``."""
        j = k
        while j < len(lines) and (not lines[j].strip() or indent_of(lines[j]) > parent_indent):
            j += 1
        while j > k and not lines[j - 1].strip():
            j -= 1
        if j == k:
            return [], k
        b0, b1 = offsets[k], offsets[j]
        view = text[b0:b1]
        if folded:  # '>' joins lines with spaces (not around blank or more-indented lines)
            chars = list(view)
            pos = 0
            body_indent = indent_of(lines[k])
            for idx in range(k, j - 1):
                pos += len(lines[idx])
                nxt = lines[idx + 1]
                if lines[idx].strip() and nxt.strip() and indent_of(nxt) == body_indent:
                    nl = len(lines[idx]) - len(lines[idx].rstrip("\r\n"))
                    for q in range(pos - nl, pos):
                        chars[q] = " "
            view = "".join(chars)
        return [Region(b0, _mask_continuations(view, escape), "shell", escape)], j

    k = 0
    while k < len(lines):
        line = lines[k].rstrip("\r\n")
        m = key_re.match(line)
        if not m:
            k += 1
            continue
        key_indent = len(m.group(1)) + len(m.group(2) or "")
        escape = "`" if m.group(3) in ("pwsh", "powershell") else "\\"
        rest = m.group(4) or ""
        k += 1
        if rest.startswith(("|", ">")):
            found, k = block(k, key_indent, rest.startswith(">"), escape)
            regions.extend(found)
            continue
        if rest and not rest.startswith("#"):
            value_start = offsets[k - 1] + m.start(4)
            r = _yaml_scalar_region(text, value_start, offsets[k - 1] + len(line))
            if r is not None:
                regions.append(attrs.evolve(r, escape=escape))
            continue
        # a sequence of commands
        while k < len(lines):
            item = lines[k].rstrip("\r\n")
            if not item.strip() or item.lstrip().startswith("#"):
                k += 1
                continue
            ind = indent_of(item)
            im = re.match(r"^(\s*)-(\s+)(.*)$", item)
            if im is None or ind < key_indent or (ind == key_indent and m.group(2)):
                break
            value = im.group(3)
            k += 1
            if value.startswith(("|", ">")):
                found, k = block(k, ind, value.startswith(">"), escape)
                regions.extend(found)
                continue
            r = _yaml_scalar_region(text, offsets[k - 1] + im.start(3), offsets[k - 1] + len(item))
            if r is not None:
                regions.append(attrs.evolve(r, escape=escape))
    return regions


def regions_of(text: str, kind: str) -> list[Region]:
    """The shell-like regions of a file of ``kind``."""
    if kind == "shell":
        return _shell_regions(text, "\\")
    if kind == "powershell":
        return _shell_regions(text, "`")
    if kind == "cmd":
        return _cmd_regions(text)
    if kind == "dockerfile":
        return _dockerfile_regions(text)
    if kind == "makefile":
        return _makefile_regions(text)
    if kind == "tox":
        return _tox_regions(text)
    if kind == "yaml":
        return _yaml_regions(text)
    raise ValueError(f"unknown script kind {kind!r}")


# ---------------------------------------------------------------------------------------
# Invocations.


@attrs.define(frozen=True)
class FoundOption:
    """An option of an invocation: ``value_start``/``value_end`` are the offsets of its
    value as written (quotes included), ``None`` for a flag."""

    name: str
    spec: PipOption | None
    value: str | None
    start: int
    end: int
    value_start: int | None = None
    value_end: int | None = None


@attrs.define
class Invocation:
    """A ``pip <subcommand>`` found in a file: ``start`` is the launcher's offset,
    ``insert_at`` the offset just after the subcommand, ``end`` after its last word."""

    tool: str
    subcommand: str
    start: int
    insert_at: int
    end: int
    options: list[FoundOption]
    context: str


def _launcher_word(value: str, first: bool, make_recipe: bool) -> str:
    v = value.lstrip("@+-") if first and make_recipe else value
    tox = re.match(r"^\{(\w+)\}(.*)$", v)  # tox substitutions: {envpython}, {envbindir}/pip
    if tox:
        name, tail = tox.group(1).lower(), tox.group(2)
        if tail.startswith(("/", "\\")):
            return re.split(r"[\\/]", tail)[-1]
        if not tail and "python" in name:
            return "python"
    m = _VAR_REF.match(v)
    if m and (v.startswith(("$", "%"))):
        name, tail = m.group(1).upper(), m.group(2)
        if tail.startswith(("/", "\\")):
            return re.split(r"[\\/]", tail)[-1]
        if not tail:
            if "PIP" in name:
                return "pip"
            if "PYTHON" in name or name in ("PY", "PYEXE", "PY_EXE"):
                return "python"
    return re.split(r"[\\/]", v)[-1]


def _simple_commands(tokens: list[Tok]) -> list[list[Tok]]:
    out: list[list[Tok]] = [[]]
    for t in tokens:
        if t.kind == "sep":
            if out[-1]:
                out.append([])
        else:
            out[-1].append(t)
    return [c for c in out if c]


_LEAD_WORDS = frozenset(
    {
        "if",
        "then",
        "else",
        "elif",
        "do",
        "while",
        "until",
        "!",
        "xargs",
        "time",
        "exec",
        "call",
        "&",
        "timeout",
        "retry",
    }
)


def _invocations_in(
    cmd: list[Tok], region: Region, subcommands: Collection[str], text: str
) -> list[Invocation]:
    values = [_launcher_word(t.value, i == 0, region.make_recipe) for i, t in enumerate(cmd)]
    out: list[Invocation] = []
    i = 0
    while i < len(cmd):
        if i > 0 and values[i - 1].lower() not in _LEAD_WORDS:
            i += 1
            continue
        start_i, _ = skip_wrappers(values[i:])
        found = launcher_end(values, i + start_i)
        if found is None:
            i += 1
            continue
        tool, j = found
        launcher_at = i + start_i
        while j < len(cmd) and cmd[j].value.startswith("-"):
            t = cmd[j].value
            spec = (
                find_long_prefix(t, None)
                if t.startswith("--") and "=" not in t
                else (find_option(t, None) if len(t) == 2 else None)
            )
            j += 2 if spec is not None and spec.takes_value else 1
        if j >= len(cmd) or cmd[j].value not in subcommands:
            i = max(j, i + 1)
            continue
        sub = cmd[j].value
        options, last = _options_after(cmd, j + 1, sub, text)
        out.append(
            Invocation(tool, sub, cmd[launcher_at].start, cmd[j].end, cmd[last].end, options, region.context)
        )
        i = last + 1
    return out


def _options_after(cmd: list[Tok], k: int, sub: str, text: str) -> tuple[list[FoundOption], int]:
    """The options of a pip invocation's words ``cmd[k:]``, read with pip's grammar."""
    uses, _ = parse_words([Word(t.value, t.start, t.end) for t in cmd[k:]], sub)
    options = []
    for u in uses:
        value_start = value_end = None
        if u.value_word is not None:
            value_start, value_end = u.value_word.start, u.value_word.end
        elif u.inline_at is not None:
            raw = text[u.start : u.end]
            at = raw.find("=") + 1 if u.written.startswith("--") else u.inline_at
            value_start, value_end = u.start + at, u.end
        options.append(FoundOption(u.name, u.spec, u.value, u.start, u.end, value_start, value_end))
    return options, max(k - 1, len(cmd) - 1)


def find_pip_invocations(
    text: str, kind: str, subcommands: Collection[str] = ("install",)
) -> list[Invocation]:
    """Every ``pip <subcommand>`` invocation of a file of ``kind`` (see :func:`script_kind`)."""
    out: list[Invocation] = []
    for region in regions_of(text, kind):
        tokens = _json_tokens(region) if region.context == "json" else tokenize(region)
        for cmd in _simple_commands(tokens):
            out.extend(_invocations_in(cmd, region, subcommands, text))
    return out


# ---------------------------------------------------------------------------------------
# Edits.


def _needs_quotes(word: str, context: str) -> bool:
    if word == "":
        return True
    unsafe = re.search(r"[^\w@%+=:,./-]", word) is not None
    if context == "yaml-plain" and (word.endswith(":") or ": " in word or word.startswith("#")):
        return True
    if context == "cmd":
        return re.search(r'[\s&|<>^()"]', word) is not None
    return unsafe


def quote_word(word: str, context: str) -> str:
    """A word as it must be written in a region of ``context``."""
    if context == "json":
        return json.dumps(word)
    if not _needs_quotes(word, context):
        return word
    if context == "cmd":  # cmd.exe: double quotes, backslashes are plain characters
        return '"' + word.replace('"', '""') + '"'
    if context == "yaml-single":  # a single quote would end the YAML scalar: use shell double quotes
        return '"' + re.sub(r'(["\\$`])', r"\\\1", word) + '"'
    if context == "yaml-plain" and "'" not in word:
        return "'" + word + "'"
    return shlex.quote(word)


def render_option(opt: ParsedOption, context: str) -> list[str]:
    """An option's words, quoted for ``context``; ``--name=value`` stays one word."""
    return [quote_word(t, context) for t in opt.tokens]


@attrs.define
class ScriptEdit:
    """Edits for one file: how many invocations they change, and what was left out
    (``(option, reason)``, e.g. an option ``uv pip`` does not accept)."""

    edits: list[TextEdit]
    invocations: int = 0
    skipped: list[tuple[str, str]] = attrs.field(factory=list)


def _same(spec: PipOption | None, a: str | None, b: str | None) -> bool:
    if a is None or b is None:
        return a is b
    if spec is not None and spec.value in ("int", "float"):
        try:
            return float(a) == float(b)
        except ValueError:
            return a == b
    if spec is not None and spec.value == "url":
        return a.rstrip("/").lower() == b.rstrip("/").lower()
    return a == b


def _edits_for_invocation(
    inv: Invocation,
    options: Sequence[ParsedOption],
    text: str,
    starts: list[int],
    skipped: list[tuple[str, str]],
) -> list[TextEdit]:
    edits: list[TextEdit] = []
    inserts: list[str] = []
    for opt in options:
        if inv.tool == "uv" and opt.name not in UV_ACCEPTS:
            skipped.append((opt.name, "uv pip does not accept it"))
            continue
        present = [f for f in inv.options if f.name == opt.name]
        if opt.value is None:
            if not present:
                inserts.extend(render_option(opt, inv.context))
            continue
        if any(_same(opt.spec, f.value, opt.value) for f in present):
            continue
        spans = [
            (f.value_start, f.value_end)
            for f in present
            if f.value_start is not None and f.value_end is not None
        ]
        if spans and not (opt.spec is not None and opt.spec.multiple):
            a, b = spans[-1]
            edits.append(edit_for_span(text, a, b, quote_word(opt.value, inv.context), starts))
            continue
        inserts.extend(render_option(opt, inv.context))
    if inserts:
        new = "".join(", " + w for w in inserts) if inv.context == "json" else " " + " ".join(inserts)
        edits.append(edit_for_span(text, inv.insert_at, inv.insert_at, new, starts))
    return edits


def add_options(
    text: str,
    kind: str,
    options: Sequence[ParsedOption],
    *,
    subcommands: Collection[str] = ("install",),
) -> ScriptEdit:
    """Edits adding ``options`` (as parsed from a workaround command) to every
    ``pip install`` of a file of ``kind``. Options without a known spec are not added."""
    usable = [o for o in options if o.spec is not None and not o.spec.removed_in]
    starts = line_starts(text)
    result = ScriptEdit([])
    for o in options:
        if o.spec is None:
            result.skipped.append((o.name, "pip has no such option"))
    for inv in find_pip_invocations(text, kind, subcommands):
        edits = _edits_for_invocation(inv, usable, text, starts, result.skipped)
        if edits:
            result.edits.extend(edits)
            result.invocations += 1
    if kind == "tox":
        extra = _tox_install_command(text, usable)
        result.edits.extend(extra)
        result.invocations += len(extra)
    result.skipped = list(dict.fromkeys(result.skipped))
    return result


def _tox_install_command(text: str, options: Sequence[ParsedOption]) -> list[TextEdit]:
    """``install_command`` lines for tox environments that install ``deps`` with tox's
    default command (``python -I -m pip install {opts} {packages}``): in ``[testenv]`` (which
    the others inherit), or else in each ``[testenv:…]`` with ``deps``."""
    if not options:
        return []
    lines = text.splitlines(keepends=True)
    sections = [s for s in _tox_sections(lines) if s.name == "testenv" or s.name.startswith("testenv:")]
    if not any("deps" in s.keys for s in sections):
        return []
    base = next((s for s in sections if s.name == "testenv"), None)
    if base is not None:
        targets = [base] if "install_command" not in base.keys else []
    else:
        targets = [s for s in sections if "deps" in s.keys and "install_command" not in s.keys]
    opts = " ".join(" ".join(render_option(o, "shell")) for o in options)
    nl = dominant_newline(text)
    new_line = f"install_command = {TOX_DEFAULT_INSTALL} {opts} {{opts}} {{packages}}{nl}"
    edits = []
    for sec in targets:
        if "deps" in sec.keys:
            after = sec.keys["deps"][1] + 1
        else:
            after = max((v[1] for v in sec.keys.values()), default=sec.header_line) + 1
        if after >= len(lines) and lines and not lines[-1].endswith(("\n", "\r")):
            edits.append(TextEdit.insert(len(lines) - 1, len(lines[-1]), nl + new_line))
        else:
            edits.append(TextEdit.insert(after, 0, new_line))
    return edits
