"""README.md stays true: its routine example parses, its commands exist."""

from __future__ import annotations

import re
from pathlib import Path

from click.testing import CliRunner

from voiceguide.catalog import load_catalog
from voiceguide.cli import cli
from voiceguide.routine import routine_from_data
from voiceguide.routinefile import parse

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


def test_readme_routine_examples_parse():
    blocks = re.findall(r"```toml\n(.*?)```", README, re.S)
    assert blocks
    for block in blocks:
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
