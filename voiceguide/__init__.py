"""voiceguide: turn a stretching routine into a follow-along audio session."""

__version__ = "0.1.0"
