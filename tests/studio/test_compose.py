"""compose.py: the page's routine goes through the routine-file loader, and its TOML is what `build` reads."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from voiceguide.cli.main import cli
from voiceguide.errors import InputError
from voiceguide.sound.engines import make_engine
from voiceguide.studio import compose
from voiceguide.tomlload import parse_toml
from voiceguide.words.catalog import HOLD_LIMITS, NEEDS, load_catalog
from voiceguide.words.routine import MAX_STEPS, REPS_LIMITS, load_routine

CATALOG = load_catalog()
TABLE = {
    "title": "Ann's mornings",
    "guidance": "brief",
    "avoid": ["kneeling"],
    "laps": 2,
    "defaults": {"get_ready": 12},
    "steps": [
        {"stretch": "forward-bend", "hold": 20},
        {"stretch": "reclining-hand-to-big-toe", "hold": 25, "sides": "left", "rounds": 2},
        {"stretch": "dynamic-hamstring", "reps": 8},
        {"name": "Figure four", "setup": [{"text": "Lie on your back.", "once": True}, "Cross your right ankle."],
         "sided": True, "position": "lying"},
    ],
}  # fmt: skip


def test_the_catalog_for_the_page_carries_the_loaders_limits_and_every_exercise():
    data = compose.catalog_data(CATALOG)
    assert [e["id"] for e in data["exercises"]] == [s.id for s in CATALOG]
    assert data["limits"]["hold"] == list(HOLD_LIMITS) and data["limits"]["reps"] == list(REPS_LIMITS)
    assert data["needs"] == list(NEEDS)
    assert any(e["caution"] for e in data["exercises"])
    assert data["safety"] and all(isinstance(line, str) for line in data["safety"])


def test_the_toml_written_parses_back_to_the_same_table_and_the_same_routine(tmp_path):
    text = compose.toml_text(TABLE, "anns-mornings.toml")
    assert parse_toml(text.encode(), "x") == TABLE
    assert "[[steps]]" in text and "[defaults]" in text and "voiceguide build anns-mornings.toml" in text
    path = tmp_path / "anns-mornings.toml"
    path.write_text(text, encoding="utf-8")
    loaded = load_routine(str(path))
    composed = compose.routine_of(TABLE, CATALOG)
    assert loaded.steps == composed.steps
    assert (loaded.title, loaded.guidance, loaded.avoid, loaded.laps) == ("Ann's mornings", "brief", ("kneeling",), 2)


@pytest.mark.parametrize(
    "change, field, message",
    [
        ({"steps": [{"stretch": "forward-bend", "hold": 2}]}, "steps[0].hold", "2 is out of range; use 5 to 300"),
        ({"steps": [{"stretch": "forward-bend", "hold": "ten"}]}, "steps[0].hold", "expected a whole number"),
        ({"steps": []}, "steps", "is empty; add at least one step"),
        ({"steps": [{"stretch": "forward-bnd"}]}, "steps[0].stretch", "no stretch named 'forward-bnd'"),
        ({"steps": [{"stretch": "forward-bend", "sides": "left"}]}, "steps[0].sides", "not a one-side-at-a-time"),
        ({"guidance": "loud"}, "guidance", "expected one of full, brief, minimal"),
        ({"title": ""}, "title", "must not be empty"),
        ({"stepz": []}, "stepz", "did you mean 'steps'"),
        ({"steps": [{"stretch": "forward-bend"}] * (MAX_STEPS + 1)}, "steps", f"at most {MAX_STEPS}"),
    ],
)
def test_a_bad_routine_gets_the_loaders_message_and_field(change, field, message):
    with pytest.raises(InputError) as caught:
        compose.routine_of({"title": "T", "steps": [{"stretch": "forward-bend"}], **change}, CATALOG)
    assert caught.value.field == field
    assert str(caught.value).startswith(f"routine: {field}: ") and message in str(caught.value)


@pytest.mark.parametrize(
    "title, stem",
    [("Ann's mornings", "ann-s-mornings"), ("../../etc/passwd", "etc-passwd"), ("🙂", "routine"),
     ("CON", "con"), ("a" * 200, "a" * compose.MAX_NAME), (".hidden", "hidden")],
)  # fmt: skip
def test_file_names_are_made_from_the_title_never_a_path(title, stem):
    assert compose.file_stem(title) == stem


def test_opening_a_file_checks_it_as_build_would_and_names_the_line():
    good = compose.toml_text(TABLE, "x.toml").encode()
    assert compose.open_text(good, "x.toml", CATALOG) == TABLE
    bad = good.replace(b"hold = 25", b"hold = 2500")
    with pytest.raises(InputError, match=r"^x\.toml, line \d+: steps\[1\]\.hold: 2500 is out of range"):
        compose.open_text(bad, "x.toml", CATALOG)
    with pytest.raises(InputError, match="not valid"):
        compose.open_text(b"title = [", "x.toml", CATALOG)
    yaml = b"title: From YAML\nsteps:\n  - stretch: forward-bend\n"
    assert compose.open_text(yaml, "r.yaml", CATALOG)["title"] == "From YAML"


def test_the_preview_is_the_script_voiceguide_script_prints(tmp_path):
    path = tmp_path / "anns-mornings.toml"
    path.write_text(compose.toml_text(TABLE, path.name), encoding="utf-8")
    shown = compose.preview(compose.routine_of(TABLE, CATALOG), make_engine("pyttsx3"))
    printed = CliRunner().invoke(cli, ["script", str(path), "--engine", "pyttsx3"], catch_exceptions=False)
    assert printed.exit_code == 0, printed.stderr
    assert shown.script == printed.stdout
    assert shown.summary in printed.stdout and shown.seconds > 60


def test_sound_settings_follow_rate_and_musics_rules():
    assert compose.sound_of(None) == compose.Sound()
    assert compose.sound_of({"rate": 120, "music": "ambient"}) == compose.Sound(120, "ambient")
    assert compose.sound_of({"rate": 150, "music": "none"}) == compose.Sound(150, None)
    for bad, field, message in [
        ({"rate": 20}, "rate", "20 is out of range; use 80 to 300 words per minute"),
        ({"music": "/etc/passwd"}, "music", "expected one of none, ambient"),
        ({"volume": 3}, "volume", "unknown key 'volume'"),
    ]:
        with pytest.raises(InputError) as caught:
            compose.sound_of(bad)
        assert caught.value.field == field and message in str(caught.value)


def test_a_slower_rate_previews_as_script_rate_prints_it(tmp_path):
    path = tmp_path / "r.toml"
    path.write_text(compose.toml_text(TABLE, path.name), encoding="utf-8")
    slow = compose.preview(compose.routine_of(TABLE, CATALOG), make_engine("pyttsx3", rate=110))
    printed = CliRunner().invoke(cli, ["script", str(path), "--engine", "pyttsx3", "--rate", "110"])
    assert printed.exit_code == 0 and slow.script == printed.stdout
    normal = compose.preview(compose.routine_of(TABLE, CATALOG), make_engine("pyttsx3"))
    assert slow.seconds > normal.seconds
