"""Routine-file and catalog keys for a body's limits and whole second sides:
`needs`, setup sentences said once, `exit`, `between_sides`, `avoid`, `guidance`."""

from __future__ import annotations

import pytest

from voiceguide.errors import InputError
from voiceguide.words.catalog import NEEDS, load_catalog, stretch_from_table
from voiceguide.words.routine import GUIDANCE, load_routine


def write(tmp_path, text: str, name: str = "r.toml") -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


CUSTOM_TOML = """title = "Mine"
[[steps]]
name = "Figure four"
sided = true
needs = ["floor"]
setup = [
    { text = "Lie on your back with your knees bent.", once = true },
    "Cross your right ankle over your left knee.",
    { text = "Hold behind your left thigh.", once = false },
]
between_sides = ["Slowly uncross your right leg."]
exit = ["Roll onto your side, and come up slowly."]
"""

CUSTOM_YAML = """title: Mine
steps:
  - name: Figure four
    sided: true
    needs: [floor]
    setup:
      - text: Lie on your back with your knees bent.
        once: true
      - Cross your right ankle over your left knee.
      - {text: Hold behind your left thigh., once: false}
    between_sides: Slowly uncross your right leg.
    exit: ["Roll onto your side, and come up slowly."]
"""


@pytest.mark.parametrize("name, text", [("r.toml", CUSTOM_TOML), ("r.yaml", CUSTOM_YAML)])
def test_custom_step_setup_said_once_exit_and_between_sides(tmp_path, name, text):
    stretch = load_routine(write(tmp_path, text, name)).steps[0].stretch
    assert stretch.setup == (
        "Lie on your back with your knees bent.",
        "Cross your right ankle over your left knee.",
        "Hold behind your left thigh.",
    )
    assert stretch.once == frozenset({"Lie on your back with your knees bent."})
    assert stretch.between_sides == ("Slowly uncross your right leg.",)
    assert stretch.exit == ("Roll onto your side, and come up slowly.",)
    assert stretch.needs == ("floor",)
    assert stretch.custom


def test_plain_setup_strings_mean_repeat(tmp_path):
    path = write(tmp_path, 'title = "x"\n[[steps]]\nname = "Mine"\nsetup = ["Stand tall.", "Reach up."]\n')
    stretch = load_routine(path).steps[0].stretch
    assert stretch.setup == ("Stand tall.", "Reach up.") and stretch.once == frozenset()
    assert stretch.exit == () and stretch.between_sides == () and stretch.needs == ()


@pytest.mark.parametrize(
    "setup, message",
    [
        ('[{ text = "Sit.", once = "yes" }]', r"steps\[0\]\.setup\[0\]\.once: expected true or false, got 'yes'"),
        ("[{ once = true }]", r"steps\[0\]\.setup\[0\]\.text: is missing"),
        ('["Sit.", { text = "" }]', r"steps\[0\]\.setup\[1\]\.text: must not be empty"),
        ('[{ text = "Sit.", onse = true }]', r"steps\[0\]\.setup\[0\]\.onse: unknown key 'onse'; did you mean 'once'"),
        ('["Sit.", 3]', r"steps\[0\]\.setup\[1\]: expected text or a \{ text = \.\.\., once = true \} table, got 3"),
        ("7", r"steps\[0\]\.setup: expected a list of text or \{ text = \.\.\., once = true \} tables, got 7"),
        ("[]", r"steps\[0\]\.setup: is empty; give at least 1"),
    ],
)
def test_bad_setup_items_name_the_item(tmp_path, setup, message):
    path = write(tmp_path, f'title = "x"\n[[steps]]\nname = "Mine"\nsetup = {setup}\n')
    with pytest.raises(InputError, match=message):
        load_routine(path)


def test_avoid_and_guidance_at_the_top(tmp_path):
    text = 'title = "x"\navoid = ["kneeling", "floor", "kneeling"]\nguidance = "brief"\n[[steps]]\nstretch = "lunge"\n'
    routine = load_routine(write(tmp_path, text))
    assert routine.avoid == ("kneeling", "floor") and routine.guidance == "brief"
    default = load_routine(write(tmp_path, 'title = "x"\n[[steps]]\nstretch = "lunge"\n'))
    assert default.avoid == () and default.guidance == "full"


