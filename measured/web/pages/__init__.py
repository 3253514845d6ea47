"""Page code: one module per page (docs/cpu-bound.md -> pages/cpu_bound.py).

Functions here render a page's tables, charts and other measured pieces as
Markdown or HTML strings. A page asks for them with a ``show`` directive
(measured/web/directives.py); ruff, type checkers and tests see this code, which
they could not inside a Markdown code block.
"""
