"""The knowledge base: the record model, its converter and the pack loaders."""
