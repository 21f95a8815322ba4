"""A corpus of bad input, each run through the real CLI: one clear line, exit status 2.

Routine files live in tests/bad_inputs/ (one mistake each); files that cannot
sit in the repository as text (binary, latin-1, oversized, missing, a folder)
are made here. Every case asserts: exit status 2, nothing on stdout, exactly
one stderr line starting with "Error: ", no traceback, the file named, and the
words that tell the person what is wrong and where.
"""

from __future__ import annotations

import shutil

import pytest
from clirun import assert_one_error, run
from repo import TESTS

CORPUS = TESTS / "bad_inputs"

P = pytest.param

# file in tests/bad_inputs, command, words the one error line must contain
FILE_CASES = [
    # -- typos in keys, with the closest key suggested ----------------------
    P("top_key_typo.toml", "script", ["tittle", "unknown key", "did you mean 'title'"], id="toml-top-key-typo"),
    P(
        "defaults_key_typo.toml",
        "check",
        ["defaults.hodl", "unknown key", "did you mean 'hold'"],
        id="toml-defaults-key-typo",
    ),
    P(
        "step_key_typo.toml",
        "script",
        ["steps[1].side", "unknown key", "did you mean 'sides'"],
        id="toml-step-key-typo",
    ),
    P("select_key_typo.toml", "script", ["select.position", "did you mean 'positions'"], id="toml-select-key-typo"),
    # -- holds --------------------------------------------------------------
    P("hold_text.toml", "script", ["steps[1].hold", "whole number of seconds", "'thirty'"], id="hold-text"),
    P("hold_zero.toml", "check", ["steps[1].hold", "0 is out of range", "5 to 300 seconds"], id="hold-zero"),
    P("hold_negative.toml", "script", ["steps[1].hold", "-5 is out of range", "5 to 300"], id="hold-negative"),
    P("hold_huge.toml", "script", ["steps[1].hold", "100000 is out of range", "5 to 300"], id="hold-huge"),
    P("hold_fraction.toml", "script", ["steps[1].hold", "whole number", "2.5"], id="hold-fraction"),
    P("hold_bool.toml", "script", ["steps[1].hold", "whole number", "got true"], id="hold-bool"),
    # -- reps ---------------------------------------------------------------
    P("reps_zero.toml", "script", ["steps[0].reps", "0 is out of range", "1 to 50 reps"], id="reps-zero"),
    P("reps_51.toml", "check", ["steps[0].reps", "51 is out of range", "1 to 50"], id="reps-51"),
    P("reps_text.toml", "script", ["steps[0].reps", "whole number of reps", "'ten'"], id="reps-text"),
    # -- doses: tempo reps, sets, rests, breathing, contract-relax (issue 23) --
    P("tempo_zero.toml", "script", ["line 10", "steps[0].tempo.up", "0 s is not a length of time"], id="tempo-zero"),
    P("tempo_negative.yaml", "script", ["line 6", "steps[0].tempo.down", "-3 s is not"], id="tempo-negative-yaml"),
    P("sets_zero.toml", "check", ["line 8", "steps[0].sets", "0 is out of range", "1 to 10 sets"], id="sets-zero"),
    P(
        "rest_over_ten_minutes.toml",
        "script",
        ["line 9", "steps[0].rest", "900 s is out of range", "at most 600 s (10 minutes)"],
        id="rest-over-ten-minutes",
    ),
    P(
        "rest_too_short.toml",
        "script",
        ["line 9", "steps[0].rest", "Glute bridge", "shorter than its words and the 5 s settle time", "at least"],
        id="rest-shorter-than-its-words",
    ),
    P(
        "tempo_too_quick.toml",
        "script",
        ["line 10", "steps[0].tempo", "Glute bridge", "too quick", "the shortest that fits is tempo = { up = "],
        id="tempo-too-quick-for-its-words",
    ),
    P("breaths_with_reps.toml", "script", ["line 8", "steps[0].reps", "both 'breaths' and 'reps'"], id="breaths-reps"),
    P(
        "contract_relax_no_hold.toml",
        "script",
        ["line 5", "steps[0].contract_relax", "dynamic reps, with no hold", "remove 'contract_relax'"],
        id="contract-relax-without-a-hold",
    ),
    P(
        "contract_relax_on_breathing.yaml",
        "check",
        ["line 7", "steps[0].contract_relax", "paced breathing, with no hold"],
        id="contract-relax-on-breathing-yaml",
    ),
    # -- the list of steps --------------------------------------------------
    P("steps_empty.toml", "script", ["steps", "is empty"], id="steps-empty"),
    P("steps_not_list.toml", "script", ["steps", "expected a list of tables", "'x'"], id="steps-not-a-list"),
    P("step_not_table.toml", "script", ["steps[0]", "expected a table", "1"], id="step-not-a-table"),
    P("too_many_steps.toml", "check", ["steps", "201 steps", "at most 200"], id="steps-too-many"),
    P("step_stretch_and_name.toml", "script", ["steps[0]", "both 'stretch'", "'name'"], id="step-stretch-and-name"),
    P("step_neither.toml", "script", ["steps[0]", "needs 'stretch'"], id="step-neither-stretch-nor-name"),
    # -- custom stretches ---------------------------------------------------
    P("custom_no_setup.toml", "script", ["steps[0].setup", "Figure four", "needs 'setup'"], id="custom-without-setup"),
    P("custom_setup_numbers.toml", "script", ["steps[0].setup[0]", "expected text", "1"], id="custom-setup-numbers"),
    P(
        "custom_setup_empty_string.toml",
        "script",
        ["steps[0].setup[0]", "must not be empty"],
        id="custom-setup-empty-string",
    ),
    P("custom_kind_wrong.toml", "script", ["steps[0].kind", "hold, reps", "'stretchy'"], id="custom-kind-wrong"),
    # -- sides and rounds ---------------------------------------------------
    P("sides_middle.toml", "script", ["steps[0].sides", "both, right, left", "'middle'"], id="sides-middle"),
    P(
        "sides_not_sided.toml",
        "script",
        ["steps[1].sides", "Forward Bend", "not a one-side-at-a-time"],
        id="sides-on-unsided",
    ),
    P("rounds_zero.toml", "script", ["rounds", "0 is out of range", "1 to 20 rounds"], id="rounds-zero"),
    P("step_rounds_21.toml", "script", ["steps[1].rounds", "21 is out of range", "1 to 20"], id="step-rounds-21"),
    # -- unknown stretch names: the closest catalog match comes first -------
    P(
        "unknown_stretch.toml",
        "script",
        ["steps[0].stretch", "'forwad bend'", "Did you mean: forward-bend"],
        id="stretch-typo",
    ),
    P(
        "unknown_stretch_second.toml",
        "check",
        ["steps[1].stretch", "'downward dgo'", "Did you mean: downward-dog"],
        id="stretch-typo-second-step",
    ),
    # -- title and spoken text ----------------------------------------------
    P("title_missing.toml", "script", ["title", "is missing"], id="title-missing"),
    P("title_number.toml", "script", ["title", "expected text", "5"], id="title-number"),
    P("title_long.toml", "script", ["title", "500 characters", "under 120"], id="title-500-chars"),
    P("tips_long.toml", "script", ["steps[1].tips[0]", "5000 characters", "under 300"], id="tips-5000-chars"),
    P("tips_too_many.toml", "script", ["steps[1].tips", "11 items", "at most 10"], id="tips-too-many"),
    P("intro_long.toml", "script", ["intro[0]", "characters long", "under 300"], id="intro-5000-chars"),
    P("intro_number.toml", "script", ["intro", "expected a list of text", "5"], id="intro-number"),
    # -- defaults -----------------------------------------------------------
    P("defaults_number.toml", "script", ["defaults", "expected a table", "3"], id="defaults-number"),
    P("countdown_text.toml", "script", ["defaults.countdown", "true or false", "'yes'"], id="countdown-text"),
    P(
        "get_ready_too_long.toml",
        "script",
        ["defaults.get_ready", "500 is out of range", "0 to 120"],
        id="get-ready-500",
    ),
    # -- select -------------------------------------------------------------
    P(
        "select_unknown_position.toml",
        "script",
        ["select.positions[1]", "'ceiling'", "standing"],
        id="select-unknown-position",
    ),
    P("select_matches_nothing.toml", "script", ["select", "matches no stretch"], id="select-matches-nothing"),
    P("select_and_steps.toml", "script", ["both 'select' and 'steps'"], id="select-and-steps"),
    P("select_kinds_number.toml", "script", ["select.kinds", "expected a list", "3"], id="select-kinds-number"),
    # -- length -------------------------------------------------------------
    P("minutes_zero.toml", "script", ["minutes", "0 is out of range", "1 to 180"], id="minutes-zero"),
    P("over_three_hours.toml", "check", ["3 hours", "fewer rounds"], id="session-over-3-hours"),
    # -- invalid TOML: the line is named ------------------------------------
    P("invalid_toml.toml", "script", ["not valid TOML", "line 4"], id="toml-invalid-value"),
    P("invalid_toml_string.toml", "check", ["not valid TOML", "line 3"], id="toml-unterminated-string"),
    # -- YAML ---------------------------------------------------------------
    P("hold_text.yaml", "script", ["steps[1].hold", "whole number of seconds", "'thirty'"], id="yaml-hold-text"),
    P("top_key_typo.yaml", "script", ["intor", "did you mean 'intro'"], id="yaml-top-key-typo"),
    P("step_key_typo.yaml", "check", ["steps[0].hodl", "did you mean 'hold'"], id="yaml-step-key-typo"),
    P("unknown_stretch.yaml", "script", ["steps[0].stretch", "Did you mean: seated-hamstring"], id="yaml-stretch-typo"),
    P("steps_mapping.yaml", "script", ["steps", "expected a list of tables", "a table"], id="yaml-steps-mapping"),
    P("title_null.yaml", "script", ["title", "expected text"], id="yaml-title-null"),
    P("top_list.yaml", "script", ["expected a table", "a list"], id="yaml-top-level-list"),
    P("sides_middle.yml", "script", ["steps[0].sides", "'middle'"], id="yml-sides-middle"),
    P("python_tag.yaml", "script", ["not valid YAML", "line 3", "python/object"], id="yaml-python-tag"),
    P("custom_tag.yaml", "check", ["not valid YAML", "line 3", "!custom", "not allowed"], id="yaml-custom-tag"),
    P("billion_laughs.yaml", "script", ["anchors and aliases", "not allowed", "line 1"], id="yaml-billion-laughs"),
    P("anchor_only.yaml", "script", ["anchors and aliases", "line 1"], id="yaml-anchor"),
    P("invalid_yaml.yaml", "script", ["not valid YAML", "line 4"], id="yaml-bad-indent"),
    P("comments_only.yaml", "check", ["empty"], id="yaml-comments-only"),
]

