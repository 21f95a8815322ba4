"""Where voiceguide keeps what it made between runs: spoken clips, loudness gains, the ambient pad.

Clips are keyed by what changes their sound. Everything here is checked when
read, never trusted: a file of the wrong kind, a damaged one or a FIFO where a
file should be is ignored (and made again), and reads never block. `clear`
removes only files whose names voiceguide gives, never through a symlink.
"""

from __future__ import annotations

import hashlib
import math
import os
import re
import stat
import time
from pathlib import Path

import platformdirs

ENV_VAR = "VOICEGUIDE_CACHE_DIR"
CAP_ENV_VAR = "VOICEGUIDE_CACHE_MAX_MB"
DEFAULT_CAP_MB = 512
MAX_CAP_MB = 1024 * 1024  # a terabyte: anything more is a typing mistake
RECENT_SECONDS = 600  # clips used this recently may belong to a build under way
CLIPS = "clips"
SLUG_CHARS = 40
HASH_CHARS = 20

_CLIP = rf"[a-z0-9-]{{1,{SLUG_CHARS}}}-[0-9a-f]{{{HASH_CHARS}}}\.wav"
_LOUDNESS = r"loudness\.json"
_PAD = r"ambient-v\d+\.flac"


def _with_staging(name: str) -> re.Pattern[str]:
    """`name`, or a staging file of it as atomic.atomic_path names them (.NAME.XXXXXXXX.part)."""
    return re.compile(rf"(?:{name})|\.(?:{name})\.[A-Za-z0-9_]{{8}}\.part")


# The names voiceguide gives its files, per folder of the cache: nothing else is ever removed.
OWN_FILES: dict[str, re.Pattern[str]] = {
    CLIPS: _with_staging(rf"{_CLIP}|tmp[A-Za-z0-9_]{{8}}\.raw\.wav"),
    "": _with_staging(_LOUDNESS),
    "music": _with_staging(_PAD),
}


def cache_dir() -> Path:
    """$VOICEGUIDE_CACHE_DIR, else the platform's user cache folder."""
    override = os.environ.get(ENV_VAR)
    if override:
        return Path(override)
    return Path(platformdirs.user_cache_dir("voiceguide", appauthor=False))


def clip_key(identity: str, text: str) -> str:
    return hashlib.sha256(f"{identity}\n{text}".encode("utf-8", "surrogatepass")).hexdigest()


def clip_path(identity: str, text: str) -> Path:
    """A readable prefix of the text plus a hash of everything that shapes the sound."""
    slug = "-".join(re.findall(r"[a-z0-9]+", text.lower())[:5])[:SLUG_CHARS].strip("-") or "clip"
    return cache_dir() / CLIPS / f"{slug}-{clip_key(identity, text)[:HASH_CHARS]}.wav"


def read_small(path: Path, limit: int) -> bytes | None:
    """A regular file's bytes if it holds at most `limit`; None otherwise. Never blocks, never follows a link."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOFOLLOW", 0))
    except OSError:
        return None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or info.st_size > limit:
            return None
        with os.fdopen(fd, "rb", closefd=False) as f:
            data = f.read(limit + 1)
        return data if len(data) <= limit else None
    except OSError:
        return None
    finally:
        os.close(fd)


def _cap_mb() -> tuple[float, str | None]:
    value = os.environ.get(CAP_ENV_VAR, "").strip()
    if not value:
        return DEFAULT_CAP_MB, None
    try:
        number = float(value)
    except ValueError:
        number = math.nan
    if not (math.isfinite(number) and 0 <= number <= MAX_CAP_MB):
        return DEFAULT_CAP_MB, (
            f"{CAP_ENV_VAR}={value!r} is not a size in MB from 0 to {MAX_CAP_MB}; using {DEFAULT_CAP_MB}"
        )
    return number, None


def cap_bytes() -> int:
    return int(_cap_mb()[0] * 1024 * 1024)


def cap_warning() -> str | None:
    """What is wrong with VOICEGUIDE_CACHE_MAX_MB, for the CLI to say; None when it is fine or unset."""
    return _cap_mb()[1]


def _own_files(folder: str) -> list[Path]:
    """The regular files voiceguide made in one folder of the cache; a symlinked folder holds none."""
    path = cache_dir() / folder if folder else cache_dir()
    if folder:
        try:
            if not stat.S_ISDIR(os.lstat(path).st_mode):
                return []
        except OSError:
            return []
    try:
        entries = list(os.scandir(path))
    except OSError:
        return []
    pattern = OWN_FILES[folder]
    return sorted(Path(e.path) for e in entries if pattern.fullmatch(e.name) and e.is_file(follow_symlinks=False))


def clip_files() -> list[Path]:
    """The finished clips (not the staging files of a build under way)."""
    return [p for p in _own_files(CLIPS) if re.fullmatch(_CLIP, p.name)]


def usage() -> tuple[int, int]:
    """(number of clips, bytes) in the cache."""
    files = clip_files()
    return len(files), sum(_size(p) for p in files)


def clear() -> tuple[int, int]:
    """Remove every file voiceguide keeps in the cache; return (clips removed, bytes freed in all)."""
    clips = set(clip_files())
    count, freed = 0, 0
    for folder in OWN_FILES:
        for path in _own_files(folder):
            size = _size(path)
            try:
                path.unlink()
            except FileNotFoundError:
                continue
            count += path in clips
            freed += size
    return count, freed


def touch(path: Path) -> None:
    """Mark a clip as just used, for least-recently-used eviction."""
    try:
        os.utime(path)
    except OSError:
        pass


def evict(keep: set[Path], limit: int | None = None) -> int:
    """Drop least recently used clips until the cache fits its cap; return bytes freed.

    Clips in `keep` (this build's) and clips used in the last few minutes
    (perhaps another build's, running at the same time) are never dropped.
    """
    limit = cap_bytes() if limit is None else limit
    files = []
    for path in clip_files():
        try:
            info = path.stat()
        except OSError:
            continue
        files.append((info.st_mtime, info.st_size, path))
    total = sum(size for _, size, _ in files)
    freed = 0
    now = time.time()
    for mtime, size, path in sorted(files):
        if total - freed <= limit:
            break
        if path in keep or now - mtime < RECENT_SECONDS:
            continue
        try:
            path.unlink()
            freed += size
        except FileNotFoundError:
            pass
    return freed


def _size(path: Path) -> int:
    try:
        return path.lstat().st_size
    except OSError:
        return 0
