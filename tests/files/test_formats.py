"""Every container, encoded for real and read back with ffmpeg.

A short session (one sided stretch, one held, one dynamic; 5 s holds) is laid
out with made-up speech lengths and mixed with the real chimes and a tone for
each spoken cue, so no TTS is needed. It is exported once per format; then
ffmpeg, not voiceguide, says what players will see: chapters (count, titles,
starts within 10 ms of the timeline), tags, cover art, length, and the split
tracks adding up to the single file.
"""

from __future__ import annotations

import json
import math
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from voiceguide.atomic import atomic_path
from voiceguide.audio import SAMPLE_RATE
from voiceguide.errors import InputError
from voiceguide.files.cover import EMBED_SIZE
from voiceguide.files.encode import encode, ffmetadata, metadata_args
from voiceguide.files.export import export_session
from voiceguide.files.formats import FORMATS, format_for, suffix_for
from voiceguide.files.outputs import Outputs
from voiceguide.files.sidecars import lrc, podcast_chapters_json, vtt
from voiceguide.files.tags import TrackInfo
from voiceguide.files.tracks import _Frames, track_file_name
from voiceguide.sound.chimes import load_sound, sound_lengths
from voiceguide.sound.mix import render_chunks
from voiceguide.words import cues
from voiceguide.words.catalog import load_catalog
from voiceguide.words.chapters import chapters_of, script_lines
from voiceguide.words.routine import Routine, Step
from voiceguide.words.timeline import CHIME, CHIMES, build_timeline

TOLERANCE = 0.010  # seconds: chapters, lengths
SPLIT_TOLERANCE = 0.050  # seconds: the split tracks played in order against the single file
INFO = TrackInfo(
    title="Morning stretch", artist="Ann Example", album="Back care", date="2025-06-30", comment="Made with voiceguide"
)
AUDIO_FORMATS = ["mp3", "m4b", "opus", "ogg", "wav"]


# -- fast: naming and plumbing ------------------------------------------------------


@pytest.mark.parametrize(
    "name, fmt, expected",
    [
        ("a.mp3", None, "mp3"),
        ("A.MP3", None, "mp3"),
        ("book.m4b", None, "m4b"),
        ("song.m4a", None, "m4a"),
        ("x.opus", None, "opus"),
        ("x.ogg", None, "ogg"),
        ("x.oga", None, "ogg"),
        ("x.wav", None, "wav"),
        ("x.ogg", "opus", "opus"),  # Ogg Opus in a .ogg file is common
        ("x.m4a", "m4b", "m4b"),
        ("session", "wav", "wav"),  # no extension: the format says
        ("session.audio", "mp3", "mp3"),
    ],
)
def test_format_for(name, fmt, expected):
    assert format_for(Path(name), fmt) == expected


@pytest.mark.parametrize(
    "name, fmt, message",
    [
        (
            "a.flac",
            None,
            r"a\.flac: cannot tell the audio format from '\.flac'; "
            r"end the name in \.mp3, \.m4b, \.m4a, \.opus, \.ogg, \.wav, or give --format",
        ),
        (
            "session",
            None,
            r"session: cannot tell the audio format from a name without an extension; end the name in .*",
        ),
        (
            "a.mp3",
            "m4b",
            r"a\.mp3: the name ends in \.mp3 but the format is m4b; name it a\.m4b or leave the format out",
        ),
        ("a.mp3", "flac", "unknown format 'flac'; choose one of mp3, m4b, m4a, opus, ogg, wav"),
    ],
)
def test_format_for_refuses(name, fmt, message):
    with pytest.raises(InputError, match=f"^{message}$"):
        format_for(Path(name), fmt)


def test_suffix_for_every_format():
    assert [suffix_for(f) for f in FORMATS] == [".mp3", ".m4b", ".m4a", ".opus", ".ogg", ".wav"]