TITLE = b'title = "Morning"\n[[steps]]\nstretch = "forward bend"\n'

# made here: name -> bytes (None: not created; "dir": a folder)
MADE_CASES = [
    P("empty.toml", b"", "script", ["is empty", "voiceguide init"], id="empty-file"),
    P("blank.toml", b"  \n\t\n   \n", "check", ["is empty"], id="whitespace-only-file"),
    P("blank.yaml", b"\n\n  \n", "script", ["is empty"], id="whitespace-only-yaml"),
    P(
        "binary.toml",
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)),
        "script",
        ["binary file"],
        id="binary-file",
    ),
    P("utf16.toml", 'title = "Morning"\n'.encode("utf-16"), "script", ["binary file"], id="utf16-file"),
    P(
        "latin1.toml",
        'title = "Étirements du matin"\n'.encode("latin-1") + TITLE[17:],
        "script",
        ["not UTF-8", "byte 9"],
        id="latin1-toml",
    ),
    P(
        "latin1.yaml",
        "title: Café\nsteps: [{stretch: lunge}]\n".encode("latin-1"),
        "check",
        ["not UTF-8", "byte 10"],
        id="latin1-yaml",
    ),
    P("missing.toml", None, "script", ["no such file"], id="missing-file"),
    P("missing.yaml", None, "check", ["no such file"], id="missing-yaml"),
    P("folder.toml", "dir", "script", ["is a directory"], id="directory"),
    P(
        "huge.toml",
        TITLE + b"# " + b"x" * (300 * 1024) + b"\n",
        "script",
        ["KiB", "at most 256 KiB"],
        id="file-over-256-KiB",
    ),
    P("huge.yaml", b"title: T\n" + b"# padding\n" * 30000, "check", ["KiB", "at most 256 KiB"], id="yaml-over-256-KiB"),
    P(
        "deep.toml",
        b'title = "T"\nx = ' + b"[" * 30000 + b"]" * 30000 + b"\n",
        "script",
        ["nested too deeply"],
        id="toml-deeply-nested",
    ),
    P(
        "deep.yaml",
        b"title: T\nx: " + b"[" * 30000 + b"]" * 30000 + b"\n",
        "script",
        ["nested too deeply"],
        id="yaml-deeply-nested",
    ),
    P(
        "bigint.toml",
        TITLE + b"hold = " + b"9" * 5000 + b"\n",
        "script",
        ["not valid TOML", "5000 digits"],
        id="toml-5000-digit-number",
    ),
    P(
        "bigint.yaml",
        b"title: T\nsteps: [{stretch: lunge, hold: " + b"9" * 5000 + b"}]\n",
        "script",
        ["not valid YAML", "5000 digits"],
        id="yaml-5000-digit-number",
    ),
    P(
        "empty_setup.toml",
        b'title = "T"\n[[steps]]\nname = "Figure four"\nsetup = []\n',
        "check",
        ["steps[0].setup"],
        id="custom-setup-empty-list",
    ),
]


