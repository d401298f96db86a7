"""`python -m errsig` runs the command-line interface."""

from errsig.cli.main import main

if __name__ == "__main__":
    raise SystemExit(main())
