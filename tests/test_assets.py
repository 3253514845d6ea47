"""Large inline stylesheets move to one shared file; small ones stay inline."""

from __future__ import annotations

from pathlib import Path

from measured.web import assets


def test_large_inline_style_becomes_a_shared_stylesheet(tmp_path: Path) -> None:
    big = ".jp-Cell { color: red; }\n" * 4000  # ~100 KB, like JupyterLab's CSS
    html = f"<p>a</p><style>{big}</style><style>.small {{}}</style>"
    out = assets.externalize_large_styles(html, "guide/notebook/", str(tmp_path))
    assert big not in out
    assert "<style>.small {}</style>" in out
    files = list((tmp_path / "assets" / "stylesheets").glob("extracted-*.css"))
    assert len(files) == 1 and files[0].read_text() == big
    href = f"../../assets/stylesheets/{files[0].name}"
    assert f'<link rel="stylesheet" href="{href}">' in out
    # A second page with the same CSS links the same file.
    again = assets.externalize_large_styles(html, "", str(tmp_path))
    assert f'href="assets/stylesheets/{files[0].name}"' in again
    assert len(list(files[0].parent.iterdir())) == 1
