"""A built wheel carries everything a non-editable install needs.

The editable install used for development reads sounds/ and data/ straight
from the checkout, so it cannot show a packaging mistake. Here a wheel is built
from a copy of the working tree, its contents are listed, and it is installed
into a fresh venv that imports it from outside the repository.
"""

from __future__ import annotations

import configparser
import json
import os
import shutil
import subprocess
import sys
import zipfile
from importlib.util import find_spec
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parent.parent
CHIME_FILES = ("start.wav", "end.wav", "switch.wav", "finish.wav")
REQUIRED = (
    *(f"voiceguide/sounds/{name}" for name in CHIME_FILES),
    "voiceguide/data/catalog.toml",
    "voiceguide/data/routines/full.toml",
    "voiceguide/data/fonts/DejaVuSans.ttf",
    "voiceguide/data/fonts/DejaVuSans-Bold.ttf",
    "voiceguide/data/fonts/LICENSE",
    *(f"voiceguide/serve/web/{name}" for name in ("index.html", "app.js", "style.css", "icon.svg")),
    *(f"voiceguide/studio/web/{name}" for name in ("index.html", "studio.js", "studio.css", "icon.svg")),
    "voiceguide/data/programs/hamstrings-14-days.toml",
    "voiceguide/data/programs/daily-anywhere.toml",
    "voiceguide/data/program-starter.toml",
    "voiceguide/data/languages.toml",
    "voiceguide/data/catalog.de.toml",
    "voiceguide/data/catalog.es.toml",
    "voiceguide/data/catalog.fr.toml",
    # The compiled message catalogs (scripts/messages.py compile): a session in German needs them.
    "voiceguide/locale/de/LC_MESSAGES/voiceguide.mo",
    "voiceguide/locale/es/LC_MESSAGES/voiceguide.mo",
    "voiceguide/locale/fr/LC_MESSAGES/voiceguide.mo",
)
# What the installed package needs at run time, taken from this interpreter
# (the base python of a venv does not have them).
DEPENDENCIES = ("click", "pydub", "pyttsx3", "platformdirs", "imageio_ffmpeg", "espeakng_loader", "PIL", "num2words")


def run(cmd, **kwargs) -> subprocess.CompletedProcess:
    kwargs.setdefault("timeout", 300)
    return subprocess.run([str(c) for c in cmd], capture_output=True, text=True, **kwargs)


def clean_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV")}
    env.update(PIP_DISABLE_PIP_VERSION_CHECK="1", PIP_NO_INPUT="1")
    return env


def base_python() -> str:
    """The interpreter this venv was made from, so the new venv does not see /tmp/venv's editable install."""
    candidates = [
        getattr(sys, "_base_executable", None),
        *(Path(sys.base_prefix, "bin", n) for n in ("python3", "python")),
    ]
    for candidate in candidates:
        if candidate and Path(candidate).exists():
            return str(candidate)
    return sys.executable


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    work = tmp_path_factory.mktemp("wheel")
    src = work / "src"
    shutil.copytree(
        REPO,
        src,
        ignore=shutil.ignore_patterns(
            ".git",
            "build",
            "dist",
            "*.egg-info",
            "__pycache__",
            ".pytest_cache",
            ".hypothesis",
            ".venv",
            "*.mp3",
            "*.part",
        ),
    )
    out = work / "dist"
    attempts = []
    for extra in ([], ["--no-build-isolation"]):  # the second for machines with no package index
        proc = run(
            [sys.executable, "-m", "pip", "wheel", "--no-deps", *extra, "-w", out, src], env=clean_env(), cwd=work
        )
        wheels = sorted(out.glob("voiceguide-*.whl"))
        if proc.returncode == 0 and wheels:
            return wheels[0]
        attempts.append(
            f"pip wheel {' '.join(extra)}: exit {proc.returncode}\n{proc.stdout[-1500:]}\n{proc.stderr[-1500:]}"
        )
    pytest.fail("could not build a wheel:\n" + "\n".join(attempts))


