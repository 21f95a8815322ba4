"""Errors the user can act on, and the exit status of each outcome.

The CLI group (voiceguide/cli/main.py) alone turns them into messages; the entry
point (voiceguide/cli/launch.py) alone ends the process with the status.
"""

EXIT_OK = 0
EXIT_ENVIRONMENT = 1  # the machine lacks something: TTS, ffmpeg, disk; or a bug
EXIT_INPUT = 2  # bad input: a routine, an option, a path
EXIT_INTERRUPTED = 130  # Ctrl-C (128 + SIGINT)
EXIT_TERMINATED = 143  # SIGTERM (128 + SIGTERM)


class Terminated(BaseException):
    """SIGTERM, raised where the program is so every cleanup runs (see launch.py)."""


class VoiceguideError(Exception):
    """Base of every error voiceguide reports to the user as one line."""

    exit_code = EXIT_ENVIRONMENT


class InputError(VoiceguideError):
    """Bad input from the user: a routine, an option, a stretch name (exit 2).

    `source` and `field` (a path such as steps[3].hold) say where in a file,
    so the line can be added once the file's text is at hand.
    """

    exit_code = EXIT_INPUT

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

    exit_code = EXIT_ENVIRONMENT
