"""The command-line front end: ``errsig scan | explain | list | check-pack | lsp``."""