@pytest.fixture(scope="module")
def venv(tmp_path_factory, wheel) -> Path:
    root = tmp_path_factory.mktemp("venv") / "venv"
    made = run([base_python(), "-m", "venv", "--system-site-packages", "--without-pip", root], env=clean_env())
    assert made.returncode == 0, made.stderr
    python = root / "bin" / "python"
    site = run([python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"], env=clean_env()).stdout.strip()
    # The dependencies' folders, after the venv's own site-packages. A bare
    # path line in a .pth file does not process the .pth files in that folder,
    # so /tmp/venv's editable-install hook stays out.
    folders = dict.fromkeys(str(Path(find_spec(name).origin).resolve().parent.parent) for name in DEPENDENCIES)
    Path(site, "_voiceguide_test_dependencies.pth").write_text("\n".join(folders) + "\n")
    installed = run(
        [sys.executable, "-m", "pip", "--python", python, "install", "--no-deps", "--no-index", wheel], env=clean_env()
    )
    assert installed.returncode == 0, installed.stdout + installed.stderr
    return root


def test_wheel_carries_sounds_data_and_entry_point(wheel):
    with zipfile.ZipFile(wheel) as zf:
        names = set(zf.namelist())
        missing = [name for name in REQUIRED if name not in names]
        assert not missing, f"{wheel.name} lacks {missing}"
        entry_points = [n for n in names if n.endswith(".dist-info/entry_points.txt")]
        assert len(entry_points) == 1, entry_points
        parser = configparser.ConfigParser(delimiters=("=",))
        parser.optionxform = str
        parser.read_string(zf.read(entry_points[0]).decode("utf-8"))
    assert parser.has_section("console_scripts")
    assert parser["console_scripts"].get("voiceguide", "").strip() == "voiceguide.cli.launch:main"


PROBE = """
import json, sys
import voiceguide
from voiceguide.words.catalog import load_catalog
from voiceguide.sound.chimes import load_sound, sound_file
from voiceguide.files.cover import cover_png
from voiceguide.words.routine import load_routine
names = json.loads(sys.argv[1])
print(json.dumps({
    "file": voiceguide.__file__,
    "path": sys.path,
    "chimes": {n: [str(sound_file(n)), len(load_sound(n))] for n in names},
    "catalog": [s.id for s in load_catalog()],
    "steps": len(load_routine("full").steps),
    "cover": len(cover_png("Étirements", ["Forward Bend"], "Day 1 of 2", size=200)),
}))
"""


def test_installed_wheel_loads_chimes_and_catalog_from_outside_the_repo(venv, tmp_path):
    proc = run([venv / "bin" / "python", "-c", PROBE, json.dumps(CHIME_FILES)], cwd=tmp_path, env=clean_env())
    assert proc.returncode == 0, proc.stderr
    found = json.loads(proc.stdout)
    module = Path(found["file"]).resolve()
    assert module.is_relative_to(venv.resolve()), f"voiceguide imported from {module}, not the venv {venv}"
    assert not module.is_relative_to(REPO), module
    for name, (path, milliseconds) in found["chimes"].items():
        assert Path(path).resolve().is_relative_to(venv.resolve()), (name, path)
        assert milliseconds > 0, name
    assert sorted(found["chimes"]) == sorted(CHIME_FILES)
    from voiceguide.words.catalog import load_catalog  # the checkout's, for comparison

    assert found["catalog"] == [s.id for s in load_catalog()]
    assert found["steps"] > 0
    assert found["cover"] > 0  # drawn with the fonts the wheel carries


def test_installed_console_script_lists_the_catalog(venv, tmp_path):
    script = venv / "bin" / "voiceguide"
    assert script.exists(), "the console script was not installed"
    proc = run([script, "list"], cwd=tmp_path, env=clean_env())
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
    lines = proc.stdout.splitlines()
    assert lines and lines[0].split()[:2] == ["ID", "NAME"], proc.stdout
    from voiceguide.words.catalog import load_catalog

    ids = [line.split()[0] for line in lines[1:] if line.strip()]
    assert ids == [s.id for s in load_catalog()]


def test_installed_version_is_the_one_in_the_package(venv, wheel, tmp_path):
    from voiceguide import __version__

    assert wheel.name.startswith(f"voiceguide-{__version__}-")  # the metadata reads __init__.py
    proc = run([venv / "bin" / "voiceguide", "--version"], cwd=tmp_path, env=clean_env())
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines()[0] == f"voiceguide {__version__}"
