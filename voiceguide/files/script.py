"""Text renderings for people: the timed script, the summary line, tables."""

from __future__ import annotations

from collections.abc import Sequence

from voiceguide import language
from voiceguide.clock import clock
from voiceguide.language import N_, Side, _, n_
from voiceguide.words.catalog import Stretch
from voiceguide.words.timeline import BREATHS, CHIME, CONTRACT_RELAX, REPS, TEMPO_SET, Event, Role, Timeline


def summary(timeline: Timeline, lang: str = language.ENGLISH) -> str:
    """ "06:38, 2 holds of 30 s, 1 rep set": English for the command line's own messages, else in `lang`."""
    with language.speaking(lang):
        return _summary(timeline)


def _summary(timeline: Timeline) -> str:
    holds = timeline.holds
    lengths = sorted({round(h.seconds) for h in holds})
    if len(lengths) == 1:
        said = n_("{n} hold of {seconds} s", "{n} holds of {seconds} s", len(holds)).format(
            n=len(holds), seconds=lengths[0]
        )
    else:
        said = n_("{n} hold", "{n} holds", len(holds)).format(n=len(holds))
    parts = [clock(timeline.duration), said]
    if timeline.sets:
        parts.append(n_("{n} rep set", "{n} rep sets", len(timeline.sets)).format(n=len(timeline.sets)))
    tempo = sum(1 for b in timeline.blocks if b.kind == TEMPO_SET)
    if tempo:
        parts.append(n_("{n} tempo set", "{n} tempo sets", tempo).format(n=tempo))
    breathing = sum(1 for b in timeline.blocks if b.kind == BREATHS)
    if breathing:
        parts.append(n_("{n} breathing block", "{n} breathing blocks", breathing).format(n=breathing))
    return ", ".join(parts)


def block_begins(kind: str, name: str, set_n: int, set_of: int) -> str | None:
    """What the opening chime of a dosed block says: "set 1 of 2 begins (Glute bridge)"; None for a hold."""
    if kind == TEMPO_SET and set_of > 1:
        return _("set {n} of {total} begins ({name})").format(n=set_n, total=set_of, name=name)
    if kind in BEGINS:
        return _(BEGINS[kind]).format(name=name)
    return None


def chime_meaning(timeline: Timeline, event: Event) -> str:
    """What a chime tells the person: "hold 30 s begins (Forward Bend)", "switch sides"."""
    block = timeline.blocks[event.block] if event.block is not None else None
    if event.role == Role.START and block is not None:
        dosed = block_begins(block.kind, block.name, block.set_n, block.set_of)
        if dosed:
            return dosed
        seconds = round(block.seconds)
        if block.side:
            said = _("hold {seconds} s begins ({name}, {side:adj} side)")
            return said.format(seconds=seconds, name=block.name, side=Side(block.side))
        return _("hold {seconds} s begins ({name})").format(seconds=seconds, name=block.name)
    if event.role is None:
        return _("chime")
    if event.role == Role.TICK and block is not None and block.kind != REPS:
        return _(PHASE_TICK)
    return _(CHIME_MEANINGS[event.role]) if event.role in CHIME_MEANINGS else event.role.value


# The words of a chime in the script; the captions' words are in voiceguide/files/sidecars.py.
BEGINS = {
    REPS: N_("reps begin ({name})"),
    TEMPO_SET: N_("reps begin ({name})"),
    BREATHS: N_("breathing begins ({name})"),
    CONTRACT_RELAX: N_("press and relax begins ({name})"),
}
CHIME_MEANINGS = {
    Role.END: N_("ends"),
    Role.SWITCH: N_("switch sides"),
    Role.FINISH: N_("session complete"),
    Role.TICK: N_("rep"),
}
PHASE_TICK = N_("phase")  # a tick on the onset of a tempo rep's, a breath's or a press's phase


def render_text(timeline: Timeline) -> str:
    """The timed script, in the timeline's language."""
    with language.speaking(timeline.lang):
        lines = [timeline.title, _summary(timeline), ""]
        for e in timeline.events:
            if e.kind == CHIME:
                lines.append(f"{clock(e.start)}  " + _("~ chime: {what}").format(what=chime_meaning(timeline, e)))
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
