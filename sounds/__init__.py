"""The chimes, installed as the package voiceguide.sounds (see pyproject.toml)."""
