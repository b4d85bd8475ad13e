"""The offline script writer: Jinja2 templates per niche and seeded phrase banks."""

from importlib import import_module
from typing import Any

# Loaded on first use (PEP 562): importing a constant of ``render.script.write`` (the
# worker protocol does) does not load the template catalog and topic analysis.
_EXPORTS = {
    "list_niches": "catalog",
    "list_templates": "catalog",
    "Topic": "topic",
    "analyze_topic": "topic",
    "DEFAULT_WORDS_PER_SECOND": "write",
    "ScriptWriter": "write",
    "write_script": "write",
}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(f"{__name__}.{_EXPORTS[name]}"), name)
