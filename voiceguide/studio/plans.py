"""Programs composed in the studio: a routine a day, in phases, checked by the program-file loader.

The page sends a program as the table a program file holds (title, days,
rest_days, phases with days, routine, hold, guidance); `program_of` hands it
to `program_from_data`, the loader of program files, after one check of the
studio's own: a phase's routine is a preset or a routine file in the studio's
folder named as the studio names files (`morning-for-ann.toml`), never a path
elsewhere on the machine. The plan shown is `voiceguide program --plan`'s
text; the program is rendered by `render_program`, as `voiceguide program
FILE -o DIR` renders it, into FOLDER/<name>/ with its feed and calendar.
"""

from __future__ import annotations

import datetime
import re
from pathlib import Path
from typing import Any

from voiceguide.errors import InputError
from voiceguide.fields import describe_value
from voiceguide.inputs import check_base_url, parse_at, parse_start
from voiceguide.programs.folder import read_manifest, render_program
from voiceguide.programs.plan import plan_program, plan_text
from voiceguide.programs.program import DAYS_LIMITS, WEEKDAYS, Program, program_from_data
from voiceguide.serve.hosts import is_loopback, url_host
from voiceguide.sound.engines import Engine
from voiceguide.studio import compose
from voiceguide.studio.jobs import JobProgress
from voiceguide.words.routine import preset_names

SOURCE = "program"
SUFFIX = "-program.toml"  # a program file the studio saves: TITLE-program.toml, beside its routine files
ROUTINE_FILE = re.compile(r"[a-z0-9][a-z0-9-]{0,79}\.toml")
MAX_LISTED = 200  # routine files offered to the page
HEADER = (
    "# A voiceguide program, composed in 'voiceguide studio'.\n"
    "# See the plan:   voiceguide program {name} --plan\n"
    "# Render it:      voiceguide program {name} -o FOLDER/\n\n"
)


def choices(folder: Path) -> dict[str, Any]:
    """What a phase may name: the routine presets and the routine files in the folder; the loader's limits."""
    files = sorted(
        p.name
        for p in folder.glob("*.toml")
        if ROUTINE_FILE.fullmatch(p.name) and not p.name.endswith(SUFFIX) and p.is_file()
    )[:MAX_LISTED]
    return {
        "presets": preset_names(),
        "files": files,
        "rendered": rendered(folder),
        "weekdays": list(WEEKDAYS),
        "days": list(DAYS_LIMITS),
    }


def rendered(folder: Path) -> list[dict[str, Any]]:
    """The program folders in `folder` (a manifest voiceguide wrote): name, title, episodes, feed address."""
    found = []
    for sub in sorted(p for p in folder.iterdir() if p.is_dir() and not p.name.startswith("."))[:MAX_LISTED]:
        try:
            manifest = read_manifest(sub)
        except InputError:  # damaged: `voiceguide program` says what is wrong when it is rerun
            continue
        if manifest is None:
            continue
        episodes = manifest.get("episodes")
        base = manifest.get("base_url") if isinstance(manifest.get("base_url"), str) else ""
        found.append({
            "folder": sub.name,
            "title": str(manifest.get("title", sub.name)),
            "episodes": len(episodes) if isinstance(episodes, list) else 0,
            "feed": f"{base}feed.xml",
        })  # fmt: skip
    return found


def program_of(data: object, folder: Path) -> Program:
    """The program the page sent, by the program-file loader's rules, its routines found in `folder` only."""
    if isinstance(data, dict):
        _check_routine(data.get("routine"), "routine", folder)
        for key in ("phases", "day"):
            tables = data.get(key)
            for i, table in enumerate(tables if isinstance(tables, list) else []):
                if isinstance(table, dict):
                    _check_routine(table.get("routine"), f"{key}[{i}].routine", folder)
    return program_from_data(data, SOURCE, "studio", folder)


def _check_routine(value: object, at: str, folder: Path) -> None:
    if value is None or value in preset_names():
        return
    if not isinstance(value, str) or not ROUTINE_FILE.fullmatch(value) or not (folder / value).is_file():
        raise InputError(
            f"{SOURCE}: {at}: {describe_value(value)} is not a routine preset or a routine file in "
            f"{folder.name}/; save the routine first, or choose a preset ({', '.join(preset_names())})",
            source=SOURCE,
            field=at,
        )


def when(start: object, at: object) -> tuple[datetime.date, str]:
    """The start date and time of day the page sent, by the rules of --start and --at."""
    for value, field in ((start, "start"), (at, "at")):
        if not isinstance(value, str):
            raise InputError(f"{field}: expected text, got {describe_value(value)}", field=field)
    assert isinstance(start, str) and isinstance(at, str)
    try:
        return parse_start(start), parse_at(at)
    except InputError as exc:
        field = "at" if str(exc).startswith("--at") else "start"
        raise InputError(str(exc), field=field) from None


def base_url_of(value: object) -> str | None:
    """The base URL the page sent (empty: the default), by --base-url's rules."""
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise InputError(f"base_url: expected text, got {describe_value(value)}", field="base_url")
    try:
        return check_base_url(value)
    except InputError as exc:
        raise InputError(str(exc), field="base_url") from None


def feed_of(folder: Path) -> dict[str, Any] | None:
    """A rendered program folder's feed for its handout: its URL, and whether a phone elsewhere can reach it."""
    manifest = read_manifest(folder) if folder.is_dir() else None
    if manifest is None or not isinstance(manifest.get("base_url"), str):
        return None
    base = manifest["base_url"]
    host = url_host(base)
    return {
        "title": manifest.get("title"),
        "feed": base + "feed.xml",
        "reachable": bool(host and not is_loopback(host)),
    }


def plan_preview(program: Program, start: datetime.date, engine: Engine) -> str:
    """`voiceguide program FILE --plan --start START`'s text."""
    return plan_text(program, plan_program(program, start, engine))


def file_name(program: Program) -> str:
    return compose.file_stem(program.title) + SUFFIX


def toml_text(data: dict[str, Any], name: str) -> str:
    return compose.toml_text(data, name, HEADER)


def render(
    path: Path,
    folder: Path,
    engine: Engine,
    when: tuple[datetime.date, str, str | None],
    progress: JobProgress,
) -> tuple[str, list[str]]:
    """Render the saved program file into `folder` (a folder of its own), as `voiceguide program -o` does.

    `when`: the start date, the time of day and the base URL (None: the default).
    """
    start, at, base_url = when
    result = render_program(
        str(path), folder, engine, start=start, at=at, base_url=base_url, progress=progress, workers=1
    )
    episodes = len(result.built) + len(result.kept)
    message = (
        f"Wrote {folder.name}/: {episodes} episodes ({len(result.built)} built), feed.xml, calendar.ics. "
        f"Serve it to a phone with: voiceguide serve {folder}"
    )
    return message, [path.name]
