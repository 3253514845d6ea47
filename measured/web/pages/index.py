"""docs/index.md: the home page."""

from __future__ import annotations

from measured.claims import rule as verdict_rule


def rule() -> str:
    """The rule that turns timings into verdicts, with its simulated error rates."""
    return verdict_rule.markdown()
