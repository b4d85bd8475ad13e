"""The offline script writer: Jinja2 templates per niche and seeded phrase banks."""

from render.script.catalog import list_niches, list_templates
from render.script.topic import Topic, analyze_topic
from render.script.write import DEFAULT_WORDS_PER_SECOND, ScriptWriter, write_script

__all__ = [
    "DEFAULT_WORDS_PER_SECOND",
    "ScriptWriter",
    "Topic",
    "analyze_topic",
    "list_niches",
    "list_templates",
    "write_script",
]
