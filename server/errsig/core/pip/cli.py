"""pip's command-line grammar, one parser for every place errsig reads pip options: a
workaround's command, a pip invocation in a script or Dockerfile, an option line of a
requirements file.

pip parses with optparse (src/pip/_internal/cli/parser.py, ConfigOptionParser):
``--name=value`` or ``--name value``; a long name may be shortened to any unique prefix;
short options cluster (``-qU``), and the first short option in a cluster that takes a value
takes the rest of the word (``-qUihttps://x/simple``) or, when the word ends there, the next
word (``-Ui https://x/simple``); ``--`` ends the options. Requirements files go through the
same optparse parser (src/pip/_internal/req/req_file.py, build_parser)."""

from __future__ import annotations

import re
from collections.abc import Sequence

import attrs

from errsig.core.pip.options import PipOption, find_long_prefix, find_option


@attrs.define(frozen=True)
class Word:
    """A word of a command line, unquoted, with its offsets in the source (any unit)."""

    value: str
    start: int = 0
    end: int = 0


@attrs.define(frozen=True)
class OptionUse:
    """One option as pip reads it.

    ``name`` is the canonical name (``--timeout`` for ``--default-timeout``) or the name as
    written when pip does not know it (``spec`` is ``None``); ``written`` is the name as
    typed (``-i``, ``--ind``); ``words`` the option's words as written (``('-i', URL)``,
    ``('-iURL',)``); ``start``/``end`` span them all. The value is either the next word
    (``value_word``) or lies inside the option's own word from ``inline_at`` on."""

    name: str
    written: str
    spec: PipOption | None
    value: str | None
    words: tuple[str, ...]
    start: int
    end: int
    value_word: Word | None = None
    inline_at: int | None = None
    missing_value: bool = False


def parse_words(words: Sequence[Word], command: str | None) -> tuple[list[OptionUse], list[Word]]:
    """The options and the positional words of pip ``command`` (``None``: general options)."""
    options: list[OptionUse] = []
    args: list[Word] = []
    i = 0
    while i < len(words):
        w = words[i]
        t = w.value
        if t == "--":
            args.extend(words[i + 1 :])
            break
        if t.startswith("--"):
            name, eq, inline = t.partition("=")
            spec = find_long_prefix(name, command)
            canonical = spec.name if spec else name
            if spec is not None and spec.takes_value and not eq:
                if i + 1 < len(words):
                    nxt = words[i + 1]
                    options.append(
                        OptionUse(
                            canonical, name, spec, nxt.value, (t, nxt.value), w.start, nxt.end, value_word=nxt
                        )
                    )
                    i += 2
                else:
                    options.append(
                        OptionUse(canonical, name, spec, None, (t,), w.start, w.end, missing_value=True)
                    )
                    i += 1
                continue
            at = len(name) + 1 if eq else None
            options.append(
                OptionUse(canonical, name, spec, inline if eq else None, (t,), w.start, w.end, inline_at=at)
            )
            i += 1
            continue
        if t.startswith("-") and len(t) > 1:
            consumed = 1
            for k in range(1, len(t)):
                short = "-" + t[k]
                spec = find_option(short, command)
                canonical = spec.name if spec else short
                if spec is not None and spec.takes_value:
                    rest = t[k + 1 :]
                    first = t if k == 1 else "-" + t[k:]
                    if rest:
                        options.append(
                            OptionUse(canonical, short, spec, rest, (first,), w.start, w.end, inline_at=k + 1)
                        )
                    elif i + 1 < len(words):
                        nxt = words[i + 1]
                        first = t if k == 1 else short
                        options.append(
                            OptionUse(
                                canonical,
                                short,
                                spec,
                                nxt.value,
                                (first, nxt.value),
                                w.start,
                                nxt.end,
                                value_word=nxt,
                            )
                        )
                        consumed = 2
                    else:
                        options.append(
                            OptionUse(canonical, short, spec, None, (t,), w.start, w.end, missing_value=True)
                        )
                    break
                options.append(
                    OptionUse(canonical, short, spec, None, (t if len(t) == 2 else short,), w.start, w.end)
                )
            i += consumed
            continue
        args.append(w)
        i += 1
    return options, args


