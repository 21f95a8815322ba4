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
    return hashlib.sha256(f"{identity}\n{text}".encode("utf-8")).hexdigest()


def clip_path(identity: str, text: str) -> Path:
    """A readable prefix of the text plus a hash of everything that shapes the sound."""
    slug = "-".join(re.findall(r"[a-z0-9]+", text.lower())[:5])[:40] or "clip"
    return cache_dir() / "clips" / f"{slug}-{clip_key(identity, text)[:20]}.wav"
