"""The ``measured-notebooks`` plugin: mkdocs-jupyter, with its converter imported late.

mkdocs-jupyter imports nbconvert and jupytext when MkDocs loads it, 0.6-1.0 s of
every build. A warm build never needs them: the notebook page comes from the
plugin's own cache, and ``ignore: ["*.md", "*.py"]`` keeps jupytext away from every
other page. So this module puts stand-ins for the two modules in ``sys.modules``
before the plugin is imported; the first attribute read (``convert.nb2html`` on a
cache miss) imports the real module. Configuration and behaviour are the plugin's own,
but for one fix made as that module loads (:func:`coalesce_after_execution`): a
print's pieces reach the page as one output, as they reached the reader's screen.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
import types
from typing import Any

# Imported by mkdocs_jupyter.plugin at load time, used only to convert a notebook.
CONVERTER = "mkdocs_jupyter.convert"
DEFERRED = ("jupytext", CONVERTER)
# The converter's module (imported with it) whose get_nbconvert_app configures
# the nbconvert exporter for every notebook.
APP_FACTORY = "mkdocs_jupyter.nbconvert2"
COALESCE = "nbconvert.preprocessors.CoalesceStreamsPreprocessor"
EXECUTE = "nbconvert.preprocessors.ExecutePreprocessor"


def coalesce_after_execution(app: Any) -> Any:
    """Configure ``app`` (an NbConvertApp) to merge each cell's consecutive stream
    outputs after the notebook is executed, not before (nbconvert's order).

    The kernel sends stdout in pieces, on a timer: ``print("result:", 49)`` once
    reached the page as two blocks, "result:" and " 49", on a busy machine.
    Merged, the page shows what the cell printed, however it was sent.
    """
    from nbconvert.exporters.html import HTMLExporter

    order = [p for p in HTMLExporter().default_preprocessors if p != COALESCE]
    order.insert(order.index(EXECUTE) + 1, COALESCE)
    app.config.HTMLExporter.default_preprocessors = order
    app.config.CoalesceStreamsPreprocessor.enabled = True
    return app


def _coalesce_in(factory_module: types.ModuleType) -> None:
    """Wrap ``factory_module.get_nbconvert_app`` with coalesce_after_execution."""
    make = factory_module.get_nbconvert_app
    if getattr(make, "coalesces", False):
        return

    def get_nbconvert_app(*args: Any, **kwargs: Any) -> Any:
        return coalesce_after_execution(make(*args, **kwargs))

    get_nbconvert_app.coalesces = True  # type: ignore[attr-defined]
    factory_module.get_nbconvert_app = get_nbconvert_app


class OnFirstUse(types.ModuleType):
    """Stands in for a module until one of its attributes is read.

    ``__spec__`` is a plain attribute, so the import statement's own checks (which
    read it) do not count as a use.
    """

    def __getattr__(self, attr: str) -> Any:
        if sys.modules.get(self.__name__) is self:
            del sys.modules[self.__name__]
        module = importlib.import_module(self.__name__)
        if self.__name__ == CONVERTER:
            _coalesce_in(sys.modules[APP_FACTORY])
        self.__dict__.update(module.__dict__)  # later reads skip this method
        return getattr(module, attr)


def defer(name: str) -> None:
    """Put a stand-in for ``name`` in ``sys.modules`` unless it is imported already."""
    if name in sys.modules:
        if name == CONVERTER:  # imported before this module: fix it in place
            _coalesce_in(sys.modules[APP_FACTORY])
        return
    spec = importlib.util.find_spec(name)  # imports the parent package, not ``name``
    if spec is None:
        return  # not installed: the plugin's own import reports it
    stand_in = OnFirstUse(name)
    stand_in.__spec__ = spec
    sys.modules[name] = stand_in
    parent, _, child = name.rpartition(".")
    if parent:
        # `from . import convert` looks on the package first; without the attribute
        # the import system would load the module itself.
        setattr(sys.modules[parent], child, stand_in)


for _name in DEFERRED:
    defer(_name)

from mkdocs_jupyter.plugin import Plugin  # noqa: E402 - after the stand-ins


class Notebooks(Plugin):
    """mkdocs-jupyter's plugin, unchanged; only its import is lighter."""
