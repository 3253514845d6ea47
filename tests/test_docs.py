"""Every Python code block in docs/ is linted and run (the Pydantic way).

- ``python`` blocks: ruff + black lint, then run; blocks with ``#>`` comments have
  their printed output checked against those comments.
- ``pycon`` blocks: run as doctests, so the shown output must be the real output.
- Include-only blocks (``--8<--``): the included script is tested by test_snippets.
- ``pytest tests/test_docs.py --update-examples`` formats the blocks and rewrites
  their ``#>`` comments from a real run.
- A block that cannot run standalone carries ``<!-- test: skip REASON -->`` on the
  line before its fence: invisible to readers, the reason shows in the test report.
"""

from __future__ import annotations

import doctest
import re
from pathlib import Path

import pytest
from conftest import ROOT
from pytest_examples import CodeExample, EvalExample, find_examples

SKIP_MARK = re.compile(r"<!--\s*test:\s*skip\s+(?P<reason>.+?)\s*-->")
EXAMPLES = list(find_examples(ROOT / "docs"))


def skip_reason(example: CodeExample) -> str | None:
    if "--8<--" in example.source:
        return "include-only block; the build runs the script (test_snippets)"
    lines = example.path.read_text().splitlines()
    fence = example.start_line - 1  # start_line is 1-based: the fence line itself
    before = lines[fence - 1] if fence >= 1 else ""
    if mark := SKIP_MARK.search(before):
        return mark["reason"]
    return None


def test_docs_have_examples() -> None:
    assert EXAMPLES, "no Python code block found under docs/"


@pytest.mark.parametrize("example", EXAMPLES, ids=str)
def test_docs_example(example: CodeExample, eval_example: EvalExample) -> None:
    if reason := skip_reason(example):
        pytest.skip(reason)
    if example.prefix.startswith("pycon"):
        run_pycon(example)
        return
    eval_example.set_config(line_length=88, target_version="py311", quotes="double")
    if eval_example.update_examples:  # pytest --update-examples rewrites the docs
        eval_example.format(example)
        if "#>" in example.source:  # only blocks that opted into print checks
            eval_example.run_print_update(example)
        return
    eval_example.lint(example)
    if "#>" in example.source:
        eval_example.run_print_check(example)
    else:
        eval_example.run(example)


def run_pycon(example: CodeExample) -> None:
    parser = doctest.DocTestParser()
    test = parser.get_doctest(
        example.source, {}, str(example), str(example.path), example.start_line
    )
    assert test.examples, f"{example}: a pycon block without a >>> prompt"
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    failures: list[str] = []
    runner.run(test, out=failures.append)
    assert runner.failures == 0, "".join(failures)


def test_skip_marker_is_found(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    page.write_text(
        "# T\n\n<!-- test: skip needs a network -->\n```python\nprint(1)\n```\n"
    )
    (example,) = find_examples(page)
    assert skip_reason(example) == "needs a network"
