"""Compose: evidence (ranked clauses) → an answer in Chinese with citations."""
