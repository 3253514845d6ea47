"""Executed notebook pages show each cell's output as the cell printed it.

The kernel sends stdout in pieces (on a timer, or at a flush); nbconvert merges a
cell's consecutive pieces only before it executes the notebook. A busy CI build
once rendered ``print("result:", 49)`` as two blocks, "result:" and " 49".
measured/web/notebooks.py moves the merge after execution.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import nbformat
import pytest

# A flush between two writes sends them as two stream messages, every time.
SPLIT_CELL = 'import sys\nsys.stdout.write("result:")\nsys.stdout.flush()\nprint(" 49")'


def convert(notebook: Path, *, fixed: bool) -> str:
    """The page mkdocs-jupyter makes of ``notebook``, executed, with or without
    the fix (in a fresh interpreter: the fix is made as the converter loads)."""
    setup = "import measured.web.notebooks" if fixed else ""
    code = textwrap.dedent(
        f"""
        import sys
        {setup}
        from mkdocs_jupyter import convert
        sys.stdout.write(convert.nb2html({str(notebook)!r}, execute=True))
        """
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    return proc.stdout


@pytest.fixture(scope="module")
def notebook(tmp_path_factory: pytest.TempPathFactory) -> Path:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(SPLIT_CELL)]
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    path = tmp_path_factory.mktemp("nb") / "split.ipynb"
    nbformat.write(nb, path)
    return path


def test_a_print_sent_in_pieces_is_one_output(notebook: Path) -> None:
    assert "<pre>result: 49\n</pre>" in convert(notebook, fixed=True)


def test_without_the_fix_the_pieces_are_two_outputs(notebook: Path) -> None:
    """The case above is real: nbconvert's own order splits it."""
    page = convert(notebook, fixed=False)
    assert "<pre>result:</pre>" in page and "result: 49" not in page
