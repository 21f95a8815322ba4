"""Which program a folder holds, and the GUIDs its days keep for the life of the folder.

A program is its preset's name or its file's resolved path (program_identity),
so the same file reached by another path is the same program. A day's GUID is
the program's slug, the folder's start date and the day (guid_of); once in a
manifest it is read back and kept (kept_guids), including the GUIDs voiceguide
0.1.0 wrote. The policy: docs/program-folder.md, GUIDs.
"""

from __future__ import annotations

import datetime
import hashlib
import re
from pathlib import Path
from typing import Any

from voiceguide.programs.program import DEFAULT_PROGRAM, preset_programs


def _slug(text: str) -> str:
    return "-".join(re.findall(r"[a-z0-9]+", text.lower())) or "program"


def program_identity(spec: str | None) -> str:
    """The preset's name, or the program file's resolved path: the same however the path is typed."""
    name = spec or DEFAULT_PROGRAM
    if name in preset_programs():
        return name  # load_program reads a preset first, whatever files lie about
    return str(Path(name).resolve())


def same_program(old: dict[str, Any] | None, identity: str, spec: str | None) -> bool:
    """Whether the folder's last run rendered this program."""
    if old is None:
        return False
    was = old.get("program")
    if not isinstance(was, str):
        return False
    if "slug" in old:
        return was == identity
    # A manifest from before program identities kept the name as typed: the same text, or a path that
    # leads to the same file from here.
    return was == (spec or DEFAULT_PROGRAM) or program_identity(was) == identity


def guid_of(slug: str, start: datetime.date, day: int) -> str:
    """A day's GUID: the program, the start date and the day; never the content (see the docs)."""
    return f"voiceguide:{slug}:{start.isoformat()}:day-{day:02d}"


def slug_for(old: dict[str, Any] | None, same: bool, identity: str) -> str:
    """The GUID slug: the one the folder has for the same program, else a new one from its name."""
    previous = _old_slug(old)
    if same and previous:
        return previous
    fresh = _slug(identity if identity in preset_programs() else Path(identity).stem)
    if previous == fresh:  # another program of the same name in this folder: not its GUIDs
        fresh += "-" + hashlib.sha256(identity.encode()).hexdigest()[:6]
    return fresh


def _old_slug(old: dict[str, Any] | None) -> str | None:
    if old is None:
        return None
    slug = old.get("slug")
    if isinstance(slug, str) and re.fullmatch(r"[a-z0-9-]+", slug):
        return slug
    for e in old["episodes"]:  # voiceguide 0.1.0: voiceguide:SLUG:day-NN:HASH
        m = re.fullmatch(r"voiceguide:([a-z0-9-]+):day-\d+:[0-9a-f]+", str(e.get("guid")))
        if m:
            return m.group(1)
    return None


def kept_guids(old: dict[str, Any] | None, same: bool, start: datetime.date) -> dict[int, str]:
    """The GUIDs subscribers already have, by day: kept while the program and the start date stay."""
    if old is None or not same or str(old.get("start")) != start.isoformat():
        return {}
    guids = old.get("guids")
    kept = {n: g for n, g in enumerate(guids, 1) if _fit_guid(g)} if isinstance(guids, list) else {}
    for e in old["episodes"]:  # a manifest from before "guids" has them only here
        if _fit_guid(e.get("guid")):
            kept.setdefault(e["day"], e["guid"])
    return kept


def _fit_guid(value: object) -> bool:
    """A GUID voiceguide could have written (an edited manifest's control characters never reach the feed)."""
    return isinstance(value, str) and re.fullmatch(r"[!-~]{1,200}", value) is not None
