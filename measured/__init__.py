"""Build machinery for Python Concurrency, Measured, in four layers.

Each layer imports only the ones above it in this list:

- ``measured.run``: execution. ``measure`` (the helper every experiment imports,
  standard library only), ``stats`` (paired ratios, intervals, the decision rule),
  ``runner`` (a fresh process group per run, timeout, how many runs), ``load``
  (free cores during a run), ``cache``, ``interpreter``, ``matrix``, ``backport``,
  ``provenance``, ``project``, ``forksafe``, and ``shapes`` (each experiment's
  declared result, a TypedDict). It knows nothing of claims.
- ``measured.claims``: judgement. The registry (evidence, verdicts), ``margins``,
  ``rule`` and one module of claims per part of the guide.
- ``measured.web``: the site. The MkDocs ``hooks``, ``render``, ``charts``, the
  errata page and ``ledger``, ``across`` (the interpreter matrix on pages),
  ``results`` (the results file the site publishes), ``example``, ``directives``
  (the ```` ```measured ```` fence pages use) and ``pages`` (one module of page
  code per page: its tables, charts and paragraphs).
- ``measured.cli``: ``python -m measured``: ``main``, ``reproduce`` + ``report``,
  ``check``, ``new`` (scaffolds an experiment: snippet, shape, claim, contradiction).
"""
