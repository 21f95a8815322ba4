"""The timing rules of DESIGN.md as one checker, shared by the unit and property tests."""

from __future__ import annotations

from voiceguide.routine import Routine
from voiceguide.timeline import CHIME, SPEECH, Pacing, Timeline


def assert_obeys_timing_rules(timeline: Timeline, routine: Routine, length, pacing: Pacing = Pacing()) -> None:
    events = timeline.events
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
        for _ in range(routine.rounds)
        for step in routine.steps
        if step.stretch.kind == "hold"
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
        for lap in range(routine.rounds)
        for index, step in enumerate(routine.steps)
        if step.stretch.kind == "hold"
        for rnd in range(step.rounds)
        for side in step.sides
    ]
    for i, h in enumerate(holds):
        same_round_next = i + 1 < len(plan) and plan[i + 1][:3] == plan[i][:3]
        assert chimes[h.end].sound == ("switch.wav" if same_round_next else "end.wav"), h

    # Getting into position: at least get-ready time from the announcement, and after the setup speech.
    openers = sorted([h.start for h in holds] + [s.start for s in timeline.sets])
    opener_steps = [
        step
        for _ in range(routine.rounds)
        for step in routine.steps
        for _ in (step.sides * step.rounds if step.stretch.kind == "hold" else (None,))
    ]
    assert len(openers) == len(opener_steps)
    for start, step in zip(openers, opener_steps, strict=False):
        before = [e for e in events if e.kind == SPEECH and e.end <= start]
        announce = max((e for e in before if e.role in ("announce", "switch", "round")), key=lambda e: e.start)
        last_speech = max(before, key=lambda e: e.end)
        assert start - announce.start >= step.get_ready - 1e-9
        assert start >= last_speech.end + pacing.clearance - 1e-9

    # Dynamic sets: 2 x reps counts at one steady tempo, legs alternating.
    for rep_set in timeline.sets:
        counts = [e for e in events if e.role == "count" and rep_set.start < e.start < rep_set.end]
        assert len(counts) == 2 * rep_set.reps
        assert [c.text.split(",")[0] for c in counts] == ["Right", "Left"] * rep_set.reps
        steps = {round(b.start - a.start, 3) for a, b in zip(counts, counts[1:], strict=False)}
        assert len(steps) <= 1 or max(steps) - min(steps) <= 0.002

    # The session ends with the finishing chime, and the file holds all of it.
    last = by_start[-1]
    assert last.kind == CHIME and last.sound == "finish.wav"
    assert timeline.duration >= last.end
