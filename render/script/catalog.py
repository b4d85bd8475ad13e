"""Which niches and templates exist: folders and files under ``templates/``."""

from __future__ import annotations

from jinja2 import Environment, PackageLoader, StrictUndefined

from render.script.phrases import SHARED, templates_root

TEMPLATE_SUFFIX = ".j2"


def list_niches() -> list[str]:
    root = templates_root()
    return sorted(
        entry.name
        for entry in root.iterdir()
        if entry.is_dir() and not entry.name.startswith("_") and _templates_in(entry.name)
    )


def list_templates(niche: str) -> list[str]:
    """Template names of ``niche`` as ``niche/name``; ``ValueError`` for an unknown niche."""
    check_niche(niche)
    return [f"{niche}/{name}" for name in _templates_in(niche)]


def check_niche(niche: str) -> None:
    known = list_niches()
    if niche not in known:
        raise ValueError(f"unknown niche {niche!r}; known niches: {', '.join(known)}")


def make_environment() -> Environment:
    # Plain text out, never HTML: no autoescape. StrictUndefined makes a typo in a
    # template an error instead of a silent gap in the narration.
    return Environment(
        loader=PackageLoader("render.script", "templates"),
        autoescape=False,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def _templates_in(niche: str) -> list[str]:
    if niche == SHARED:
        return []
    folder = templates_root() / niche
    if not folder.is_dir():
        return []
    return sorted(
        entry.name.removesuffix(TEMPLATE_SUFFIX)
        for entry in folder.iterdir()
        if entry.name.endswith(TEMPLATE_SUFFIX) and not entry.name.startswith("_")
    )
