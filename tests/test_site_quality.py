"""Quality gates on the built HTML, offline: links, assets, weight, reader features.

Every test walks the pages the build produced (see site_pages.py), so a page added
to the nav is checked without touching this file.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import textwrap
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import pytest
import yaml
from conftest import REPORT, ROOT, Build, mkdocs_build
from mkdocs.utils.yaml import yaml_load
from site_pages import base_path, html_pages, page_file, sitemap_pages

from measured.web.render import NOT_SHOWN

pytestmark = pytest.mark.build

MAX_PAGE_BYTES = 500 * 1024  # HTML + inline SVG + SVG images, per page
DIGIT = re.compile(r"\d")


class Refs(HTMLParser):
    """Every URL a page links to or loads, and every id it defines."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[tuple[str, str]] = []  # (tag, url)
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        for key in ("id", "name") if tag == "a" else ("id",):
            if a.get(key):
                self.ids.add(a[key])
        for key in ("href", "src"):
            if key in a and tag != "base":
                self.urls.append((tag, a[key]))
        if a.get("srcset"):
            for candidate in a["srcset"].split(","):
                self.urls.append((tag, candidate.split()[0]))


def parse(path: Path) -> Refs:
    refs = Refs()
    refs.feed(path.read_text())
    return refs


def all_html(site: Path) -> list[Path]:
    return sorted(site.rglob("*.html"))


def local_target(site: Path, page: Path, url: str, site_url: str) -> str | None:
    """The site-relative path ``url`` points to, or None if it leaves the site."""
    prefix = base_path(site)
    if url.startswith(site_url):  # canonical links and the like: absolute to the site
        url = prefix + url.removeprefix(site_url)
    parts = urlsplit(url)
    if parts.scheme or parts.netloc:
        return None
    page_url = prefix + page.relative_to(site).as_posix()
    path = urlsplit(urljoin(page_url, url)).path
    if not path.startswith(prefix):
        return "\0outside:" + path  # an absolute path outside the published root
    return unquote(path.removeprefix(prefix))


def resolve(site: Path, rel: str) -> Path | None:
    target = site / rel
    if rel == "" or rel.endswith("/"):
        target = target / "index.html"
    return target if target.is_file() else None


def test_sitemap_lists_every_page(site_build: Build) -> None:
    site = site_build.site
    in_sitemap, built = sitemap_pages(site), html_pages(site)
    assert len(built) >= 2
    assert sorted(in_sitemap) == sorted(built), "sitemap and built pages differ"
    assert len(set(in_sitemap)) == len(in_sitemap), "a page is listed twice"


def test_internal_links_anchors_and_assets_resolve(site_build: Build) -> None:
    """Every local href/src of every page (404 included) exists; every #anchor too."""
    site = site_build.site
    canonical = re.search(
        r'<link rel="canonical" href="([^"]+)"', (site / "index.html").read_text()
    )
    assert canonical
    site_url = canonical.group(1)
    ids = {path: parse(path).ids for path in all_html(site)}
    broken: list[str] = []
    checked = 0
    for page in all_html(site):
        for tag, url in parse(page).urls:
            if url.startswith(("mailto:", "javascript:", "data:", "tel:")):
                continue
            rel = local_target(site, page, url, site_url)
            if rel is None:
                continue  # an outbound link: not fetched, not ours to check offline
            where = f"{page.relative_to(site)}: <{tag}> {url}"
            if rel.startswith("\0outside:"):
                broken.append(f"{where} (outside the site's base path)")
                continue
            checked += 1
            target = resolve(site, rel)
            if target is None:
                broken.append(f"{where} (no file {rel or 'index.html'})")
                continue
            fragment = urlsplit(url).fragment
            if (
                fragment
                and target.suffix == ".html"
                and unquote(fragment) not in ids[target]
            ):
                broken.append(f"{where} (no id {fragment!r} in {rel})")
    assert checked > 50, f"only {checked} local references found: parser broken?"
    assert broken == [], "\n".join(broken)


def test_stylesheet_urls_resolve(site_build: Build) -> None:
    """Fonts and images referenced from CSS (ours and the theme's) are in the site."""
    site = site_build.site
    broken = []
    for css in site.rglob("*.css"):
        for url in re.findall(r"url\(\s*['\"]?([^'\")]+)", css.read_text()):
            if url.startswith(("data:", "#", "http:", "https:", "//")):
                continue
            target = (css.parent / urlsplit(url).path).resolve()
            if not target.is_file():
                broken.append(f"{css.relative_to(site)}: {url}")
    assert broken == [], "\n".join(broken)


