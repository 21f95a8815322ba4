"""Where synthesized clips are kept between runs, keyed by what changes their sound."""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path

ENV_VAR = "VOICEGUIDE_CACHE_DIR"


def cache_dir() -> Path:
    """$VOICEGUIDE_CACHE_DIR, else the platform's user cache folder."""
    override = os.environ.get(ENV_VAR)
    if override:
        return Path(override)
    import platformdirs

    return Path(platformdirs.user_cache_dir("voiceguide", appauthor=False))


def clip_key(identity: str, text: str) -> str:
    return hashlib.sha256(f"{identity}\n{text}".encode()).hexdigest()


def clip_path(identity: str, text: str) -> Path:
    """A readable prefix of the text plus a hash of everything that shapes the sound."""
    slug = "-".join(re.findall(r"[a-z0-9]+", text.lower())[:5])[:40] or "clip"
    return cache_dir() / "clips" / f"{slug}-{clip_key(identity, text)[:20]}.wav"


CAP_ENV_VAR = "VOICEGUIDE_CACHE_MAX_MB"
DEFAULT_CAP_MB = 512
RECENT_SECONDS = 600  # clips used this recently may belong to a build under way


def cap_bytes() -> int:
    value = os.environ.get(CAP_ENV_VAR, "")
    try:
        return max(0, int(float(value) * 1024 * 1024)) if value else DEFAULT_CAP_MB * 1024 * 1024
    except ValueError:
        return DEFAULT_CAP_MB * 1024 * 1024


def clip_files() -> list[Path]:
    """The finished clips (not the temporary files of a build under way)."""
    folder = cache_dir() / "clips"
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.glob("*.wav") if not p.name.endswith((".part.wav", ".raw.wav")))


def usage() -> tuple[int, int]:
    """(number of clips, bytes) in the cache."""
    files = clip_files()
    return len(files), sum(_size(p) for p in files)


def clear() -> tuple[int, int]:
    """Remove every cached clip (and stray temporary files); return what was freed."""
    clips = set(clip_files())
    count, freed = 0, 0
    folder = cache_dir() / "clips"
    for path in folder.iterdir() if folder.is_dir() else ():
        if path.is_file():
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
    import time

    limit = cap_bytes() if limit is None else limit
    files = [(p.stat().st_mtime, _size(p), p) for p in clip_files() if p.exists()]
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
        return path.stat().st_size
    except OSError:
        return 0