def test_ffmetadata_counts_milliseconds_and_text_goes_on_the_command_line():
    from voiceguide.words.chapters import Chapter

    chapters = [Chapter("One; two\\", 0, 1.2345), Chapter("Three", 1.2345, 2)]
    text = ffmetadata(chapters)
    assert text == (
        ";FFMETADATA1\n"
        "[CHAPTER]\nTIMEBASE=1/1000\nSTART=0\nEND=1234\n"
        "[CHAPTER]\nTIMEBASE=1/1000\nSTART=1234\nEND=2000\n"
    )
    assert metadata_args({"title": "a=b;c#d\\e\nf\0"}, chapters) == [
        "-metadata", "title=a=b;c#d\\e\nf",
        "-metadata:c:0", "title=One; two\\",
        "-metadata:c:1", "title=Three",
    ]  # fmt: skip


def test_frames_are_read_by_range_across_chunks():
    samples = [i.to_bytes(2, "little") for i in range(100)]
    chunks = [b"".join(samples[i : i + 7]) for i in range(0, 100, 7)]  # ragged chunks
    source = _Frames(chunks)
    got = [b"".join(source.take(a, b)) for a, b in [(0, 10), (10, 10), (10, 33), (40, 41), (41, 100)]]
    assert got == [b"".join(samples[a:b]) for a, b in [(0, 10), (10, 10), (10, 33), (40, 41), (41, 100)]]
    assert list(source.take(100, 120)) == []  # past the end: nothing


@pytest.mark.parametrize(
    "n, total, title, expected",
    [
        (3, 14, "Lunge With Hamstring Stretch (right side)", "03 Lunge With Hamstring Stretch (right side).mp3"),
        (7, 120, 'What? A/B: "C" <d> | e*', "007 What- A-B- -C- -d- - e-.mp3"),
        (1, 1, " ... ", "01 Track.mp3"),
    ],
)
def test_track_file_name(n, total, title, expected):
    assert track_file_name(n, total, title) == expected


def test_export_checks_its_paths_before_rendering(tmp_path):
    def render():
        raise AssertionError("rendered before the paths were checked")

    with pytest.raises(InputError, match="cannot tell the audio format"):
        Outputs.checked(tmp_path / "x.flac")
    (tmp_path / "tracks").write_text("a file")
    with pytest.raises(InputError, match="tracks: is not a folder; give a folder for the split tracks"):
        Outputs.checked(tmp_path / "x.mp3", split=tmp_path / "tracks")


# -- slow: real encodes ------------------------------------------------------------


def ffmpeg_exe() -> str:
    found = shutil.which("ffmpeg")
    if found:
        return found
    import imageio_ffmpeg

    return imageio_ffmpeg.get_ffmpeg_exe()


