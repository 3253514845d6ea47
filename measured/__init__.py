"""Build machinery for Python Concurrency, Measured.

Modules, one job each:

- ``measure``: the measurement helper every experiment imports (stdlib only).
- ``runner``: runs one experiment script in a fresh process group.
- ``cache``: content-addressed storage of successful runs.
- ``provenance``: where and how a result was measured.
- ``charts``: matplotlib SVG charts that follow the page's colour scheme.
- ``render``: Markdown for pages (output, provenance line, charts).
- ``hooks``: the MkDocs hook that turns a failed experiment into a failed build.
- ``matrix``: which interpreters a build measures (settings, discovery, probes).
- ``across``: page helpers that run an experiment on every matrix interpreter.
- ``backport``: a 3.13 venv with the PEP 734 backport, for subinterpreters.

Experiments import ``measure``; pages call ``render``; nothing here imports a page.
"""