@pytest.fixture
def in_tmp(tmp_path, monkeypatch, shared_cache):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("VOICEGUIDE_CACHE_DIR", str(shared_cache))
    return tmp_path


def _cli_args(command: str, name: str) -> list[str]:
    return ["build", name, "-o", "out.mp3"] if command == "build" else [command, name]


@pytest.mark.parametrize("name, command, words", FILE_CASES)
def test_bad_routine_file(in_tmp, name, command, words):
    shutil.copy(CORPUS / name, in_tmp / name)
    assert_one_error(run(*_cli_args(command, name)), name, *words)


@pytest.mark.parametrize("name, content, command, words", MADE_CASES)
def test_bad_file_made_here(in_tmp, name, content, command, words):
    if content == "dir":
        (in_tmp / name).mkdir()
    elif content is not None:
        (in_tmp / name).write_bytes(content)
    assert_one_error(run(*_cli_args(command, name)), name, *words)


BUILD_CASES = [
    P("hold_text.toml", ["steps[1].hold", "'thirty'"], id="build-hold-text"),
    P("unknown_stretch.toml", ["Did you mean: forward-bend"], id="build-stretch-typo"),
    P("invalid_toml.toml", ["line 4"], id="build-invalid-toml"),
    P("billion_laughs.yaml", ["anchors and aliases"], id="build-billion-laughs"),
    P("over_three_hours.toml", ["3 hours"], id="build-over-3-hours"),
]


