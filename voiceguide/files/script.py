"""Text renderings for people: the timed script, the summary line, tables."""

from __future__ import annotations

from collections.abc import Sequence

from voiceguide.clock import clock
from voiceguide.words.catalog import Stretch
from voiceguide.words.timeline import BREATHS, CHIME, CONTRACT_RELAX, REPS, TEMPO_SET, Event, Role, Timeline


def summary(timeline: Timeline) -> str:
    holds = timeline.holds
    lengths = sorted({round(h.seconds) for h in holds})
    each = f" of {lengths[0]} s" if len(lengths) == 1 else ""
    parts = [clock(timeline.duration), f"{len(holds)} hold{'' if len(holds) == 1 else 's'}{each}"]
    if timeline.sets:
        parts.append(f"{len(timeline.sets)} rep set{'s' if len(timeline.sets) > 1 else ''}")
    tempo = sum(1 for b in timeline.blocks if b.kind == TEMPO_SET)
    if tempo:
        parts.append(f"{tempo} tempo set{'s' if tempo > 1 else ''}")
    breathing = sum(1 for b in timeline.blocks if b.kind == BREATHS)
    if breathing:
        parts.append(f"{breathing} breathing block{'s' if breathing > 1 else ''}")
    return ", ".join(parts)


def block_begins(kind: str, name: str, set_n: int, set_of: int) -> str | None:
    """What the opening chime of a dosed block says: "set 1 of 2 begins (Glute bridge)"; None for a hold."""
    if kind == TEMPO_SET:
        return f"set {set_n} of {set_of} begins ({name})" if set_of > 1 else f"reps begin ({name})"
    if kind == BREATHS:
        return f"breathing begins ({name})"
    if kind == CONTRACT_RELAX:
        return f"press and relax begins ({name})"
    return None


def chime_meaning(timeline: Timeline, event: Event) -> str:
    """What a chime tells the person: "hold 30 s begins (Forward Bend)", "switch sides"."""
    block = timeline.blocks[event.block] if event.block is not None else None
    if event.role == Role.START and block is not None:
        if block.kind == REPS:
            return f"reps begin ({block.name})"
        dosed = block_begins(block.kind, block.name, block.set_n, block.set_of)
        if dosed:
            return dosed
        side = f", {block.side} side" if block.side else ""
        return f"hold {round(block.seconds)} s begins ({block.name}{side})"
    if event.role is None:
        return "chime"
    if event.role == Role.TICK and block is not None and block.kind != REPS:
        return PHASE_TICK
    return CHIME_MEANINGS.get(event.role, event.role.value)


CHIME_MEANINGS = {Role.END: "ends", Role.SWITCH: "switch sides", Role.FINISH: "session complete", Role.TICK: "rep"}
PHASE_TICK = "phase"  # a tick on the onset of a tempo rep's, a breath's or a press's phase


def render_text(timeline: Timeline) -> str:
    lines = [timeline.title, summary(timeline), ""]
    for e in timeline.events:
        if e.kind == CHIME:
            lines.append(f"{clock(e.start)}  ~ chime: {chime_meaning(timeline, e)}")
        else:
            lines.append(f"{clock(e.start)}  {e.text}")
    return "\n".join(lines) + "\n"


def table(header: tuple[str, ...], rows: Sequence[tuple[str, ...]]) -> str:
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    out = []
    for row in [header, *rows]:
        out.append("  ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=False)).rstrip())
    return "\n".join(out)


def describe(s: Stretch) -> str:
    lines = [
        f"{s.name}  ({s.id})",
        f"  {s.benefit}",
        "",
        f"  Also called:  {', '.join(s.aliases) or '-'}",
        f"  Targets:      {', '.join(s.targets)}",
        f"  Position:     {s.position}",
        f"  Equipment:    {_equipment(s)}",
        f"  Sided:        {'yes, each side held on its own' if s.sided else 'no'}",
        f"  Kind:         {_kind(s)}",
        f"  Recommended:  {s.recommended}",
        f"  Suits:        {', '.join(s.suits) or '-'}",
        f"  Needs:        {', '.join(s.needs) or '-'}",
        *([f"  Caution:      {s.caution}"] if s.caution else []),
        "",
        "  Setup:",
        *(f"    {i}. {t}{_said_when(s, t)}" for i, t in enumerate(s.setup, 1)),
        *_section("Between sides", s.between_sides),
        *_section("Reminders during the hold", s.reminders, always=True),
        *_section("Coming out", s.exit),
    ]
    return "\n".join(lines)


def _said_when(s: Stretch, text: str) -> str:
    notes = ["first side only"] if text in s.once else []
    notes += [f"not said with --avoid {need}" for t, need in s.unless if t == text]
    return f"  ({'; '.join(notes)})" if notes else ""


def _equipment(s: Stretch) -> str:
    if not s.equipment:
        return "none"
    return ", ".join(s.equipment) + ("" if s.equipment_required else " (optional)")


def _section(title: str, items: Sequence[str], always: bool = False) -> list[str]:
    """A titled list after a blank line; nothing when empty, unless `always`."""
    if not items and not always:
        return []
    return ["", f"  {title}:", *(f"    - {t}" for t in items)]


def _kind(s: Stretch) -> str:
    if s.dose is not None and s.dose.tempo:
        return "tempo reps"
    if s.dose is not None and s.dose.breathing:
        return "paced breathing"
    kind = "dynamic reps" if s.kind == "reps" else "hold"
    return f"contract-relax, then {kind}" if s.dose is not None and s.dose.contract_relax else kind
