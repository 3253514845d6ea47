"""How pages print an error: one helper for snippets, claims and page code.

Standard library only, like measure.py, so any experiment can import it.
"""

from __future__ import annotations

import re

# A traceback's last line, "Name: message", for as_message.
_ERROR_LINE = re.compile(r"^(\s*)(\w+(?:Error|Exception)): (.*)$", re.MULTILINE)


def as_message(text: str) -> str:
    """Each "SomeError: message" line of ``text`` as "SomeError (message)": the form
    pages print errors in. A page showing "...Error:" is how the build spots a
    snippet's own error leaking into it (tests/test_build.py)."""
    return _ERROR_LINE.sub(r"\1\2 (\3)", text)