def test_avoid_and_guidance_in_a_yaml_preset_like_select(tmp_path):
    text = "title: x\navoid: inversion\nguidance: minimal\nselect:\n  positions: [standing]\n"
    routine = load_routine(write(tmp_path, text, "r.yaml"))
    assert routine.avoid == ("inversion",) and routine.guidance == "minimal"


@pytest.mark.parametrize(
    "line, message",
    [
        ('avoid = ["knees"]', r"r\.toml, line 2: avoid\[0\]: expected one of kneeling, lunging, floor, inversion, "
                              r"standing, prone; got 'knees'"),
        ("avoid = 3", r"avoid: expected a list, got 3"),
        ('guidance = "loud"', r"r\.toml, line 2: guidance: expected one of full, brief, minimal; got 'loud'"),
        ("guidance = true", r"guidance: expected one of full, brief, minimal; got true"),
    ],
)  # fmt: skip
def test_bad_avoid_and_guidance(tmp_path, line, message):
    path = write(tmp_path, f'title = "x"\n{line}\n[[steps]]\nstretch = "lunge"\n')
    with pytest.raises(InputError, match=message):
        load_routine(path)


def test_custom_needs_validated(tmp_path):
    path = write(tmp_path, 'title = "x"\n[[steps]]\nname = "Mine"\nsetup = ["Sit."]\nneeds = ["sitting"]\n')
    with pytest.raises(InputError, match=r"steps\[0\]\.needs\[0\]: expected one of kneeling, lunging, floor"):
        load_routine(path)


def test_no_recommendation_warning_for_custom_stretches(tmp_path):
    text = (
        'title = "x"\n[[steps]]\nname = "Mine"\nsetup = ["Sit."]\nhold = 90\n[[steps]]\nstretch = "lunge"\nhold = 90\n'
    )
    warnings = load_routine(write(tmp_path, text)).warnings()
    assert warnings == ["Lunge With Hamstring Stretch: a 90 s hold is outside the recommended 20-30 s"]


def test_guidance_names_match_routine():
    assert GUIDANCE == ("full", "brief", "minimal")
    assert NEEDS == ("kneeling", "lunging", "floor", "inversion", "standing", "prone")


BASE = {
    "id": "x", "name": "X", "targets": ["hamstrings"], "position": "standing", "sided": False,
    "kind": "hold", "hold": [20, 30], "setup": ["Stand."], "benefit": "b", "needs": ["standing"],
}  # fmt: skip


def test_catalog_needs_is_required_and_checked():
    without = {k: v for k, v in BASE.items() if k != "needs"}
    with pytest.raises(InputError, match=r"stretch\[2\]\.needs: is missing"):
        stretch_from_table(without, "stretch[2]", "catalog.toml")
    with pytest.raises(InputError, match=r"stretch\[2\]\.needs\[1\]: expected one of kneeling"):
        stretch_from_table({**BASE, "needs": ["standing", "hopping"]}, "stretch[2]", "catalog.toml")


def test_catalog_setup_once_exit_between_sides():
    table = {
        **BASE,
        "setup": [{"text": "Lie on your back.", "once": True}, "Lift your right leg."],
        "exit": ["Roll onto your side, and come up slowly."],
        "between_sides": ["Slowly lower your right leg."],
    }
    s = stretch_from_table(table, "stretch[0]", "catalog.toml")
    assert s.setup == ("Lie on your back.", "Lift your right leg.")
    assert s.once == frozenset({"Lie on your back."})
    assert s.exit == ("Roll onto your side, and come up slowly.",)
    assert s.between_sides == ("Slowly lower your right leg.",)
    assert not s.custom


def test_every_catalog_stretch_is_tagged():
    for s in load_catalog():
        assert (s.needs or s.position == "chair") and set(s.needs) <= set(NEEDS), s.id  # a chair asks nothing
        assert s.once <= set(s.setup), s.id
