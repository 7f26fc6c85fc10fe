"""Verify: nothing reaches the user that the cited text does not say.

quotes: extractive answers, whose quotes must occur in their clauses. generated: a model's
answer, read as claims and checked against the sources it was given."""
from ..types import Given
from .text import grounding
from .generated import Checked, verify_generated
from .quotes import verify

__all__ = ["Checked", "Given", "grounding", "verify", "verify_generated"]
