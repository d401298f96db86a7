"""errsig: recognise known errors in terminal output, logs and requirements files."""

__version__ = "0.1.0"