def run_ffmpeg(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([ffmpeg_exe(), "-nostdin", "-hide_banner", *args], capture_output=True, check=False)


def read_back(path: Path, stream_tags: bool = False) -> tuple[dict[str, str], list[tuple[float, float, str]]]:
    """(tags, chapters as (start s, end s, title)), as ffmpeg reads them.

    -copyts: without it ffmpeg's CLI shifts chapters by the stream's start time
    (an MP3's encoder delay, 25 ms) on the way out; players use the stored ones.
    Ogg keeps its comments on the stream, hence `stream_tags`.
    """
    mapping = ["-map_metadata", "0:s:a:0"] if stream_tags else []
    proc = run_ffmpeg("-v", "error", "-copyts", "-i", str(path), *mapping, "-f", "ffmetadata", "-")
    assert proc.returncode == 0, proc.stderr.decode(errors="replace")
    text = proc.stdout.decode("utf-8")
    lines = re.split(r"(?<!\\)\n", text)  # an escaped newline continues the value
    tags: dict[str, str] = {}
    chapters: list[dict[str, str]] = []
    section = "global"
    for line in lines[1:]:
        if line.startswith("["):
            section = line
            if line == "[CHAPTER]":
                chapters.append({})
            continue
        if "=" not in line:
            continue
        key, value = re.split(r"(?<!\\)=", line, maxsplit=1)
        value = re.sub(r"\\(.)", r"\1", value, flags=re.S)
        if section == "global":
            tags[key] = value
        elif section == "[CHAPTER]":
            chapters[-1][key] = value
    out = []
    for c in chapters:
        num, den = (int(x) for x in c["TIMEBASE"].split("/"))
        out.append((int(c["START"]) * num / den, int(c["END"]) * num / den, c.get("title", "")))
    return tags, out


def decoded_frames(path: Path) -> int:
    proc = run_ffmpeg("-v", "error", "-i", str(path), "-f", "s16le", "-ac", "1", "-ar", str(SAMPLE_RATE), "-")
    assert proc.returncode == 0, proc.stderr.decode(errors="replace")
    return len(proc.stdout) // 2


def tone(seconds: float) -> bytes:
    """A 441 Hz tone standing in for a spoken cue."""
    period = b"".join(
        int(6000 * math.sin(2 * math.pi * i / 100)).to_bytes(2, "little", signed=True) for i in range(100)
    )
    n = round(seconds * SAMPLE_RATE)
    return (period * (n // 100 + 1))[: 2 * n]


@pytest.fixture(scope="module")
def session(tmp_path_factory):
    catalog = load_catalog()
    steps = tuple(
        Step(stretch=catalog.get(i), hold=5, reps=1, get_ready=3)
        for i in ("lunge-hamstring", "forward-bend", "dynamic-hamstring")
    )
    routine = Routine(title="Test routine", steps=steps, intro=("Welcome.",), outro=("Well done.",))
    timeline = build_timeline(routine, lambda text: 0.2 + 0.061 * len(text), sound_lengths(CHIMES))

    def pcm_of(event):
        return load_sound(event.sound).raw_data if event.kind == CHIME else tone(event.end - event.start)

    folder = tmp_path_factory.mktemp("formats")
    renders = []

    def render():
        renders.append(1)
        return render_chunks(timeline, pcm_of)

    written = {}
    for fmt in AUDIO_FORMATS:
        extra = {}
        if fmt == "mp3":
            extra = dict(
                lrc=folder / "s.lrc",
                vtt=folder / "s.vtt",
                chapters=folder / "s.chapters.json",
                split=folder / "split",
            )
        outputs = Outputs.checked(folder / f"s{suffix_for(fmt)}", **extra)
        written[fmt] = export_session(render, timeline, outputs, info=INFO).paths
    return {"timeline": timeline, "folder": folder, "written": written, "renders": len(renders)}


def expected_chapters(session):
    return chapters_of(session["timeline"])


@pytest.mark.slow
@pytest.mark.parametrize("fmt", AUDIO_FORMATS)
def test_ffmpeg_reads_back_the_chapters(session, fmt):
    _, chapters = read_back(session["folder"] / f"s{suffix_for(fmt)}")
    expected = expected_chapters(session)
    assert [title for _, _, title in chapters] == [c.title for c in expected]
    for (start, _, title), chapter in zip(chapters, expected, strict=False):
        assert abs(start - chapter.start) <= TOLERANCE, title


@pytest.mark.slow
@pytest.mark.parametrize("fmt", AUDIO_FORMATS)
def test_ffmpeg_reads_back_the_tags(session, fmt):
    tags, _ = read_back(session["folder"] / f"s{suffix_for(fmt)}", stream_tags=fmt in ("opus", "ogg"))
    tags = {k.lower(): v for k, v in tags.items()}
    assert tags["title"] == "Morning stretch"
    assert tags["artist"] == "Ann Example"
    assert tags["album"] == "Back care"
    assert tags["genre"] == "Speech"
    assert tags["date"].startswith("2025-06-30")
    assert tags["comment"] == "Made with voiceguide"
    if fmt != "wav":  # WAV INFO has no lyrics; its ID3 chunk does (see test_tags.py)
        lyrics = next(v for k, v in tags.items() if k.startswith(("lyrics", "unsyncedlyrics")))
        assert lyrics.startswith("\n".join(["Welcome.", *cues.SAFETY, ""]))
        assert "\n\nFirst stretch: Lunge With Hamstring Stretch.\n" in lyrics
        assert lyrics == script_lines(session["timeline"], expected_chapters(session))


@pytest.mark.slow
@pytest.mark.parametrize("fmt", AUDIO_FORMATS)
def test_every_container_carries_the_cover_and_the_whole_session(session, fmt):
    path = session["folder"] / f"s{suffix_for(fmt)}"
    info = run_ffmpeg("-i", str(path)).stderr.decode(errors="replace")
    assert re.search(rf"Video: png.*{EMBED_SIZE}x{EMBED_SIZE}.*\(attached pic\)", info), info
    assert abs(decoded_frames(path) / SAMPLE_RATE - session["timeline"].duration) <= TOLERANCE


@pytest.mark.slow
def test_sidecars_are_written_from_the_timeline(session):
    folder, timeline = session["folder"], session["timeline"]
    assert (folder / "s.lrc").read_text(encoding="utf-8") == lrc(
        timeline, artist="Ann Example", album="Back care", title="Morning stretch"
    )
    assert (folder / "s.vtt").read_text(encoding="utf-8") == vtt(timeline)
    doc = json.loads((folder / "s.chapters.json").read_text(encoding="utf-8"))
    assert (folder / "s.chapters.json").read_text(encoding="utf-8") == podcast_chapters_json(
        timeline, chapters_of(timeline), title="Morning stretch"
    )
    assert [c["startTime"] for c in doc["chapters"]] == [c.start for c in chapters_of(timeline)]
    assert session["written"]["mp3"][:4] == [
        folder / "s.mp3",
        folder / "s.lrc",
        folder / "s.vtt",
        folder / "s.chapters.json",
    ]
    assert session["written"]["wav"] == [folder / "s.wav"]
    # Once per file (twice when the loudness meter corrects the gain), once more for the split.
    assert len(AUDIO_FORMATS) + 1 <= session["renders"] <= 2 * len(AUDIO_FORMATS) + 1


@pytest.mark.slow
def test_split_tracks_add_up_to_the_single_file(session):
    from mutagen.id3 import ID3

    folder = session["folder"] / "split"
    chapters = expected_chapters(session)
    tracks = sorted(folder.glob("*.mp3"))
    assert [t.name for t in tracks] == [track_file_name(n, len(chapters), c.title) for n, c in enumerate(chapters, 1)]
    assert session["written"]["mp3"][4:] == tracks + [folder / "playlist.m3u8"]
    lengths = [decoded_frames(t) for t in tracks]
    for frames, chapter in zip(lengths, chapters, strict=False):
        assert abs(frames / SAMPLE_RATE - chapter.seconds) <= TOLERANCE, chapter.title
    whole = decoded_frames(session["folder"] / "s.mp3")
    assert abs(sum(lengths) - whole) / SAMPLE_RATE <= SPLIT_TOLERANCE
    for n, (track, chapter) in enumerate(zip(tracks, chapters, strict=False), 1):
        tag = ID3(track)
        assert tag["TRCK"].text == [f"{n}/{len(chapters)}"]
        assert tag["TIT2"].text == [chapter.title]
        assert tag["TALB"].text == ["Back care"] and tag["TPE1"].text == ["Ann Example"]
        (sylt,) = tag.getall("SYLT")  # each track's own cues, timed from the track's start
        cues = [e for e in session["timeline"].events if e.kind == "speech" and chapter.start <= e.start < chapter.end]
        assert sylt.text == [(e.text, round((e.start - chapter.start) * 1000)) for e in cues]
        assert len(tag.getall("APIC")) == 1
    playlist = (folder / "playlist.m3u8").read_text(encoding="utf-8").splitlines()
    assert playlist[:2] == ["#EXTM3U", "#PLAYLIST:Back care"]
    assert playlist[3::2] == [t.name for t in tracks]
    for line, chapter in zip(playlist[2::2], chapters, strict=False):
        seconds, title = re.fullmatch(r"#EXTINF:([\d.]+),(.*)", line).groups()
        assert title == chapter.title and abs(float(seconds) - chapter.seconds) <= 0.001


@pytest.mark.slow
def test_a_failed_finish_leaves_nothing_behind(tmp_path):
    target = tmp_path / "out.opus"
    target.write_bytes(b"the old file")

    def finish(tmp):
        assert tmp.exists() and tmp.stat().st_size > 0
        raise RuntimeError("tagging failed")

    with pytest.raises(RuntimeError, match="tagging failed"), atomic_path(target) as tmp:
        encode([tone(0.5)], tmp, "opus", {"title": "x"}, finish=finish)
    assert target.read_bytes() == b"the old file"
    assert [p.name for p in tmp_path.iterdir()] == ["out.opus"]
