"""Ingest pipeline: load → clean → parse → chunk → index."""