@pytest.mark.parametrize("name, words", BUILD_CASES)
def test_build_writes_nothing_on_bad_input(in_tmp, name, words):
    shutil.copy(CORPUS / name, in_tmp / name)
    before = set(in_tmp.iterdir())
    out = in_tmp / "session.mp3"
    try:
        assert_one_error(run("build", name, "-o", out.name), name, *words)
    finally:
        after = set(in_tmp.iterdir())
        assert not out.exists()
        assert not list(in_tmp.glob("*.part")) and not list(in_tmp.glob(".*.part"))
        assert after == before


def test_build_over_three_hours_writes_nothing(in_tmp):
    """The same case without the file-name check, so the no-output promise is still tested."""
    shutil.copy(CORPUS / "over_three_hours.toml", in_tmp)
    result = run("build", "over_three_hours.toml", "-o", "session.mp3")
    assert_one_error(result, "hours", "limit is 3 hours")
    assert sorted(p.name for p in in_tmp.iterdir()) == ["over_three_hours.toml"]


# -- bad options -------------------------------------------------------------

OPTION_CASES = [
    P(["script", "--hold", "3"], ["--hold", "3", "5<=x<=300"], id="hold-3"),
    P(["script", "--hold", "abc"], ["--hold", "'abc'"], id="hold-abc"),
    P(["build", "--hold", "301", "-o", "x.mp3"], ["--hold", "301"], id="build-hold-301"),
    P(["script", "--minutes", "0"], ["--minutes", "1<=x<=180"], id="minutes-0"),
    P(["script", "--minutes", "181"], ["--minutes", "1<=x<=180"], id="minutes-181"),
    P(
        ["script", "--only", "lunge,standing", "--minutes", "2"],
        ["--minutes", "cannot fit 2 minutes", "shortest session with the 2 stretches chosen", "over"],
        id="minutes-2-too-short-for-the-choice",
    ),
    P(
        ["script", "--minutes", "1"],
        ["--minutes", "cannot fit 1 minute within", "shortest session"],
        id="minutes-1-too-short",
    ),
    P(
        ["script", "--minutes", "5", "--rounds", "20"],
        ["--minutes", "cannot fit 5", "shortest session"],
        id="minutes-with-20-rounds",
    ),
    P(["script", "--only", "nosuchstretch"], ["--only", "'nosuchstretch'", "voiceguide list"], id="only-unknown"),
    P(["script", "--only", "forwad bend"], ["--only", "Did you mean: forward-bend"], id="only-typo"),
    P(["script", "--skip", "wal stretch"], ["--skip", "Did you mean: wall-hamstring"], id="skip-typo"),
    P(
        [
            "script",
            "--skip",
            "dynamic,forward-bend,standing-hamstring,lunge,downward-dog",
            "--skip",
            "seated-hamstring,supine,reclining-hand-to-big-toe,wall",
        ],
        ["no stretches left", "--skip"],
        id="skip-everything",
    ),
    P(["script", "anywhere", "--only", "wall", "--avoid", "floor"], ["no stretches left"], id="only-avoided"),
    P(["script", "--equipment", "rope"], ["--equipment", "'rope'", "strap"], id="equipment-rope"),
    P(["script", "--position", "ceiling"], ["--position", "'ceiling'", "standing"], id="position-ceiling"),
    P(["script", "--rounds", "0"], ["--rounds", "1<=x<=20"], id="rounds-0"),
    P(["script", "--get-ready", "-1"], ["--get-ready", "0<=x<=120"], id="get-ready-negative"),
    P(["script", "--reps", "100"], ["--reps", "1<=x<=50"], id="reps-100"),
    P(["script", "--order", "random"], ["--order", "'random'", "flow", "as-given"], id="order-random"),
    P(["script", "--format", "xml"], ["--format", "'xml'"], id="format-xml"),
    P(["script", "--voice", "nosuchvoice"], ["'nosuchvoice'", "voiceguide voices"], id="voice-unknown"),
    P(["script", "nosuchpreset"], ["'nosuchpreset'", "presets:", "full"], id="unknown-preset"),
    P(["check", "--rate", "100000", "ROUTINE"], ["--rate"], id="check-rate-100000"),
]


