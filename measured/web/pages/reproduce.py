"""docs/reproduce.md: re-running the experiments on a reader's machine."""

from __future__ import annotations

from measured.web import example as reproduce_example


def example() -> str:
    """The command's real output, captured while this site was built."""
    return reproduce_example.markdown()


def published_url() -> str:
    """The published results file, as a link that shows its address."""
    url = reproduce_example.published_url()
    return f"[{url}]({url})\n"


def help_text() -> str:
    """``python -m measured reproduce --help``, as the command prints it."""
    return reproduce_example.help_text()
