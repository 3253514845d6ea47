"""Driving Chromium against the served site: launch settings, a recording tab, the
page-side probes the browser tests run, and WCAG contrast arithmetic.
"""

from __future__ import annotations

import os
import re
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from playwright.async_api import Browser as AsyncBrowser
from playwright.async_api import Route as AsyncRoute
from playwright.sync_api import Browser, Route
from site_pages import Server

CHROMIUM = Path(os.environ.get("MEASURED_CHROMIUM", "/usr/bin/chromium"))
LAUNCH_ARGS = [
    "--no-sandbox",  # CI runs as root, where Chromium's sandbox refuses to start
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
TEXT_CONTRAST = 4.5  # WCAG AA, normal text
GRAPHIC_CONTRAST = 3.0  # WCAG 1.4.11, lines and markers that carry data


# --- Colour arithmetic (WCAG 2 relative luminance) -----------------------------


def rgba(css: str) -> tuple[float, float, float, float]:
    """'rgb(1, 2, 3)' or 'rgba(1, 2, 3, 0.5)' (Chromium's computed style) to floats."""
    numbers = [float(n) for n in re.findall(r"[\d.]+", css)]
    assert len(numbers) in (3, 4), f"unexpected colour {css!r}"
    r, g, b = (n / 255 for n in numbers[:3])
    return r, g, b, numbers[3] if len(numbers) == 4 else 1.0


def over(fg: tuple[float, ...], bg: tuple[float, ...]) -> tuple[float, ...]:
    """``fg`` with its alpha painted on an opaque ``bg``."""
    a = fg[3]
    return tuple(a * f + (1 - a) * b for f, b in zip(fg[:3], bg[:3], strict=True))


def luminance(rgb: tuple[float, ...]) -> float:
    def linear(c: float) -> float:
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (linear(c) for c in rgb[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(fg_css: str, bg_css: str) -> float:
    bg = rgba(bg_css)
    lighter, darker = sorted(
        (luminance(over(rgba(fg_css), bg)), luminance(bg)), reverse=True
    )
    return (lighter + 0.05) / (darker + 0.05)


# --- A tab that records what goes wrong -----------------------------------------


@dataclass
class Tab:
    """One browser tab that records errors and off-machine requests as it goes.

    ``page`` is a sync Playwright page for the interaction tests, an async one in the
    survey; what is recorded, and how, is the same for both.
    """

    page: Any
    server: Server
    errors: list[str] = field(default_factory=list)
    external: list[str] = field(default_factory=list)
    # Bytes of every response body since the last open(), the search worker's
    # fetches included. Routing (every tab routes) turns Chromium's HTTP cache
    # off, so each load fetches everything, as a first visit does; the test server
    # sends files as they are, so Content-Length is the uncompressed size.
    received: int = 0

    def open(self, path: str) -> None:
        self.errors.clear()
        self.external.clear()
        self.received = 0
        self.page.goto(self.server.url + path, wait_until="networkidle")

    async def open_async(self, path: str) -> None:
        self.errors.clear()
        self.external.clear()
        self.received = 0
        await self.page.goto(self.server.url + path, wait_until="networkidle")

    def weigh(self, response: Any) -> None:
        self.received += int(response.headers.get("content-length") or 0)

    def stays_local(self, url: str) -> bool:
        """True if ``url`` may load; else record it (the caller aborts it)."""
        if url.startswith((self.server.origin + "/", "data:", "blob:")):
            return True
        self.external.append(url)
        return False

    def watch(self, page: Any) -> None:
        """Record console errors, uncaught exceptions and failed responses."""
        page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        page.on("pageerror", lambda e: self.errors.append(f"uncaught {e}"))
        page.on(
            "response",
            lambda r: (
                r.status >= 400 and self.errors.append(f"HTTP {r.status} {r.url}")
            ),
        )
        page.on("response", self.weigh)


def _context_options(
    scheme: str, viewport: dict[str, int], permissions: list[str] | None
) -> dict[str, Any]:
    return {
        "color_scheme": scheme,
        "viewport": viewport,
        "device_scale_factor": 1,
        "permissions": permissions or [],
    }


@contextmanager
def tab(
    browser: Browser,
    server: Server,
    *,
    scheme: str = "light",
    viewport: dict[str, int] = DESKTOP,
    permissions: list[str] | None = None,
) -> Iterator[Tab]:
    context = browser.new_context(**_context_options(scheme, viewport, permissions))
    page = context.new_page()
    t = Tab(page, server)

    def route(route: Route) -> None:
        # never let a request leave the machine; record it instead
        if t.stays_local(route.request.url):
            route.continue_()
        else:
            route.abort()

    context.route("**/*", route)
    t.watch(page)
    try:
        yield t
    finally:
        context.close()


@asynccontextmanager
async def async_tab(
    browser: AsyncBrowser,
    server: Server,
    *,
    scheme: str = "light",
    viewport: dict[str, int] = DESKTOP,
) -> AsyncIterator[Tab]:
    """``tab`` for the async API: a context of its own, so several run at once."""
    context = await browser.new_context(**_context_options(scheme, viewport, None))
    page = await context.new_page()
    t = Tab(page, server)

    async def route(route: AsyncRoute) -> None:
        if t.stays_local(route.request.url):
            await route.continue_()
        else:
            await route.abort()

    await context.route("**/*", route)
    t.watch(page)
    try:
        yield t
    finally:
        await context.close()


# --- Probes run in the page -----------------------------------------------------

CHARTS_JS = """
() => {
  const background = (el) => {
    for (let node = el; node; node = node.parentElement) {
      const bg = getComputedStyle(node).backgroundColor;
      if (!/rgba\\(.*, 0\\)$/.test(bg) && bg !== "transparent") return bg;
    }
    return "rgb(255, 255, 255)";
  };
  const svgs = [...document.querySelectorAll(".md-content svg[role=img]")];
  return svgs.map((svg) => {
    const color = getComputedStyle(svg).color;
    const texts = [...svg.querySelectorAll("text")].map((t) => {
      const s = getComputedStyle(t);
      return { fill: s.fill, opacity: s.fillOpacity };
    });
    const series = [...svg.querySelectorAll("path, line, polyline, use")]
      .map((el) => getComputedStyle(el))
      .filter((s) => s.stroke !== "none" && s.stroke !== color
                     && parseFloat(s.strokeOpacity) === 1 && s.visibility !== "hidden")
      .map((s) => s.stroke);
    return {
      label: svg.getAttribute("aria-label") || "",
      color, background: background(svg), texts,
      series: [...new Set(series)],
    };
  });
}
"""

CODE_JS = """
() => [...document.querySelectorAll(".md-content pre > code")]
  .filter((code) => !code.closest(".mermaid"))
  .map((code) => {
    const block = code.closest(".highlight") || code.parentElement.parentElement;
    return {
      id: code.parentElement.id || code.textContent.trim().slice(0, 40),
      copy: !!block.querySelector("[data-md-type=copy], .md-clipboard"),
    };
  })
"""

# Highlighted code: every distinct text colour on its background, with the opacity
# the element is painted at. axe's color-contrast rule finds each token's background
# by hit-testing, element by element: on the long pages (6,000 token spans) that was
# most of the survey's time. Code tokens sit on the code block's own opaque
# background, so the distinct colour pairs decide the same question; the browser
# tests check them with the WCAG arithmetic above (code_colour_problems). Hidden
# tabs are included: their code is read once a reader switches to them.
CODE_SELECTOR = ".md-content .highlight code"
CODE_COLOURS_JS = """
(selector) => {
  // The backgrounds painted under an element, nearest first, down to the first
  // opaque one (a diff line's tint is translucent over the code block's colour).
  const background = (el) => {
    const layers = [];
    for (let node = el; node; node = node.parentElement) {
      const bg = getComputedStyle(node).backgroundColor;
      if (/rgba\\(.*, 0\\)$/.test(bg) || bg === "transparent") continue;
      layers.push(bg);
      if (!bg.startsWith("rgba")) return layers;
    }
    return [...layers, "rgb(255, 255, 255)"];
  };
  const opacity = (el) => {
    let value = 1;
    for (let node = el; node; node = node.parentElement) {
      value *= parseFloat(getComputedStyle(node).opacity);
    }
    return value;
  };
  const seen = new Map();
  for (const code of document.querySelectorAll(selector)) {
    for (const el of [code, ...code.querySelectorAll("*")]) {
      const text = [...el.childNodes]
        .filter((n) => n.nodeType === 3)
        .map((n) => n.textContent.trim())
        .join("");
      if (!text) continue;
      const color = getComputedStyle(el).color;
      const key = `${color}|${background(el).join("/")}|${opacity(el)}`;
      if (!seen.has(key)) {
        seen.set(key, { color, background: background(el), opacity: opacity(el),
                        sample: text.slice(0, 30) });
      }
    }
  }
  return [...seen.values()];
}
"""


def code_colour_problems(pairs: list[dict[str, Any]]) -> list[str]:
    """The code colours (CODE_COLOURS_JS) below WCAG AA for normal text."""
    found = []
    for pair in pairs:
        *tints, base = pair["background"]  # nearest first, the opaque one last
        painted_bg = rgba(base)
        for tint in reversed(tints):
            painted_bg = (*over(rgba(tint), painted_bg), 1.0)
        bg = "rgb({}, {}, {})".format(*(c * 255 for c in painted_bg[:3]))
        r, g, b, a = rgba(pair["color"])
        painted = f"rgba({r * 255}, {g * 255}, {b * 255}, {a * pair['opacity']})"
        ratio = contrast(painted, bg)
        if ratio < TEXT_CONTRAST:
            found.append(
                f"code text {pair['color']} at opacity {pair['opacity']:g} on {bg}: "
                f"{ratio:.2f}:1 ({pair['sample']!r})"
            )
    return found


SCROLL_JS = """
() => {
  const doc = document.documentElement;
  window.scrollTo(10000, window.scrollY);
  const scrolled = window.scrollX;
  window.scrollTo(0, window.scrollY);
  return { overflow: doc.scrollWidth - doc.clientWidth, scrolled };
}
"""


# On a phone: Output blocks (a tab's code block without a file title) that still
# scroll sideways, and the smallest text of each chart in CSS px as drawn (its
# font size times the scale the SVG is drawn at).
PHONE_JS = """
() => ({
  cut: [...document.querySelectorAll(".md-content .tabbed-block > .highlight")]
    .filter((block) => !block.querySelector(":scope > .filename"))
    .map((block) => block.querySelector("code"))
    .filter((code) => code && code.offsetParent && code.scrollWidth > code.clientWidth)
    .map((code) => code.textContent.trim().slice(0, 60)),
  fonts: [...document.querySelectorAll(".md-content svg[role=img]")].map((svg) => {
    const sizes = [...svg.querySelectorAll("text")].map((t) => {
      const m = t.getScreenCTM();
      return parseFloat(getComputedStyle(t).fontSize) * Math.hypot(m.a, m.b);
    });
    return { label: (svg.getAttribute("aria-label") || "").slice(0, 60),
             smallest: Math.min(...sizes) };
  }),
})
"""


def chart_problems(chart: dict[str, Any]) -> list[str]:
    """Why a chart would be hard to read on its background, if it would."""
    found = []
    bg = chart["background"]
    if rgba(bg)[3] < 1:
        found.append(f"background {bg} is not opaque")
        return found
    text = contrast(chart["color"], bg)
    if text < TEXT_CONTRAST:
        found.append(f"text {chart['color']} on {bg}: {text:.2f}:1")
    for t in chart["texts"]:
        if rgba(t["fill"])[:3] != rgba(chart["color"])[:3] or float(t["opacity"]) < 1:
            found.append(f"text fill {t['fill']} does not follow currentColor")
            break
    for colour in chart["series"]:
        ratio = contrast(colour, bg)
        if ratio < GRAPHIC_CONTRAST:
            found.append(f"series {colour} on {bg}: {ratio:.2f}:1")
    if not chart["texts"]:
        found.append("no text (axis labels, ticks) in the chart")
    return found
