"""`python -m errsig` (and the `errsig` command) runs the command-line interface."""

from __future__ import annotations

import sys


def main() -> int:
    if sys.argv[1:] in (["lsp"], ["lsp", "--stdio"]):
        # The language server on stdio, as editors start it: the editor's ``initialize`` is
        # answered before the CLI and the server are imported (errsig.lsp.early).
        from errsig.lsp.early import answer_initialize  # noqa: PLC0415

        head = answer_initialize()
        from errsig.lsp.server import run  # noqa: PLC0415

        return run(head=head)
    from errsig.cli.main import main as cli_main  # noqa: PLC0415

    return cli_main()


if __name__ == "__main__":
    raise SystemExit(main())
