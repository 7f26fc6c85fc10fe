"""Answers from the clause structure rather than from search: who is responsible for what,
what a city adds to the province, which targets fall due when. Exhaustive by construction."""
