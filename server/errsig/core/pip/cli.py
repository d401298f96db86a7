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
