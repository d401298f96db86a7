"""pip's own vocabulary, one home for the core: its options (command line, pip.conf keys,
requirements files) and credentials in the URLs it is given. Imports nothing else of errsig."""
