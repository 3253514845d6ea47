"""Execution: run experiments, measure them, cache them. Knows nothing of claims.

Experiments import ``measured.run.measure`` (and through it ``stats``): both use
the standard library only, so a snippet runs on any interpreter.
"""
