"""The CLI run in-process, and the shape of a bad-input answer: exit 2, one line, no traceback, no stdout."""

from click.testing import CliRunner

from voiceguide.cli.main import cli


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


def assert_one_error(result, *words):
    assert result.exit_code == 2, (result.exit_code, result.stderr, result.exception)
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("Error: "), lines[0]
    for word in words:
        assert word in lines[0], f"{word!r} not in {lines[0]!r}"
    return lines[0]
