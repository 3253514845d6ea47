"""Charts: alt text on the SVG, and the cache that spares warm rebuilds."""

from __future__ import annotations

from pathlib import Path

import pytest

from measured.web import charts

SERIES = {"processes": [(1, 1.0), (2, 1.9)], "threads": [(1, 1.0), (2, 1.0)]}


def draw(alt: str = "Processes reach 1.90x on 2 cores") -> str:
    return charts.speedup_chart(SERIES, cores=2, alt=alt, salt="test")


def test_chart_is_an_svg_with_its_alt_text(project: Path) -> None:
    svg = draw()
    assert svg.lstrip().startswith("<svg") and 'role="img"' in svg
    assert 'aria-label="Processes reach 1.90x on 2 cores"' in svg


def test_same_inputs_come_from_the_cache(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = draw()
    assert list((project / ".cache" / "charts").glob("*.svg"))

    def no_drawing(*_: object, **__: object) -> None:
        raise AssertionError("matplotlib ran for a cached chart")

    monkeypatch.setattr(charts.plt, "subplots", no_drawing)
    assert draw() == first
    with pytest.raises(AssertionError, match="matplotlib ran"):
        draw(alt="other inputs, other chart")