@pytest.mark.parametrize("args, words", OPTION_CASES)
def test_bad_option(in_tmp, args, words):
    if "ROUTINE" in args:
        (in_tmp / "ok.toml").write_bytes(TITLE)
        args = ["ok.toml" if a == "ROUTINE" else a for a in args]
    assert_one_error(run(*args), *words)
    assert not list(in_tmp.glob("*.mp3")) and not list(in_tmp.glob("*.part"))


def test_init_refuses_to_overwrite(in_tmp):
    (in_tmp / "routine.toml").write_text("mine")
    assert_one_error(run("init"), "routine.toml", "already exists", "--force")
    assert_one_error(run("init", "routine.toml"), "routine.toml", "already exists")
    assert (in_tmp / "routine.toml").read_text() == "mine"


# -- allowed, with a warning -------------------------------------------------


def _routine(hold: int) -> bytes:
    return TITLE + f"hold = {hold}\n".encode()


@pytest.mark.parametrize("command", ["check", "script"])
def test_hold_outside_advice_warns_but_works(in_tmp, command):
    (in_tmp / "long.toml").write_bytes(_routine(60))
    result = run(command, "long.toml")
    assert result.exit_code == 0, result.stderr
    lines = [line for line in result.stderr.splitlines() if not line.startswith("Voice: ")]
    assert len(lines) == 1 and lines[0].startswith("Warning: "), result.stderr
    assert "Forward Bend" in lines[0] and "60 s" in lines[0] and "20-30 s" in lines[0]
    assert "Traceback" not in result.stderr and result.stdout


@pytest.mark.parametrize("hold", [20, 25, 30])
def test_hold_within_advice_does_not_warn(in_tmp, hold):
    (in_tmp / "fine.toml").write_bytes(_routine(hold))
    result = run("check", "fine.toml")
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    assert result.stdout.startswith("fine.toml: OK.")
