"""The language server: a thin pygls layer translating between LSP and errsig.core."""
