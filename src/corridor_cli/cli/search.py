"""corridor search: facts and events ranked by relevance to free text."""
