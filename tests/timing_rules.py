"""The timing rules of docs/design.md as one checker, shared by the unit and property tests."""

from __future__ import annotations

from voiceguide import language
from voiceguide.words import counting, cues
from voiceguide.words.guidance import talk_for
from voiceguide.words.routine import Routine
from voiceguide.words.timeline import CHIME, DEFAULT_PACING, SPEECH, Pacing, Timeline
from voiceguide.words.timeline import said as as_said

# Chime lengths close to the real sounds', for timelines laid out without audio.
CHIME_LENGTHS = {"start.wav": 1.0, "end.wav": 1.0, "switch.wav": 0.8, "finish.wav": 2.8, "tick.wav": 0.15}


def assert_obeys_timing_rules(timeline: Timeline, routine: Routine, length, pacing: Pacing = DEFAULT_PACING) -> None:
    """Every rule, with texts compared as said in the timeline's language."""
    with language.speaking(timeline.lang):
        _assert_obeys(timeline, routine, length, pacing)


def _assert_obeys(timeline: Timeline, routine: Routine, length, pacing: Pacing) -> None:
    events = timeline.events
    settle = max(pacing.settle if routine.settle is None else routine.settle, pacing.clearance)
    tempo = pacing.rep_seconds if routine.tempo is None else routine.tempo
    by_start = sorted(events, key=lambda e: e.start)

    # Nothing overlaps anything: speech is never over speech or a chime.
    for a, b in zip(by_start, by_start[1:], strict=False):
        assert a.end <= b.start + 1e-9, f"{a} overlaps {b}"
        # ...and leaves a breath between: clear silence around every chime, a pause between words.
        least = pacing.clearance if CHIME in (a.kind, b.kind) else pacing.count_gap
        assert b.start - a.end >= least - 1e-9, f"no pause between {a} and {b}"

    # Speech keeps its full length: never cut or sped up.
    for e in events:
        if e.kind == SPEECH:
            assert e.end - e.start >= length(e.text) - 1e-9, e
        # Times sit on whole milliseconds, so they land on exact samples.
        assert abs(e.start * 1000 - round(e.start * 1000)) < 1e-6

    chimes = {e.start: e for e in events if e.kind == CHIME}
    holds = list(timeline.holds)
    expected_holds = [
        (step.stretch.id, side, step.hold)
        for _ in range(routine.laps)
        for step in routine.steps
        if step.kind == "hold"
        for _ in range(step.rounds)
        for side in step.sides
    ]
    assert [(h.stretch, h.side, round(h.end - h.start, 3)) for h in holds] == expected_holds

    for h in holds:
        # A hold runs from the onset of its opening chime to the onset of its closing chime.
        assert chimes[h.start].sound == "start.wav"
        assert chimes[h.end].sound in ("end.wav", "switch.wav")
        # Speech inside a hold stays clear of both chimes.
        for e in events:
            if e.kind == SPEECH and h.start < e.start < h.end:
                assert e.start >= chimes[h.start].end + pacing.clearance - 1e-9
                assert e.end <= h.end - pacing.clearance + 1e-9

    # Sided stretches: within one step and round, the first side closes with the
    # switch chime; a step's last hold of a round closes with the end chime.
    plan = [
        (lap, index, rnd, side)
        for lap in range(routine.laps)
        for index, step in enumerate(routine.steps)
        if step.kind == "hold"
        for rnd in range(step.rounds)
        for side in step.sides
    ]
    for i, h in enumerate(holds):
        same_round_next = i + 1 < len(plan) and plan[i + 1][:3] == plan[i][:3]
        assert chimes[h.end].sound == ("switch.wav" if same_round_next else "end.wav"), h

    # Getting into position: at least get-ready time from the announcement, and after the setup speech.
    # A hold after a contract-relax opens where the last relax ends: its words lead into the contract-relax.
    pressed = {b.end: b.start for b in timeline.blocks if b.kind == "contract-relax"}
    first_sets = [b.start for b in timeline.blocks if b.kind == "tempo-set" and b.set_n == 1]
    breathing = [b.start for b in timeline.blocks if b.kind == "breaths"]
    openers = sorted([pressed.get(h.start, h.start) for h in holds] + [s.start for s in timeline.sets])
    openers = sorted(openers + first_sets + breathing)
    opener_steps = [
        step
        for _ in range(routine.laps)
        for step in routine.steps
        for _ in (step.sides * step.rounds if step.kind == "hold" else step.sides if step.kind == "tempo" else (None,))
    ]
    assert len(openers) == len(opener_steps)
    for start, step in zip(openers, opener_steps, strict=False):
        before = [e for e in events if e.kind == SPEECH and e.end <= start]
        # The lead-in begins with the first announcement, switch or round words after the previous block.
        previous_end = max((b.end for b in timeline.blocks if b.end <= start), default=0.0)
        leading = [e for e in before if e.role in ("announce", "switch", "round") and e.start >= previous_end]
        announce = (
            min(leading, key=lambda e: e.start)
            if leading
            else max((e for e in before if e.role in ("announce", "switch", "round")), key=lambda e: e.start)
        )
        last_speech = max(before, key=lambda e: e.end)
        assert start - announce.start >= step.get_ready - 1e-9
        # Time to settle: quiet after the last instruction before the chime opens the hold.
        assert start >= last_speech.end + settle - 1e-9, (start, last_speech)

    assert_dosed_blocks(timeline, routine, length, pacing, settle)
    assert_calm_holds(timeline, pacing)
    assert_whole_second_sides(timeline, routine)
    assert_rounds_read_right(timeline, routine)
    assert_time_to_change_level(timeline, routine, pacing)
    assert_time_to_switch(timeline, pacing)
    assert_the_move_comes_last(timeline, routine)
    assert_a_way_out_between_rounds(timeline, routine)
    assert_each_part_of_a_way_out_done(timeline, settle)
    assert_the_caution_before_the_way_there(timeline, routine)
    assert_a_closing_that_ends_the_talk(timeline, routine)

    # Dynamic sets: 2 x reps counts at one steady tempo (never brisker than the tempo), legs alternating.
    for rep_set in timeline.sets:
        counts = [e for e in events if e.role == "count" and rep_set.start < e.start < rep_set.end]
        assert len(counts) == 2 * rep_set.reps
        # Legs alternating, right first, counted in the session's language ("Right, one." / "Rechts, eins.").
        wanted = [cues.rep_count(side, n) for n in range(1, rep_set.reps + 1) for side in ("right", "left")]
        assert [c.text for c in counts] == wanted
        steps = {round(b.start - a.start, 3) for a, b in zip(counts, counts[1:], strict=False)}
        assert len(steps) <= 1 or max(steps) - min(steps) <= 0.002
        assert all(step >= tempo - 1e-9 for step in steps)

    # The session ends with the finishing chime, and the file holds all of it.
    last = by_start[-1]
    assert last.kind == CHIME and last.sound == "finish.wav"
    assert timeline.duration >= last.end


