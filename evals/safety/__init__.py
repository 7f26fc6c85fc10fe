"""The safety issue, case by case, against real processes.

  .venv/bin/python -m evals.safety [--only 1,3] [--keep]

Every case runs the real command line (`python -m assistant.cli`) or a real `serve` page on
127.0.0.1 in a temporary data folder, and prints one Markdown row per check:
| case | what was tried | expected | observed | holds |. Exit code 0 when every row holds.

All processes share one embedding cache (.cache/safety-embeddings.sqlite), so only the first
run on a machine pays for embedding the few small documents used here.

The package: lab (the shared pieces: rows, commands, pages, the sample documents),
cases_ingest (cases 1, 2, 6, 7), cases_page (cases 3, 4, 5, 8) and run (the table and main)."""
