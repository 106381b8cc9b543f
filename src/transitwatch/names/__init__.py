"""Name normalisation: scripts, transliteration, legal forms, name parts (pure functions)."""