def assert_calm_holds(timeline: Timeline, pacing: Pacing = DEFAULT_PACING) -> None:
    """At most one reminder per 12 s of hold after the first 6 s, 8 s apart; no "ten seconds"."""
    assert not [e for e in timeline.speech if "ten seconds" in (e.text or "").lower()]
    for hold in timeline.holds:
        inside = [e for e in timeline.speech if hold.start < e.start < hold.end and e.role == "reminder"]
        allowed = max(0, int((hold.seconds - pacing.reminder_after) // pacing.reminder_every))
        assert len(inside) <= allowed, (hold, [e.text for e in inside])
        assert all(e.start >= hold.start + pacing.reminder_after - 1e-9 for e in inside)
        starts = [e.start for e in inside]
        assert all(b - a >= pacing.reminder_apart - 1e-9 for a, b in zip(starts, starts[1:], strict=False))


def assert_whole_second_sides(timeline: Timeline, routine: Routine) -> None:
    """Before a second side, every setup sentence of the first is said again (mirrored), but those said once."""
    if routine.guidance != "full":
        return
    blocks = timeline.blocks
    for first, second in zip(blocks, blocks[1:], strict=False):
        if not (first.side == "right" and second.side == "left" and first.step == second.step):
            continue
        if first.step_round != second.step_round or first.lap != second.lap:
            continue
        stretch = routine.steps[first.step].stretch
        said = {e.text for e in timeline.speech if first.end < e.start < second.start}
        wanted = {as_said(cues.mirror(t)) for t in stretch.setup if t not in stretch.once}
        assert wanted <= said, (stretch.id, wanted - said)


def assert_rounds_read_right(timeline: Timeline, routine: Routine) -> None:
    """ "Last stretch" only in the last round, once; a cue to come up before a stretch that starts higher."""
    lasts = [e for e in timeline.speech if (e.text or "").startswith(("Last stretch", "Last exercise"))]
    assert len(lasts) <= 1
    if lasts:
        assert all(b.lap == routine.laps for b in timeline.blocks if b.start > lasts[0].start)
    position = [s.stretch.position for s in routine.steps]
    for before, after in zip(timeline.blocks, timeline.blocks[1:], strict=False):
        if cues.move(position[before.step], position[after.step]):
            between = [e for e in timeline.speech if before.end < e.start < after.start and e.role == "move"]
            assert between, (before.stretch, after.stretch)


def _levels_around(timeline: Timeline, routine: Routine, at: float) -> tuple[str, str]:
    """The levels of the blocks either side of a moment (standing is "up"; a session begins standing)."""
    before = [b for b in timeline.blocks if b.end <= at]
    after = [b for b in timeline.blocks if b.start >= at]
    level = cues.LEVELS[routine.steps[max(before, key=lambda b: b.end).step].stretch.position] if before else "up"
    # The closing way up (no block after it) ends standing.
    following = cues.LEVELS[routine.steps[min(after, key=lambda b: b.start).step].stretch.position] if after else "up"
    return level, following


def assert_time_to_change_level(timeline: Timeline, routine: Routine, pacing: Pacing = DEFAULT_PACING) -> None:
    """Quiet after every cue to change level before the next words: 12 s, 15 s down to the floor or up from it."""
    speech = list(timeline.speech)
    for cue, following in zip(speech, speech[1:], strict=False):
        if cue.role != "move":
            continue
        floor = {"up", "chair"}  # 15 s between these and the floor, 12 s between floor levels
        level, following_level = _levels_around(timeline, routine, cue.start)
        least = pacing.floor_quiet if (level in floor) != (following_level in floor) else pacing.move_quiet
        quiet = following.start - cue.end
        assert quiet >= least - 1e-9, (cue.text, following.text, round(quiet, 3), least)
        # Nothing sounds in that quiet: no chime either (a chime may come after it, before the next words).
        assert not [e for e in timeline.events if cue.end < e.start < cue.end + least - 1e-9], cue.text


def assert_time_to_switch(timeline: Timeline, pacing: Pacing = DEFAULT_PACING) -> None:
    """From a hold's closing chime to the next hold of the same step, at least 15 s, at every guidance level."""
    for a, b in zip(timeline.blocks, timeline.blocks[1:], strict=False):
        if a.kind == b.kind == "hold" and (a.step, a.lap) == (b.step, b.lap):
            assert b.start - a.end >= pacing.switch - 1e-9, (a.stretch, a.side, b.side, round(b.start - a.end, 3))


def assert_the_move_comes_last(timeline: Timeline, routine: Routine) -> None:
    """The move into the stretch is the last instruction before the settle time.

    The catalog's setup lists end with the sentence that moves into the pose
    (docs/catalog.md), so at full guidance the last words before every opening
    chime are the stretch's last setup sentence (mirrored for the left side; a
    rep set adds its "at my count", after which the reps begin), and at brief
    its one `brief` sentence: nothing is said after the move but the settle time.
    """
    amount = talk_for(routine.guidance).setup
    pressed = {b.end for b in timeline.blocks if b.kind == "contract-relax"}
    for block in timeline.blocks:
        stretch = routine.steps[block.step].stretch
        if block.kind == "rest" or block.start in pressed or block.set_n > 1:
            continue  # inside a step's dose: the rules of assert_dosed_blocks
        said = [e for e in timeline.speech if e.end <= block.start and e.start >= block.lead_in]
        if not said:
            continue
        last = said[-1]
        intro = _intro(block)
        if intro is not None:
            assert last.text == intro, (stretch.id, last.text)
            said = said[:-1]
            last = said[-1]
        if amount == "none" or not stretch.setup:
            # Nothing of the setup; a stretch's caution (who should skip it) is said at every level.
            caution = getattr(stretch, "caution", None)
            assert last.role != "setup" or last.text == (caution and as_said(caution)), (stretch.id, last.text)
            continue
        if amount == "first":  # the brief sentence, else the first said on this side (a second side skips once)
            again = [t for t in stretch.setup if t not in stretch.once][:1]
            moves = {stretch.brief} if stretch.brief else {stretch.setup[0], *again}
        else:
            moves = {stretch.setup[-1]}
        assert last.role == "setup", (stretch.id, last.text)
        said_move = {as_said(cues.mirror(m) if block.side == "left" else m) for m in moves}
        assert last.text in said_move, (stretch.id, block.side, last.text)


def _intro(block) -> str | None:
    """The words a block's own lead-in ends with, after the setup: "at my count, begin at the chime"."""
    if block.kind == "reps":
        return cues.reps_intro(block.reps)
    if block.kind == "tempo-set":
        return counting.tempo_intro(block.reps, block.set_of)
    if block.kind == "breaths":
        return counting.breathing_intro(block.reps)
    if block.kind == "contract-relax":
        return counting.contract_relax_intro(block.reps)
    return None


def assert_a_closing_that_ends_the_talk(timeline: Timeline, routine: Routine) -> None:
    """A session that ends off its feet closes with how to get up, the last thing said (after the outro:
    "Stay here as long as you like" was followed by 20 s of talk); nothing is released after reps."""
    speech = list(timeline.speech)
    closing = timeline.duration if timeline.closing is None else timeline.closing
    ups = [e for e in speech if e.role == "move" and e.start >= closing - 1e-9]
    last_block = max(timeline.blocks, key=lambda b: b.end, default=None)
    if last_block is not None and cues.LEVELS[routine.steps[last_block.step].stretch.position] != "up":
        assert len(ups) == 1 and speech[-1] is ups[0], speech[-1].text
    else:
        assert not ups, [e.text for e in ups]
    for rep_set in timeline.sets:
        after = [e for e in speech if e.start > rep_set.end]
        assert not after or after[0].text != as_said(cues.RELEASE), rep_set.stretch


def assert_a_way_out_between_rounds(timeline: Timeline, routine: Routine) -> None:
    """The same side held again (the next round) comes out of the pose first: a stretch's own way out
    (never twice head-down in a row), or a release."""
    for a, b in zip(timeline.blocks, timeline.blocks[1:], strict=False):
        if a.kind == b.kind == "hold" and (a.step, a.lap, a.side) == (b.step, b.lap, b.side):
            stretch = routine.steps[a.step].stretch
            between = [e.text for e in timeline.speech if a.end <= e.start < b.start and e.role == "release"]
            assert between == list(stretch.exit or (cues.RELEASE,)), (stretch.id, a.start, between)


def assert_the_caution_before_the_way_there(timeline: Timeline, routine: Routine) -> None:
    """A stretch's caution (who should skip it) is heard once per lap, before the move down or up to it."""
    for lap in range(1, routine.laps + 1):
        for index, step in enumerate(routine.steps):
            if not step.stretch.caution:
                continue
            first = min(b.start for b in timeline.blocks if (b.step, b.lap) == (index, lap))
            lead_in = max((b.end for b in timeline.blocks if b.end <= first), default=0.0)
            said = [e for e in timeline.speech if lead_in <= e.start < first]
            caution = [e for e in said if e.text == step.stretch.caution]
            assert len(caution) == 1, (step.stretch.id, lap)
            assert all(e.start > caution[0].start for e in said if e.role == "move"), step.stretch.id


def assert_each_part_of_a_way_out_done(timeline: Timeline, settle: float) -> None:
    """A way out in parts ("slide your feet down the wall", "roll onto your side"): the settle time after each."""
    speech = list(timeline.speech)
    for a, b in zip(speech, speech[1:], strict=False):
        if a.role == b.role == "release" and a.stretch == b.stretch:
            assert b.start - a.end >= settle - 1e-9, (a.text, b.text, round(b.start - a.end, 3))


def assert_dosed_blocks(timeline: Timeline, routine: Routine, length, pacing: Pacing, settle: float) -> None:
    """Tempo sets, rests, breaths and contract-relax (voiceguide/words/tempo.py), exact to the millisecond.

    Every phase lasts its seconds, one after another from the opening chime's
    clearance to the block's end; each phase's words or tick start on its onset
    and end the clearance before the phase does; a rest lasts exactly `rest`
    from a set's closing chime to the next set's opening chime, with the settle
    time of quiet before the opening; sided tempo reps do every set on one side
    first; a contract-relax ends where its hold's opening chime sounds.
    """
    events = timeline.events
    chimes = {e.start: e for e in events if e.kind == CHIME}
    at = {}
    for e in events:
        at.setdefault(e.start, e)
    dosed = ("tempo-set", "breaths", "contract-relax")
    holds = {h.start for h in timeline.holds}
    for index, block in enumerate(timeline.blocks):
        if block.kind not in dosed:
            continue
        step = routine.steps[block.step]
        assert step.dose is not None, block
        phases = [p for p in timeline.phases if p.block == index]
        assert chimes[block.start].sound == "start.wav", block
        first = round(block.start + chimes[block.start].end - chimes[block.start].start + pacing.clearance, 3)
        assert phases and abs(phases[0].start - first) < 1e-6, (block, phases[:1])
        assert abs(phases[-1].end - block.end) < 1e-6, block
        for a, b in zip(phases, phases[1:], strict=False):
            assert a.end == b.start, (a, b)
        if block.kind == "tempo-set":
            tempo = step.dose.tempo
            wanted = [(p, secs) for p, secs, _ in tempo.phases()] * tempo.reps
            assert chimes[block.end].sound in ("end.wav", "switch.wav")
        elif block.kind == "breaths":
            breathing = step.dose.breathing
            wanted = list(breathing.phases()) * breathing.breaths
            assert chimes[block.end].sound == "end.wav"
        else:
            cr = step.dose.contract_relax
            wanted = [("press", cr.press), ("relax", cr.relax)] * cr.cycles
            assert block.end in holds, block  # the hold opens as the last relax ends
        assert [(p.phase, round(p.end - p.start, 3)) for p in phases] == wanted, block
        spoken_cycles = counting.SPOKEN_BREATHS if block.kind == "breaths" else None
        for p in phases:
            mark = at.get(p.start)
            chimes_only = not timeline.speech
            if spoken_cycles is not None and p.rep > spoken_cycles and not chimes_only:
                assert mark is None or mark.kind == CHIME, p  # quiet after the first breaths
                continue
            if mark is None:
                continue  # nothing fits (a phase shorter than a tick and its clearance)
            assert mark.role in ("phase", "tick"), (p, mark)
            # Words never run into the next phase: they end the clearance before this one ends.
            assert mark.end <= p.end - pacing.clearance + 1e-9, (p, mark)
            if mark.kind == SPEECH:
                assert mark.end - mark.start >= length(mark.text) - 1e-9
    # Rests: exactly `rest` from one set's closing chime to the next set's opening chime, quiet before the opening.
    blocks = timeline.blocks
    for i, rest in enumerate(blocks):
        if rest.kind != "rest":
            continue
        before, after = blocks[i - 1], blocks[i + 1]
        step = routine.steps[rest.step]
        assert before.kind == after.kind == "tempo-set" and after.set_n == before.set_n + 1, rest
        assert before.end == rest.start and rest.end == after.start
        assert abs(rest.seconds - step.dose.tempo.rest) < 1e-6, rest
        said = [e for e in timeline.speech if rest.start < e.start < rest.end]
        assert all(e.end <= rest.end - settle + 1e-9 for e in said), said
        assert chimes[rest.start].sound == "end.wav" and chimes[rest.end].sound == "start.wav"
    # Tempo steps: sets x sides of them; every set of one side before the first of the other.
    for lap in range(1, routine.laps + 1):
        for index, step in enumerate(routine.steps):
            if step.kind != "tempo":
                continue
            sets = [b for b in blocks if b.kind == "tempo-set" and (b.lap, b.step) == (lap, index)]
            tempo = step.dose.tempo
            assert [(b.side, b.set_n, b.set_of) for b in sets] == [
                (side, k, tempo.sets) for side in step.sides for k in range(1, tempo.sets + 1)
            ]
