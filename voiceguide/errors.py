"""Errors the user can act on. The CLI alone turns them into exit codes."""


class VoiceguideError(Exception):
    """Base of every error voiceguide reports to the user as one line."""

    exit_code = 1


class InputError(VoiceguideError):
    """Bad input from the user: a routine, an option, a stretch name (exit 2).

    `source` and `field` (a path such as steps[3].hold) say where in a file,
    so the line can be added once the file's text is at hand.
    """

    exit_code = 2

    def __init__(self, message: str, source: str | None = None, field: str | None = None):
        super().__init__(message)
        self.source = source
        self.field = field


class UnknownStretch(InputError):
    """A stretch name that is not in the catalog; carries the closest matches."""

    def __init__(
        self, query: str, suggestions: list[str], where: str = "", source: str | None = None, field: str | None = None
    ):
        self.query = query
        self.suggestions = suggestions
        hint = f" Did you mean: {', '.join(suggestions)}?" if suggestions else ""
        prefix = f"{where}: " if where else ""
        super().__init__(
            f"{prefix}no stretch named {query!r}.{hint} Run 'voiceguide list' to see them all.",
            source=source,
            field=field,
        )


class EnvironmentFailure(VoiceguideError):
    """The machine lacks something voiceguide needs: TTS, ffmpeg, disk (exit 1)."""

    exit_code = 1
