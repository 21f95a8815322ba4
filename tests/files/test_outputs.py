"""Outputs: every path a build writes is checked before any work, and nothing the user points at is damaged.

Through the real CLI: device nodes, FIFOs, sockets and folders at an output
path are refused and left as they were (also as root, with --force);
symlinks count as existing files; no two outputs share a path; the split
folder and name lengths are checked up front; a build that fails leaves no
new or replaced output behind.
"""

from __future__ import annotations

import os
import socket
import stat
from pathlib import Path

import pytest
from click.testing import CliRunner

from voiceguide.atomic import NAME_MAX
from voiceguide.cli.main import cli
from voiceguide.files.tracks import track_file_name

BUILD = ["build", "--only", "forward-bend", "--hold", "20", "--engine", "none"]  # chimes only: quick
OLD = b"the user's own file\n"
OPTIONS = ["-o", "--lrc", "--vtt", "--chapters", "--timeline"]
SUFFIX = {"-o": ".mp3", "--lrc": ".lrc", "--vtt": ".vtt", "--chapters": ".json", "--timeline": ".json"}


def no_work(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail the test if a build gets as far as choosing its speech engine."""
    import voiceguide.sound.engines

    def fail(*args: object, **kwargs: object) -> None:
        pytest.fail("work started before the outputs were checked")

    monkeypatch.setattr(voiceguide.sound.engines, "make_engine", fail)


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


def one_error(stderr: str, *words: str) -> str:
    skip = ("Voice:", "Warning:", "Note:", "Preparing speech", "Mixing and encoding")
    lines = [line for line in stderr.splitlines() if line.strip() and not line.startswith(skip)]
    assert len(lines) == 1 and lines[0].startswith("Error: "), stderr
    assert "Traceback" not in stderr
    for word in words:
        assert word in lines[0], lines[0]
    return lines[0]


def args_for(option: str, path: Path, tmp_path: Path) -> list[str]:
    if option == "-o":
        return ["-o", str(path), "--format", "mp3"]
    return ["-o", str(tmp_path / "s.mp3"), option, str(path)]


# -- only regular files are replaced -------------------------------------------------


def make_fifo(path: Path) -> None:
    os.mkfifo(path)


def make_socket(path: Path) -> None:
    sock = socket.socket(socket.AF_UNIX)
    sock.bind(str(path))
    sock.close()


def make_device(path: Path) -> None:
    try:
        os.mknod(path, 0o600 | stat.S_IFCHR, os.makedev(1, 3))  # what /dev/null is
    except PermissionError:
        pytest.skip("creating device nodes needs root")


def make_folder(path: Path) -> None:
    path.mkdir()
    (path / "keep.txt").write_text("mine")


@pytest.mark.parametrize("option", OPTIONS)
@pytest.mark.parametrize(
    "make,kind,words",
    [
        (make_fifo, stat.S_ISFIFO, ["FIFO"]),
        (make_socket, stat.S_ISSOCK, ["socket"]),
        (make_device, stat.S_ISCHR, ["device"]),
        (make_folder, stat.S_ISDIR, ["directory"]),
    ],
    ids=["fifo", "socket", "device", "folder"],
)
@pytest.mark.parametrize("force", [False, True], ids=["plain", "force"])
def test_special_files_are_refused_and_left_alone(tmp_path, monkeypatch, option, make, kind, words, force):
    no_work(monkeypatch)
    target = tmp_path / f"target{SUFFIX[option]}"
    make(target)
    before = os.lstat(target)
    code, out, err = invoke(*BUILD, *args_for(option, target, tmp_path), *(["--force"] if force else []))
    assert code == 2, err
    one_error(err, str(target), *words)
    after = os.lstat(target)
    assert kind(after.st_mode) and (after.st_ino, after.st_rdev) == (before.st_ino, before.st_rdev)
    assert out == ""
    assert not (tmp_path / "s.mp3").exists()


def test_init_refuses_a_fifo(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    os.mkfifo("routine.toml")
    code, _, err = invoke("init", "--force")
    assert code == 2
    one_error(err, "FIFO")
    assert stat.S_ISFIFO(os.lstat("routine.toml").st_mode)


# -- symlinks are existing files --------------------------------------------------------


@pytest.mark.parametrize("dangling", [False, True], ids=["to-a-file", "dangling"])
@pytest.mark.parametrize("option", ["-o", "--lrc", "--timeline"])
def test_a_symlink_needs_force_and_only_the_link_is_replaced(tmp_path, monkeypatch, option, dangling):
    monkeypatch.chdir(tmp_path)
    pointed = tmp_path / "elsewhere" / f"theirs{SUFFIX[option]}"
    pointed.parent.mkdir()
    if not dangling:
        pointed.write_bytes(OLD)
    link = tmp_path / f"link{SUFFIX[option]}"
    link.symlink_to(pointed)
    code, _, err = invoke(*BUILD, *args_for(option, link, tmp_path))
    assert code == 2
    one_error(err, str(link), "already exists", "--force")
    assert link.is_symlink()

    code, out, err = invoke(*BUILD, *args_for(option, link, tmp_path), "--force")
    assert code == 0, err
    assert out.startswith("Wrote ")
    assert not link.is_symlink() and link.is_file() and link.stat().st_size > 0
    if dangling:
        assert not pointed.exists()
    else:
        assert pointed.read_bytes() == OLD


# -- no two outputs share a path -----------------------------------------------------------


def collisions(tmp: Path) -> list[tuple[list[str], tuple[str, str]]]:
    (tmp / "D").mkdir()
    (tmp / "sub").mkdir()
    (tmp / "real.mp3").write_bytes(OLD)
    (tmp / "alias.lrc").symlink_to(tmp / "real.mp3")
    return [
        (["-o", "s.mp3", "--lrc", "s.mp3"], ("-o/--output", "--lrc")),
        (["--timeline", "j.json", "--chapters", "j.json"], ("--chapters", "--timeline")),
        (["-o", "D/playlist.m3u8", "--format", "mp3", "--split", "D"], ("-o/--output", "--split")),
        (["-o", "s.mp3", "--split", "s.mp3"], ("-o/--output", "--split")),
        (["-o", "s.mp3", "--vtt", "sub/../s.mp3"], ("-o/--output", "--vtt")),
        (["-o", "./s.mp3", "--timeline", str(tmp / "s.mp3")], ("-o/--output", "--timeline")),
        (["-o", "real.mp3", "--lrc", "alias.lrc"], ("-o/--output", "--lrc")),
        (["-o", "s.mp3", "--chapters", "D/x.json", "--timeline", "D/../D/x.json"], ("--chapters", "--timeline")),
    ]


@pytest.mark.parametrize("case", range(8))
def test_two_outputs_never_share_a_path(tmp_path, monkeypatch, case):
    monkeypatch.chdir(tmp_path)
    no_work(monkeypatch)
    args, options = collisions(tmp_path)[case]
    code, _, err = invoke(*BUILD, *args, "--force")
    assert code == 2, err
    one_error(err, *options, "same file")
    assert (tmp_path / "real.mp3").read_bytes() == OLD
    assert not (tmp_path / "s.mp3").exists() and not (tmp_path / "j.json").exists()
    assert sorted(p.name for p in (tmp_path / "D").iterdir()) == []


# -- the split folder, checked before any work --------------------------------------------


def test_split_folder_that_is_a_file_or_cannot_be_made(tmp_path, monkeypatch):
    no_work(monkeypatch)
    (tmp_path / "afile").write_bytes(OLD)
    for split, words in (
        (tmp_path / "afile", ["is a file"]),
        (tmp_path / "afile" / "sub", ["cannot be made", "is a file"]),
        (tmp_path / ("x" * (NAME_MAX + 1)), ["at most 255 bytes"]),
    ):
        code, _, err = invoke(*BUILD, "-o", str(tmp_path / "s.mp3"), "--split", str(split))
        assert code == 2, err
        one_error(err, *words)
    assert (tmp_path / "afile").read_bytes() == OLD
    assert sorted(p.name for p in tmp_path.iterdir()) == ["afile"]


def test_split_folder_not_empty_needs_force(tmp_path, monkeypatch):
    no_work(monkeypatch)
    (tmp_path / "tracks").mkdir()
    (tmp_path / "tracks" / "mine.txt").write_bytes(OLD)
    code, _, err = invoke(*BUILD, "-o", str(tmp_path / "s.mp3"), "--split", str(tmp_path / "tracks"))
    assert code == 2
    one_error(err, "not empty", "--force")


def test_split_into_a_new_nested_folder(tmp_path):
    split = tmp_path / "new" / "tracks"
    code, out, err = invoke(*BUILD, "-o", str(tmp_path / "s.mp3"), "--split", str(split))
    assert code == 0, err
    assert (split / "playlist.m3u8").is_file() and list(split.glob("*.mp3"))
    assert not [p for p in split.iterdir() if p.name.startswith(".")]


def test_a_failed_build_leaves_no_new_or_replaced_output(tmp_path, monkeypatch):
    """The split tracks fail after the audio file is encoded: nothing is renamed into place."""
    import voiceguide.files.export
    import voiceguide.files.tracks
    from voiceguide.errors import EnvironmentFailure

    real = voiceguide.files.export.write_tags
    calls = []

    def flaky(path, fmt, *args, **kwargs):
        calls.append(path)
        if len(calls) == 2:  # the audio file is encoded and tagged; the first track fails
            raise EnvironmentFailure("the disk went away")
        return real(path, fmt, *args, **kwargs)

    monkeypatch.setattr(voiceguide.files.export, "write_tags", flaky)
    monkeypatch.setattr(voiceguide.files.tracks, "write_tags", flaky)
    (tmp_path / "s.mp3").write_bytes(OLD)
    routine = tmp_path / "r.toml"
    routine.write_text('title = "Two"\n[[steps]]\nstretch = "forward-bend"\n[[steps]]\nstretch = "lunge"\n')
    args = ["build", str(routine), "--engine", "none", "-o", str(tmp_path / "s.mp3"), "--force"]
    args += ["--lrc", str(tmp_path / "s.lrc"), "--timeline", str(tmp_path / "s.json")]
    args += ["--split", str(tmp_path / "new" / "tracks")]
    code, out, err = invoke(*args)
    assert code == 1, err
    one_error(err, "the disk went away")
    assert out == ""
    assert (tmp_path / "s.mp3").read_bytes() == OLD
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.toml", "s.mp3"]


# -- names up to the file system's limit --------------------------------------------------


@pytest.mark.parametrize("title", ["Stretch " * 60, "伸展" * 100, "é" * 200, "a" * 300])
def test_track_names_are_cut_to_255_bytes(title):
    name = track_file_name(3, 12, title)
    assert len(name.encode("utf-8")) <= NAME_MAX
    assert name.startswith("03 ") and name.endswith(".mp3")
    name.encode("utf-8").decode("utf-8")  # never cut inside a character


def test_longest_legal_names_build_and_longer_ones_are_refused(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    longest = "ü" * ((NAME_MAX - 4) // 2) + ".mp3"  # 254 bytes: the temporary name must not overflow
    assert len(longest.encode()) <= NAME_MAX
    code, out, err = invoke(*BUILD, "-o", longest, "--lrc", "l" * (NAME_MAX - 4) + ".lrc")
    assert code == 0, err
    assert Path(longest).is_file()
    too_long = "a" * (NAME_MAX - 3) + ".mp3"
    code, _, err = invoke(*BUILD, "-o", too_long)
    assert code == 2
    one_error(err, "at most 255 bytes")


def test_the_library_refuses_long_names_in_the_options_words(tmp_path):
    """Outputs.checked, for the Python API and the names no option parsed, says what -o and --split say."""
    from voiceguide.errors import InputError
    from voiceguide.files.outputs import Outputs

    long = "x" * (NAME_MAX + 1)
    for kwargs, option in (
        ({"audio": tmp_path / (long + ".mp3")}, "-o/--output"),
        ({"audio": tmp_path / long / "s.mp3"}, "-o/--output"),  # a folder's name counts too
        ({"audio": tmp_path / "s.mp3", "lrc": tmp_path / (long + ".lrc")}, "--lrc"),
        ({"audio": tmp_path / "s.mp3", "split": tmp_path / long / "tracks"}, "--split"),
    ):
        with pytest.raises(InputError) as refused:
            Outputs.checked(**kwargs)
        assert str(refused.value).startswith(f"{option}: "), refused.value
        assert "has a name of" in str(refused.value) and f"at most {NAME_MAX} bytes" in str(refused.value)
    assert list(tmp_path.iterdir()) == []


def test_split_tracks_of_long_unicode_names(tmp_path):
    name = "伸" * 80  # 240 bytes, and " (right side)" after it
    routine = tmp_path / "r.toml"
    routine.write_text(
        f'title = "Long"\n[[steps]]\nname = "{name}"\nsided = true\nsetup = ["Stand tall."]\n', encoding="utf-8"
    )
    split = tmp_path / "tracks"
    code, _, err = invoke(
        "build", str(routine), "--engine", "none", "-o", str(tmp_path / "s.mp3"), "--split", str(split)
    )
    assert code == 0, err
    names = [p.name for p in split.iterdir()]
    assert len(names) >= 3 and all(len(n.encode()) <= NAME_MAX for n in names)
