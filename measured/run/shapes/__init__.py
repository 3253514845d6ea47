"""The declared shape of every experiment's result: one TypedDict per experiment.

A snippet annotates what it hands to ``measure.emit`` with its shape (imported only
for type checkers, so a reader's copy runs without it, and a change here re-runs no
experiment); its claims, its page code and the test fakes read ``evidence.result``
as that shape. ``env`` is NotRequired in every shape: ``measure.emit`` adds it.
``tests/test_shapes.py`` checks every result the build made, and every contradicting
input the tests feed a claim, against its shape with :func:`problems`.

Shapes live in one module per claims module (``part1``, ``coordination``,
``modern``, ``errata_facts``); each module's ``SHAPES`` maps an experiment id to
its TypedDict.
"""

from __future__ import annotations

import types
import typing
from typing import Any, Literal, NotRequired, Required, TypedDict, Union

from measured.run.shapes.common import Env, RoundsRecord


class Emitted(TypedDict):
    """What every result holds besides its own fields (added by measure.emit)."""

    env: Env


def problems(value: Any, shape: Any, where: str = "result") -> list[str]:
    """Where ``value`` does not fit ``shape`` (a TypedDict or a type); [] if it fits.

    Checks what JSON can carry: required keys, nested TypedDicts, lists, dicts,
    unions and literals, and the builtin types (an int is a float, as in JSON).
    """
    origin = typing.get_origin(shape)
    args = typing.get_args(shape)
    if shape is Any:
        return []
    if origin in (Required, NotRequired):
        return problems(value, args[0], where)
    if origin is Literal:
        return [] if value in args else [f"{where}: {value!r} is not one of {args}"]
    if origin in (Union, types.UnionType):
        if any(not problems(value, option, where) for option in args):
            return []
        return [f"{where}: {value!r} fits none of {args}"]
    if typing.is_typeddict(shape):
        if not isinstance(value, dict):
            return [f"{where}: expected an object ({shape.__name__})"]
        # With postponed annotations Python 3.11 cannot see NotRequired at class
        # creation (__required_keys__ is wrong there): read it from the hints.
        hints = typing.get_type_hints(shape, include_extras=True)
        found = [
            f"{where}: missing {key!r} ({shape.__name__})"
            for key, hint in hints.items()
            if key not in value and _required(shape, hint)
        ]
        for key, hint in hints.items():
            if key in value:
                found += problems(value[key], hint, f"{where}.{key}")
        return found
    if origin in (list, tuple):
        if not isinstance(value, list | tuple):
            return [f"{where}: expected a list"]
        item = args[0] if args else Any
        found = []
        for i, element in enumerate(value):
            found += problems(element, item, f"{where}[{i}]")
        return found
    if origin is dict:
        if not isinstance(value, dict):
            return [f"{where}: expected an object"]
        key_type, item = args if args else (Any, Any)
        found = []
        for key, element in value.items():
            found += problems(key, key_type, f"{where} key")
            found += problems(element, item, f"{where}[{key!r}]")
        return found
    if shape is float:
        ok = isinstance(value, int | float) and not isinstance(value, bool)
        return [] if ok else [f"{where}: {value!r} is not a number"]
    if shape is type(None):
        return [] if value is None else [f"{where}: {value!r} is not null"]
    if isinstance(shape, type):
        return (
            []
            if isinstance(value, shape)
            else [
                f"{where}: {type(value).__name__} where {shape.__name__} was declared"
            ]
        )
    return []


def _required(shape: Any, hint: Any) -> bool:
    origin = typing.get_origin(hint)
    if origin is NotRequired:
        return False
    return origin is Required or getattr(shape, "__total__", True)


def all_shapes() -> dict[str, Any]:
    """Experiment id -> its declared result shape, from every part's module."""
    from measured.run.shapes import (
        asyncio_debugging,
        coordination,
        errata_facts,
        lifecycle,
        modern,
        part1,
        recipes_async,
        recipes_interrupts,
        recipes_pools,
        recipes_processes,
        recipes_threads,
    )

    found: dict[str, Any] = {}
    for module in (part1, coordination, modern, errata_facts, lifecycle):
        found.update(module.SHAPES)
    for recipes in (
        recipes_threads,
        recipes_pools,
        recipes_interrupts,
        recipes_async,
        recipes_processes,
    ):
        found.update(recipes.SHAPES)
    found.update(asyncio_debugging.SHAPES)
    return found


__all__ = ["Emitted", "Env", "RoundsRecord", "all_shapes", "problems"]