def test_page_weight(site_build: Build) -> None:
    """Each page's HTML (charts are inline SVG) plus its SVG images is under 500 KB."""
    site = site_build.site
    weights = {}
    for page in [*html_pages(site), "404.html"]:
        path = page_file(site, page)
        size = path.stat().st_size
        for tag, url in parse(path).urls:
            if tag == "img" and urlsplit(url).path.endswith(".svg"):
                image = (path.parent / urlsplit(url).path).resolve()
                if image.is_file():
                    size += image.stat().st_size
        weights[page or "(home)"] = size
    largest = max(weights, key=weights.__getitem__)
    REPORT.append(
        f"page weight: largest is {largest} at {weights[largest] / 1024:.0f} KB "
        f"of {MAX_PAGE_BYTES // 1024} KB ({len(weights)} pages)"
    )
    heavy = {p: w for p, w in weights.items() if w > MAX_PAGE_BYTES}
    assert heavy == {}, f"pages over {MAX_PAGE_BYTES // 1024} KB: {heavy}"


class Charts(HTMLParser):
    """Inline SVG charts and images inside figures, with their accessible names."""

    def __init__(self) -> None:
        super().__init__()
        self.charts: list[str] = []  # accessible name of each chart
        self.unnamed: list[str] = []
        self._figure = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "figure":
            self._figure += 1
        chart = (
            tag == "svg"
            and (
                "measured-chart" in a.get("class", "")
                or (self._figure and a.get("role") == "img")
            )
        ) or (tag == "img" and self._figure)
        if not chart:
            return
        name = a.get("aria-label") or a.get("alt") or ""
        if tag == "svg" and a.get("role") != "img":
            self.unnamed.append(f"<svg> without role=img: {name!r}")
        self.charts.append(name)

    def handle_endtag(self, tag: str) -> None:
        if tag == "figure" and self._figure:
            self._figure -= 1


def test_every_chart_has_alt_text_stating_a_figure(site_build: Build) -> None:
    site = site_build.site
    total, missing = 0, []
    for page in html_pages(site):
        parser = Charts()
        parser.feed(page_file(site, page).read_text())
        total += len(parser.charts)
        missing += [f"{page}: {problem}" for problem in parser.unnamed]
        missing += [
            f"{page}: alt text without a number: {name!r}"
            for name in parser.charts
            if not DIGIT.search(name)
        ]
    assert total >= 1, "no chart found on any page"
    assert missing == [], "\n".join(missing)


def test_every_page_says_when_it_was_last_updated(site_build: Build) -> None:
    site = site_build.site
    undated = []
    for page in html_pages(site):
        html = page_file(site, page).read_text()
        date = re.search(
            r'class="git-revision-date-localized-plugin[^"]*"[^>]*>([^<]+)<', html
        )
        if not date or not re.search(r"\b20\d\d\b", date.group(1)):
            undated.append(page or "(home)")
    assert undated == [], f"pages without a last-updated date: {undated}"


def test_footer_states_the_build_provenance(site_build: Build) -> None:
    site = site_build.site
    python = f"{sys.version_info.major}.{sys.version_info.minor}."
    for page in [*html_pages(site), "404.html"]:
        html = page_file(site, page).read_text()
        match = re.search(r'<p class="measured-build">(.*?)</p>', html, re.S)
        assert match, f"{page or '(home)'}: no build provenance in the footer"
        text = " ".join(match.group(1).split())
        assert python in text, text
        assert re.search(r"\b\d+ usable cores\b", text), text
        assert re.search(r"\b20\d\d-\d\d-\d\d \d\d:\d\d UTC\b", text), text


def test_previous_next_links_walk_every_page_in_nav_order(site_build: Build) -> None:
    """From the home page, "Next" visits every page once; "Previous" walks back."""
    site = site_build.site
    prefix = base_path(site)

    def link(page: str, direction: str) -> str | None:
        html = page_file(site, page).read_text()
        match = re.search(
            rf'<a href="([^"]*)" class="md-footer__link md-footer__link--{direction}"',
            html,
        )
        if not match:
            return None
        url = urljoin(prefix + page, match.group(1))
        return urlsplit(url).path.removeprefix(prefix)

    order, page = [""], ""
    while (page := link(page, "next")) is not None:
        assert page not in order, f"next links loop back to {page}"
        order.append(page)
    assert sorted(order) == sorted(html_pages(site)), "next links skip pages"
    back = [order[-1]]
    while (page := link(back[-1], "prev")) is not None:
        back.append(page)
    assert back == order[::-1]


def test_404_page_helps_the_reader(site_build: Build) -> None:
    site = site_build.site
    html = (site / "404.html").read_text()
    assert "Page not found" in html
    # It links to every page, with absolute links that work at any depth.
    prefix = base_path(site)
    for page in html_pages(site):
        assert f'href="{prefix}{page}"' in html, page or "(home)"


