"""README.md stays true: its examples parse and run, its commands exist, .ci/run runs its test command."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from voiceguide.cli.main import cli
from voiceguide.tomlload import parse_toml
from voiceguide.words.catalog import load_catalog
from voiceguide.words.routine import routine_from_data
from voiceguide.words.routinefile import parse

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


def test_readme_routine_examples_parse():
    blocks = re.findall(r"```toml\n(.*?)```", README, re.S)
    assert blocks
    for block in blocks:
        if block.startswith("# A voiceguide program"):
            continue  # the program example: tests/programs/test_program.py plans it
        routine = routine_from_data(parse(block.encode(), "README"), "README", load_catalog())
        assert routine.steps


def test_every_command_is_documented_and_every_documented_command_exists():
    documented = set(re.findall(r"^voiceguide (\w[\w-]*)", README, re.M))
    assert documented == set(cli.commands)


def test_every_builder_option_is_documented():
    for param in cli.commands["build"].params:
        for opt in param.opts:
            if opt.startswith("--") and opt != "--help":
                assert opt in README, opt


def test_readme_first_command_writes_the_file_the_readme_names():
    help_text = CliRunner().invoke(cli, ["build", "--help"]).stdout
    assert "hamstring-stretches.mp3" in README and "hamstring-stretches.mp3" in re.sub(r"-\s+", "-", help_text)


# -- the two commands, and .ci/run ---------------------------------------------

REPO = Path(__file__).resolve().parent.parent
CI_RUN = (REPO / ".ci" / "run").read_text(encoding="utf-8")


def two_commands() -> list[str]:
    section = README.split("## The two commands", 1)[1].split("\n## ", 1)[0]
    return [block.strip() for block in re.findall(r"```sh\n(.*?)```", section, re.S)]


# System packages some tests need, installed by .ci/run (when missing) before the README's command.
SYSTEM_SETUP = ("[ -x /usr/bin/chromium ] ||",)


def ci_lines() -> list[str]:
    """.ci/run's commands, comments, shell settings and system package setup left out."""
    lines = [line.strip() for line in CI_RUN.splitlines()]
    return [line for line in lines if line and not line.startswith(("#", "set ", 'cd "$(dirname', *SYSTEM_SETUP))]


def test_the_two_commands_need_only_python3_and_make_their_own_venv():
    build, test = two_commands()
    for command in (build, test):
        assert "\n" not in command
        steps = command.split(" && ")
        # Debian and Ubuntu have no `python`, and PEP 668 refuses pip outside a venv.
        assert steps[0] == "python3 -m venv .venv"
        assert all(step.startswith(".venv/bin/") for step in steps[1:]), command
    assert build.endswith(".venv/bin/voiceguide build")
    assert test.endswith(".venv/bin/python -m pytest")
    assert "python3-venv" in README


def test_ci_runs_the_readme_test_command_after_lint_format_and_type_checks():
    _, test = two_commands()
    setup, pytest_step = test.rsplit(" && ", 1)
    lines = ci_lines()
    assert lines[0] == setup and lines[-1] == pytest_step
    assert lines[1:-1] == [
        ".venv/bin/ruff check voiceguide tests scripts",
        ".venv/bin/ruff format --check voiceguide tests scripts",
        *([".venv/bin/mypy"] if ".venv/bin/mypy" in lines else []),
    ]
    assert re.search(r"^#? ?\.venv/bin/mypy$", CI_RUN, re.M), "the type check is in .ci/run (enabled or not)"
    assert "set -euo pipefail" in CI_RUN  # a failing check stops the run


def test_the_test_extra_brings_the_check_tools():
    pyproject = parse_toml((REPO / "pyproject.toml").read_bytes(), "pyproject.toml")
    extra = pyproject["project"]["optional-dependencies"]
    names = {re.split(r"[<>=!~; \[]", spec, maxsplit=1)[0].lower() for spec in extra["test"]}
    assert {"pytest", "ruff", "mypy", "types-pyyaml"} <= names


# -- the Python API section -------------------------------------------------------


def python_api_block() -> str:
    section = README.split("## Python API", 1)[1].split("\n## ", 1)[0]
    (block,) = re.findall(r"```python\n(.*?)```", section, re.S)
    return block


def test_python_api_example_is_three_lines_that_name_real_calls():
    import inspect
    from pathlib import Path as P

    from voiceguide import engines, routine, session

    block = python_api_block()
    assert len(block.strip().splitlines()) == 3
    compile(block, "README.md", "exec")
    bound = inspect.signature(session.build_session).bind(routine.load_routine("gentle"), object(), P("gentle.mp3"))
    assert not bound.kwargs
    inspect.signature(engines.make_engine).bind()


@pytest.mark.slow
def test_python_api_example_builds_a_session(tmp_path, monkeypatch):
    """Run as written, with the chimes-only engine so it takes a second."""
    import subprocess

    import voiceguide.sound.engines

    real = voiceguide.sound.engines.make_engine
    monkeypatch.setattr(voiceguide.sound.engines, "make_engine", lambda *a, **k: real("none"))
    monkeypatch.chdir(tmp_path)
    exec(compile(python_api_block(), "README.md", "exec"), {})
    out = tmp_path / "gentle.mp3"
    assert out.stat().st_size > 0
    from voiceguide.ffmpeg import ffmpeg_path

    probe = subprocess.run([ffmpeg_path(), "-i", str(out)], capture_output=True, text=True)
    assert "Audio: mp3" in probe.stderr
