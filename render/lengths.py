"""How long a video may be asked to be, in seconds: one fact for the API, the CLI, the
worker protocol and the script writer (a module of its own, so reading it loads nothing)."""

MIN_SECONDS = 15
MAX_SECONDS = 15 * 60