# ---------------------------------------------------------------------------------------
# Shell words with offsets: one tokenizer for script invocations and workaround commands.

_OPERATOR_CHARS = "&|;()<>"
_PLACEHOLDER = re.compile(r"<[A-Za-z][A-Za-z0-9_-]*>")


@attrs.define(frozen=True)
class Region:
    """Shell-like text at ``text[start:start + len(view)]``; ``context`` says how inserted
    words must be quoted: ``shell``, ``yaml-plain``, ``yaml-single``, ``yaml-double``,
    ``json`` (a Dockerfile exec-form array), ``cmd``."""

    start: int
    view: str
    context: str = "shell"
    escape: str = "\\"
    make_recipe: bool = False


@attrs.define(frozen=True)
class Tok:
    kind: str  # "word" or "sep"
    value: str
    start: int
    end: int


def _blank(s: str) -> str:
    return "".join(ch if ch in "\r\n" else " " for ch in s)


def _mask_continuations(view: str, escape: str) -> str:
    """Blank ``<escape><newline>`` pairs (the shell removes them)."""
    return re.sub(re.escape(escape) + r"[ \t]*(\r\n|\r|\n)", lambda m: " " * len(m.group(0)), view)


def tokenize(region: Region) -> list[Tok]:
    """Words (unquoted values) and separators (operators, newlines) of a region."""
    view = region.view
    base = region.start
    esc = region.escape
    single = region.context != "cmd"
    out: list[Tok] = []
    i = 0
    n = len(view)
    while i < n:
        ch = view[i]
        if ch in " \t":
            i += 1
            continue
        if ch in "\r\n":
            out.append(Tok("sep", "\n", base + i, base + i + 1))
            i += 1
            continue
        if ch == "#" and region.context != "cmd":
            while i < n and view[i] not in "\r\n":
                i += 1
            continue
        if ch in _OPERATOR_CHARS and not _PLACEHOLDER.match(view, i):
            op = view[i : i + 2] if view[i : i + 2] in ("&&", "||", ";;", ">>", "<<") else ch
            out.append(Tok("sep", op, base + i, base + i + len(op)))
            i += len(op)
            continue
        start = i
        value: list[str] = []
        while i < n:
            ch = view[i]
            hole = _PLACEHOLDER.match(view, i) if ch == "<" else None
            if hole:  # a record's <package> or <user>:<password> is part of the word
                value.append(hole.group())
                i = hole.end()
                continue
            if ch in " \t\r\n" or ch in _OPERATOR_CHARS:
                break
            if ch == esc and i + 1 < n:
                if view[i + 1] not in "\r\n":
                    value.append(view[i + 1])
                i += 2
                continue
            if ch == "'" and single:
                close = view.find("'", i + 1)
                if close < 0:
                    close = n
                value.append(view[i + 1 : close])
                i = close + 1
                continue
            if ch == '"':
                i += 1
                while i < n and view[i] != '"':
                    if view[i] == esc and i + 1 < n and view[i + 1] in '"\\$`' + esc:
                        i += 1
                    value.append(view[i])
                    i += 1
                i += 1
                continue
            if ch == "$" and i + 1 < n and view[i + 1] in "({":
                close = _balanced(view, i + 1)
                value.append(view[i:close])
                i = close
                continue
            value.append(ch)
            i += 1
        out.append(Tok("word", "".join(value), base + start, base + min(i, n)))
    return out


def _balanced(view: str, i: int) -> int:
    """Offset after the bracket group opening at ``view[i]``."""
    pairs = {"(": ")", "{": "}"}
    stack = [pairs[view[i]]]
    i += 1
    while i < len(view) and stack:
        ch = view[i]
        if ch in pairs:
            stack.append(pairs[ch])
        elif ch == stack[-1]:
            stack.pop()
        i += 1
    return i
