"""A program's days with their sessions laid out: lengths, holds, and the plan as text or JSON.

The speech is prepared for the union of every day's texts first, so a clip the
days share is spoken once; each day is then planned from the cache.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from voiceguide import language
from voiceguide.errors import InputError
from voiceguide.inputs import check_start
from voiceguide.language import N_, _, n_
from voiceguide.programs.program import Choices, Day, Program, plan_days
from voiceguide.session.pipeline import NoProgress, Plan, Progress, plan_session
from voiceguide.sound.engines import Engine
from voiceguide.sound.speech import Speech
from voiceguide.words.timeline import Timeline, spoken_texts


@dataclass(frozen=True)
class PlannedDay:
    day: Day
    plan: Plan  # the session as it would be rendered

    @property
    def timeline(self) -> Timeline:
        return self.plan.timeline


def plan_program(
    program: Program,
    start: datetime.date,
    engine: Engine,
    progress: Progress | None = None,
    choices: Choices | None = None,
) -> list[PlannedDay]:
    # The start is checked before any date arithmetic: 9999-12-31 has no next day.
    days = plan_days(program, check_start(start), choices=choices)
    progress = progress or NoProgress()
    if engine.name != "none":
        texts = list(dict.fromkeys(t for day in days for t in spoken_texts(day.shaped)))
        progress.start("Preparing speech", len(texts))
        Speech(engine).prepare(texts, on_clip=progress.advance)
        progress.finish()
    return [PlannedDay(day, plan_session(day.routine, engine, None, day.options)) for day in days]


def plan_day(
    program: Program, number: int, start: datetime.date, engine: Engine, choices: Choices | None = None
) -> PlannedDay:
    """One session day, laid out as `voiceguide program --day N` prints it and the folder renders it."""
    days = plan_days(program, check_start(start), choices=choices)
    if not 1 <= number <= len(days):
        raise InputError(
            f"--day: {number} is out of range; {program.name} has {len(days)} session days (1 to {len(days)})"
        )
    day = days[number - 1]
    return PlannedDay(day, plan_session(day.routine, engine, None, day.options))


# The guidance levels as a feed item names them (voiceguide/language.py messages).
GUIDANCE_SAID = {"full": N_("full guidance"), "brief": N_("brief guidance"), "minimal": N_("minimal guidance")}


def describe(planned: PlannedDay) -> str:
    """The day's stretches and doses, and its length, in one sentence for a feed item, in the day's language."""
    with language.speaking(planned.plan.routine.lang):
        parts = []
        for step in planned.plan.routine.steps:
            s, each = step.stretch, len(step.sides) > 1
            if step.dose is not None and (step.dose.tempo or step.dose.breathing):  # "2 x 8, 3-3-3 tempo, 30 s rest"
                said = _("{name} {dose} each side") if each else "{name} {dose}"
                parts.append(said.format(name=s.name, dose=step.dose.describe()))
            elif s.kind == "reps":
                parts.append(_("{name} {n} reps each leg").format(name=s.name, n=step.reps))
            else:
                said = _("{name} {n} s each side") if each else _("{name} {n} s")
                parts.append(said.format(name=s.name, n=step.hold))
        minutes = max(1, round(planned.timeline.duration / 60))
        laps = planned.plan.routine.laps
        again = ", " + n_("{n} lap", "{n} laps", laps).format(n=laps) if laps > 1 else ""
        length = n_("About {n} minute", "About {n} minutes", minutes).format(n=minutes)
        guidance = _(GUIDANCE_SAID.get(planned.day.guidance, planned.day.guidance))
        return f"{'; '.join(parts)}{again}. {length}, {guidance}."


def stretch_names(planned: PlannedDay) -> list[str]:
    return list(dict.fromkeys(s.stretch.name for s in planned.plan.routine.steps))


def plan_data(planned: Sequence[PlannedDay]) -> list[dict[str, Any]]:
    """The plan as data: a list of days, each with its date, guidance, length and holds."""
    return [
        {
            "day": p.day.number,
            "date": p.day.date.isoformat(),
            "title": p.day.episode_title,
            "guidance": p.day.guidance,
            "length": p.timeline.duration,
            "stretches": stretch_names(p),
            "holds": [
                {"stretch": h.stretch, "name": h.name, "side": h.side, "seconds": h.seconds} for h in p.timeline.holds
            ],
        }
        for p in planned
    ]


def plan_json(planned: Sequence[PlannedDay]) -> str:
    return json.dumps(plan_data(planned), indent=2, ensure_ascii=False) + "\n"


def plan_text(program: Program, planned: Sequence[PlannedDay]) -> str:
    from voiceguide.clock import clock

    rest = f"; rest days: {', '.join(program.rest_days)}" if program.rest_days else ""
    lines = [program.title, f"{len(planned)} session days{rest}", ""]
    for p in planned:
        d = p.day
        lines.append(
            f"Day {d.number:>2}  {d.date:%a %Y-%m-%d}  {clock(p.timeline.duration):>6}  {d.guidance:<7}  {d.title}"
        )
        lines.append(f"{'':8}{describe(p)}")
    return "\n".join(lines) + "\n"


def summary_line(name: str, program: Program, planned: Sequence[PlannedDay]) -> str:
    """For 'voiceguide programs': days, minutes a day, what changes."""
    minutes = sorted(round(p.timeline.duration / 60) for p in planned)
    length = f"{minutes[0]}" if minutes[0] == minutes[-1] else f"{minutes[0]}-{minutes[-1]}"
    holds = [h.seconds for p in planned for h in p.timeline.holds]
    first = min(h.seconds for h in planned[0].timeline.holds) if planned[0].timeline.holds else 0
    changes = []
    if holds and first != max(holds):
        changes.append(f"holds {first:g} -> {max(holds):g} s")
    counts = [len(stretch_names(p)) for p in planned]
    if min(counts) != max(counts):
        changes.append(f"{min(counts)} -> {max(counts)} stretches")
    guidance = list(dict.fromkeys(p.day.guidance for p in planned))
    if len(guidance) > 1:
        changes.append("guidance " + " -> ".join(guidance))
    what = ", ".join(changes) or "the same every day"
    return f"{name:<20} {len(planned):>2} days  {length:>5} min a day  {what}"
