"""Where the project's files are: root, snippets, examples, cache, lock file."""

from __future__ import annotations

import os
from pathlib import Path

ROOT_ENV = "MEASURED_ROOT"


def root() -> Path:
    """$MEASURED_ROOT, else the nearest folder at or above cwd with mkdocs.yml."""
    if env := os.environ.get(ROOT_ENV):
        return Path(env).resolve()
    here = Path.cwd().resolve()
    for candidate in (here, *here.parents):
        if (candidate / "mkdocs.yml").is_file():
            return candidate
    # Installed elsewhere and called from outside the checkout: fall back to the
    # checkout this package lives in.
    return Path(__file__).resolve().parent.parent


def snippets_dir() -> Path:
    return root() / "snippets"


def examples_dir() -> Path:
    """Small standard-library examples a page shows with ``example NAME``."""
    return root() / "examples"


def cache_dir() -> Path:
    return root() / ".cache" / "experiments"


def lock_file() -> Path:
    return root() / "requirements.lock"
