"""Retrieve: question → ranked clause hits (dense + BM25, fused; structure-aware)."""