# The validation settings must turn broken links into a failed build. A throwaway
# project with our exact validation block proves it.
def test_validation_settings_fail_the_build_on_broken_links(tmp_path: Path) -> None:
    config = yaml_load((ROOT / "mkdocs.yml").read_text())
    assert config["strict"] is True
    validation = config["validation"]
    assert validation["links"]["not_found"] == "warn"  # warn + strict = error
    assert validation["links"]["anchors"] == "warn"
    assert validation["nav"]["omitted_files"] == "warn"
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "index.md").write_text(
        "# Home\n\n[gone](missing.md) and [no such heading](other.md#nowhere)\n"
    )
    (docs / "other.md").write_text("# Other\n\n## Somewhere\n")
    (tmp_path / "mkdocs.yml").write_text(
        yaml.safe_dump(
            {
                "site_name": "t",
                "strict": True,
                "validation": validation,
                "nav": ["index.md", "other.md"],
            }
        )
    )
    build = mkdocs_build(tmp_path / "site", config=tmp_path / "mkdocs.yml")
    assert build.returncode != 0
    assert "missing.md" in build.log
    assert "nowhere" in build.log


def test_spelling(tmp_path: Path) -> None:
    """codespell passes on docs/, snippets/ and examples/ and catches a planted typo."""
    codespell = [sys.executable, "-m", "codespell_lib"]
    clean = subprocess.run(
        [*codespell, "docs", "snippets", "examples"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert clean.returncode == 0, clean.stdout + clean.stderr
    planted = tmp_path / "typo.md"
    planted.write_text(textwrap.dedent("Threads share teh same memory.\n"))
    caught = subprocess.run(
        [*codespell, str(planted)], cwd=ROOT, capture_output=True, text=True
    )
    assert caught.returncode != 0 and "teh" in caught.stdout


def git(*args: str, cwd: Path) -> None:
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.org", *args],
        cwd=cwd,
        check=True,
        capture_output=True,
    )


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_builds_in_a_shallow_ci_clone_with_dates(tmp_path: Path) -> None:
    """actions/checkout's default depth 1: the build works and pages keep a date."""
    source = tmp_path / "source"
    source.mkdir()
    for folder in ("docs", "snippets", "overrides", "measured"):
        shutil.copytree(
            ROOT / folder, source / folder, ignore=shutil.ignore_patterns("__pycache__")
        )
    shutil.copy2(ROOT / "mkdocs.yml", source / "mkdocs.yml")
    git("init", "-q", cwd=source)
    git("add", "-A", cwd=source)
    git("commit", "-qm", "first", cwd=source)
    (source / "docs" / "index.md").write_text(
        (source / "docs" / "index.md").read_text() + "\n"
    )
    git("commit", "-qam", "second", cwd=source)
    clone = tmp_path / "clone"
    git("clone", "-q", "--depth", "1", source.as_uri(), str(clone), cwd=tmp_path)
    build = mkdocs_build(
        tmp_path / "site",
        config=clone / "mkdocs.yml",
        # the plugin warns on a shallow clone only under CI variables like these
        env={"MEASURED_ROOT": str(ROOT), "GITHUB_ACTIONS": "true", "CI": "true"},
    )
    assert build.returncode == 0, build.log[-3000:]
    assert "shallow" in build.log  # still said, as information
    html = (build.site / "index.html").read_text()
    assert "git-revision-date-localized-plugin-date" in html


def nav_sections(nav: list) -> list[str]:
    """Titles of the top-level sections (entries holding a list) in mkdocs.yml.

    navigation.sections renders these as labelled groups; deeper ones fold.
    """
    return [
        name
        for entry in nav
        if isinstance(entry, dict)
        for name, value in entry.items()
        if isinstance(value, list)
    ]


def test_navigation_shows_the_guides_sections(site_build: Build) -> None:
    """navigation.sections: every nav section is a labelled group on every page."""
    config = yaml_load((ROOT / "mkdocs.yml").read_text())
    assert "navigation.sections" in config["theme"]["features"]
    sections = nav_sections(config["nav"])
    assert sections, "the nav has no sections"
    for page in html_pages(site_build.site):
        html = page_file(site_build.site, page).read_text()
        groups = re.findall(
            r'md-nav__item--section[^"]*">\s*<input[^>]*>\s*<label[^>]*>\s*'
            r'<span class="md-ellipsis">\s*([^<]+?)\s*</span>',
            html,
        )
        assert groups == sections, f"{page or '(home)'}: {groups} != {sections}"


def test_a_claim_the_machine_cannot_show_has_one_wording(site_build: Build) -> None:
    """Every page says "Not shown on this machine" (render.NOT_SHOWN), never a
    variant a reader would have to learn twice."""
    site = site_build.site
    variants = []
    for page in html_pages(site):
        text = re.sub(r"<[^>]+>", "", page_file(site, page).read_text())
        variants += [
            f"{page}: {m.group(0)!r}"
            for m in re.finditer(r"Not shown[^.:(]{0,30}", text)
            if not m.group(0).startswith(NOT_SHOWN)
        ]
    assert variants == [], "\n".join(variants)
