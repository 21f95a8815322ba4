"""Encoding: PCM chunks streamed into one ffmpeg process, for any of the FORMATS.

Tags and chapters go in through a second ffmetadata input, so every container
gets them the way ffmpeg writes them (ID3 CHAP, MP4 chapter track, Vorbis
comments, WAV INFO). A `finish` hook then runs on the finished temporary file,
before it is renamed into place: that is where the caller has tags.py add what
ffmpeg cannot write (lyrics, synchronised lyrics, cover art).
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path

from voiceguide import ffmpeg
from voiceguide.audio import CHANNELS, SAMPLE_RATE, SAMPLE_WIDTH, ms
from voiceguide.errors import EnvironmentFailure
from voiceguide.files.formats import FORMATS
from voiceguide.words.chapters import Chapter


def ffmetadata(chapters: Sequence[Chapter] = ()) -> str:
    """ffmpeg's metadata file, for the chapters' times only, in milliseconds.

    No text goes in it: ffmpeg's reader cannot read back a value that ends in
    a backslash, however escaped. Tags and chapter titles go on the command
    line instead (metadata_args), where every character is itself.
    """
    lines = [";FFMETADATA1"]
    for c in chapters:
        lines += ["[CHAPTER]", "TIMEBASE=1/1000", f"START={ms(c.start)}", f"END={ms(c.end)}"]
    return "\n".join(lines) + "\n"


def metadata_args(tags: Mapping[str, str] | None = None, chapters: Sequence[Chapter] = ()) -> list[str]:
    """ffmpeg options setting the global tags and each chapter's title (NUL, which argv cannot carry, dropped)."""
    args: list[str] = []
    for key, value in (tags or {}).items():
        args += ["-metadata", f"{key}={value}".replace("\0", "")]
    for n, chapter in enumerate(chapters):
        args += [f"-metadata:c:{n}", f"title={chapter.title}".replace("\0", "")]
    return args


@contextlib.contextmanager
def _metadata_file(text: str) -> Iterator[Path]:
    fd, name = tempfile.mkstemp(prefix="voiceguide-", suffix=".ffmeta")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
            f.write(text)
        yield Path(name)
    finally:
        os.unlink(name)


def encode(
    chunks: Iterable[bytes],
    path: Path,
    fmt: str = "mp3",
    tags: Mapping[str, str] | None = None,
    chapters: Sequence[Chapter] = (),
    finish: Callable[[Path], None] | None = None,
    filters: str | None = None,
    also: Callable[[bytes], None] | None = None,
    name: str | None = None,
) -> None:
    """Stream PCM (16-bit mono, SAMPLE_RATE) into ffmpeg, writing `path` (a staging file: see atomic.py).

    `finish(path)` runs on the encoded file (tags). `filters` is an ffmpeg audio
    filter chain for the whole stream; `also(chunk)` is handed every chunk too
    (a loudness meter). `name` is what messages call the file.
    """
    spec = FORMATS[fmt]
    path = Path(path)
    name = name or path.name
    with _metadata_file(ffmetadata(chapters)) as meta:
        args = [
            "-nostdin", "-hide_banner", "-loglevel", "error",
            "-f", "s16le", "-ar", str(SAMPLE_RATE), "-ac", str(CHANNELS), "-i", "pipe:0",
            "-f", "ffmetadata", "-i", ffmpeg.file_url(meta),
            "-map", "0:a", "-map_metadata", "1", "-map_chapters", "1", *metadata_args(tags, chapters),
            *(("-af", filters) if filters else ()), *spec.args, "-y", ffmpeg.file_url(path),
        ]  # fmt: skip
        pcm_bytes = _run(args, chunks, name, also)
    # An ffmpeg that exits 0 but wrote (almost) nothing must not replace a good file.
    seconds = pcm_bytes / (SAMPLE_WIDTH * SAMPLE_RATE)
    if path.stat().st_size < min(4096, 200 * seconds):  # even silence costs more than this in every format
        raise EnvironmentFailure(f"ffmpeg wrote no audio to {name}; check your ffmpeg (ffmpeg -version)")
    if finish is not None:
        finish(path)


def _feed(proc: subprocess.Popen[bytes], chunks: Iterable[bytes], also: Callable[[bytes], None] | None) -> int:
    """Write every chunk to ffmpeg's stdin; the number of bytes given (ffmpeg dying stops it early)."""
    assert proc.stdin is not None
    written = 0
    try:
        for chunk in chunks:
            written += len(chunk)
            proc.stdin.write(chunk)
            if also is not None:
                also(chunk)
    except BrokenPipeError:
        pass  # ffmpeg died; its exit status and message say why
    finally:
        try:
            proc.stdin.close()
        except BrokenPipeError:
            pass
    return written


def _run(args: list[str], chunks: Iterable[bytes], name: str, also: Callable[[bytes], None] | None = None) -> int:
    """Feed `chunks` to ffmpeg run with `args`; return the number of PCM bytes it was given."""
    with tempfile.TemporaryFile() as errors:
        proc = ffmpeg.popen(args, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=errors)
        try:
            written = _feed(proc, chunks, also)
            code = proc.wait()
        finally:
            if proc.poll() is None:  # interrupted mid-write: don't leave ffmpeg behind
                proc.kill()
                proc.wait()
        if code != 0:
            errors.seek(0)
            lines = errors.read().decode("utf-8", "replace").strip().splitlines()
            detail = lines[-1] if lines else f"exit status {code}"
            raise EnvironmentFailure(f"ffmpeg failed to encode {name}: {detail}")
        return written
