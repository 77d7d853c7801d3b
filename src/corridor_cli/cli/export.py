"""corridor export: the whole fact base as sqlite, xlsx, json or csv."""
