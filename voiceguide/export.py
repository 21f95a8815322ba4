"""Encoding: PCM chunks streamed into ffmpeg, written atomically."""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path
from typing import Iterable, Mapping

from voiceguide.atomic import atomic_path
from voiceguide.audio import CHANNELS, SAMPLE_RATE
from voiceguide.errors import EnvironmentFailure
from voiceguide.ffmpeg import ffmpeg_path

MP3_BITRATE = "96k"  # constant bitrate: mono speech sounds clean and players seek exactly


def encode_mp3(chunks: Iterable[bytes], target: Path, tags: Mapping[str, str] | None = None) -> None:
    """Stream PCM into ffmpeg's MP3 encoder; `target` appears only when complete."""
    metadata: list[str] = []
    for key, value in (tags or {}).items():
        metadata += ["-metadata", f"{key}={value}"]
    with atomic_path(target) as tmp, tempfile.TemporaryFile() as errors:
        cmd = [
            ffmpeg_path(), "-nostdin", "-hide_banner", "-loglevel", "error",
            "-f", "s16le", "-ar", str(SAMPLE_RATE), "-ac", str(CHANNELS), "-i", "pipe:0",
            "-c:a", "libmp3lame", "-b:a", MP3_BITRATE, *metadata,
            "-id3v2_version", "4", "-f", "mp3", "-y", str(tmp),
        ]  # fmt: skip
        try:
            proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=errors)
        except OSError as exc:
            raise EnvironmentFailure(f"ffmpeg would not start ({exc.strerror}); install ffmpeg") from None
        try:
            try:
                for chunk in chunks:
                    proc.stdin.write(chunk)
            except BrokenPipeError:
                pass  # ffmpeg died; its exit status and message say why
            finally:
                try:
                    proc.stdin.close()
                except BrokenPipeError:
                    pass
            code = proc.wait()
        finally:
            if proc.poll() is None:  # interrupted mid-write: don't leave ffmpeg behind
                proc.kill()
                proc.wait()
        if code != 0:
            errors.seek(0)
            lines = errors.read().decode("utf-8", "replace").strip().splitlines()
            detail = lines[-1] if lines else f"exit status {code}"
            raise EnvironmentFailure(f"ffmpeg failed to encode {target.name}: {detail}")
