"""The chunked mixer (voiceguide.sound.mix.render_chunks) on synthetic clips: no TTS, no ffmpeg.

The mixer streams a session in chunks so memory does not grow with its length.
A chunk seam must be inaudible and must not move anything: the concatenated
chunks are the same bytes whatever the chunk size, a clip that runs over a seam
carries on sample for sample, every clip starts on its exact sample, and holds
stay exact over hours. Onsets are found by scanning the rendered samples, not
by trusting the timeline.

Every synthetic clip is positive on every sample (a sine over a DC offset)
and clips never touch unless they overlap, so in the output a clip is exactly a
run of nonzero samples and its onset is where the run begins. Each kind of clip
has its own first sample value, so an onset also says which clip it is.
"""

from __future__ import annotations

import random

import numpy as np
import pytest

from voiceguide.sound.mix import CHUNK_SECONDS, frame_of, render_chunks
from voiceguide.words.timeline import CHIME, HOLD, SPEECH, Block, Event, Role, Timeline

RATE = 44100

# The first sample of each kind of clip: its signature in the output.
# The body of every clip is 3000 +- 2500, so two overlapping clips never cancel
# to a zero sample and never clip.
SIGNATURE = {"start.wav": 10001, "end.wav": 10002, "switch.wav": 10003, "finish.wav": 10004, SPEECH: 9005}


def burst(n: int, first: int, freq: float = 440.0) -> bytes:
    """n samples of 16-bit PCM: `first`, then a sine over a DC offset, never zero."""
    body = 3000 + np.trunc(2500 * np.sin(2 * np.pi * freq * np.arange(n) / RATE + 0.3))
    body[0] = first
    return body.astype("<i2").tobytes()


def clip_frames(event: Event) -> int:
    return frame_of(event.end) - frame_of(event.start)


def make_pcm_of(cache: dict | None = None):
    """pcm_of for the mixer: each event's clip is exactly its (end - start) in samples."""
    cache = {} if cache is None else cache

    def pcm_of(event: Event) -> bytes:
        key = event.sound if event.kind == CHIME else SPEECH
        n = clip_frames(event)
        if (key, n) not in cache:
            freq = 660.0 if event.kind == CHIME else 220.0 + 7 * (n % 50)
            cache[(key, n)] = burst(n, SIGNATURE[key], freq)
        return cache[(key, n)]

    return pcm_of


def speech(start: float, seconds: float) -> Event:
    return Event(SPEECH, round(start, 3), round(start + seconds, 3), text=f"cue at {start:.3f}", role=Role.REMINDER)


def chime(sound: str, start: float, seconds: float = 0.8) -> Event:
    return Event(CHIME, round(start, 3), round(start + seconds, 3), sound=sound, role=Role(sound[:-4]))


def render(timeline: Timeline, chunk_seconds: float = CHUNK_SECONDS, pcm_of=None) -> list[bytes]:
    return list(render_chunks(timeline, pcm_of or make_pcm_of(), chunk_seconds))


def samples(data: bytes) -> np.ndarray:
    return np.frombuffer(data, dtype="<i2")


def onsets(x: np.ndarray) -> list[tuple[int, int]]:
    """(sample index, first sample value) of every run of nonzero samples."""
    nz = x != 0
    starts = np.flatnonzero(nz & ~np.concatenate(([False], nz[:-1])))
    return [(int(i), int(x[i])) for i in starts]


# A short session that exercises the seams: clips that straddle the 0.37 s, 1 s
# and 0.5 s seams, one that starts and one that ends exactly on a 0.5 s seam,
# two clips that overlap (mixed) across a seam, and odd millisecond times.
SHORT = Timeline(
    title="seams",
    duration=12.347,
    events=(
        speech(0.3, 0.9),  # over the 0.37 s, 0.74 s and 1 s seams
        chime("start.wav", 1.5, 1.0),  # starts on a 0.5 s seam, ends on one (2.5 s)
        speech(2.985, 1.234),  # on an odd multiple of 5 ms: start * 44100 ends in .5
        chime("end.wav", 4.44, 0.7),
        speech(5.263, 2.0),
        chime("switch.wav", 6.0, 0.6),  # overlaps the speech before it, across the 6 s seam
        chime("finish.wav", 9.9, 2.0),  # over the 10 s seam, ends before the tail
    ),
    blocks=(),
)
SHORT_CHUNKS = [0.37, 0.5, 1, 10, 100]  # 0.5 s puts clip edges exactly on seams; 100 s is one chunk


def test_chunked_render_is_byte_identical_whatever_the_chunk_size():
    whole = b"".join(render(SHORT, chunk_seconds=1000))
    assert len(render(SHORT, chunk_seconds=1000)) == 1
    for size in SHORT_CHUNKS:
        chunks = render(SHORT, chunk_seconds=size)
        assert b"".join(chunks) == whole, f"chunk size {size} s"
        step = int(size * RATE)
        assert all(len(c) == 2 * step for c in chunks[:-1]), f"chunk size {size} s: uneven chunks"


def test_clip_edges_exactly_on_a_seam():
    # 0.5 s chunks: the start chime at 1.5 s begins a chunk and ends exactly where one begins.
    event = SHORT.events[1]
    step = int(0.5 * RATE)
    assert frame_of(event.start) % step == 0 and frame_of(event.end) % step == 0
    chunks = render(SHORT, chunk_seconds=0.5)
    first = frame_of(event.start) // step
    inside = b"".join(chunks[first : frame_of(event.end) // step])
    assert inside == make_pcm_of()(event)
    assert samples(chunks[first - 1])[-1] == 0 and samples(chunks[frame_of(event.end) // step])[0] == 0


# Timeline times sit on whole milliseconds (timeline.py rounds them), 44.1 samples each.
@pytest.mark.parametrize("duration", [0.001, 0.005, 1.0, 9.999, 10.0, 10.005, 12.347, 61.235])
@pytest.mark.parametrize("size", [0.37, 1, 10])
def test_total_length_is_duration_in_samples(duration, size):
    timeline = Timeline("length", duration, (), ())
    chunks = render(timeline, chunk_seconds=size)
    assert sum(len(c) for c in chunks) == 2 * round(round(duration * 1000) * RATE / 1000 + 1e-9)
    assert all(chunks), "no empty chunk"
    assert set(b"".join(chunks)) <= {0}


def nearest(n: int, seconds: float) -> bool:
    """n is the sample nearest to `seconds` (a tie may go either way)."""
    return abs(n - seconds * RATE) <= 0.5 + 1e-6


def test_clip_over_a_seam_is_continuous():
    event = SHORT.events[0]  # 0.3 s to 1.2 s
    clip = samples(make_pcm_of()(event)).astype(np.int32)
    inside_jump = int(np.abs(np.diff(clip[1:])).max())  # the body, after the onset sample
    for size in (0.37, 1):
        chunks = render(SHORT, chunk_seconds=size)
        x = samples(b"".join(chunks)).astype(np.int32)
        a, b = frame_of(event.start), frame_of(event.end)
        seams = [s for s in range(0, len(x), int(size * RATE)) if a < s < b]
        assert seams, f"chunk size {size} s: the clip should straddle a seam"
        assert np.all(x[a:b] != 0), "a zeroed gap inside the clip"
        for s in seams:
            assert abs(x[s] - x[s - 1]) <= inside_jump, f"click at the seam {s} (chunk size {size} s)"
        assert np.array_equal(x[a:b], clip)


def test_each_clip_starts_on_its_exact_sample():
    for size in SHORT_CHUNKS:
        x = samples(b"".join(render(SHORT, chunk_seconds=size)))
        found = onsets(x)
        # The switch chime overlaps the speech before it, so it adds no onset of its own.
        apart = [e for e in SHORT.events if e.sound != "switch.wav"]
        expected = [(frame_of(e.start), SIGNATURE[e.sound if e.kind == CHIME else SPEECH]) for e in apart]
        assert found == expected, f"chunk size {size} s"
        assert all(nearest(i, e.start) for (i, _), e in zip(found, apart, strict=False))
        switch = SHORT.events[5]
        s = frame_of(switch.start)
        speech_pcm = samples(make_pcm_of()(SHORT.events[4])).astype(np.int32)
        mixed = int(x[s]) - int(speech_pcm[s - frame_of(SHORT.events[4].start)])
        assert mixed == SIGNATURE["switch.wav"], "the overlapping chime lands on its exact sample"


def long_session(hours: float = 3.0, seed: int = 7) -> Timeline:
    """A session like the real ones: announce, opening chime, reminders, closing chime."""
    rng = random.Random(seed)
    t = 0.5
    events: list[Event] = []
    holds: list[Block] = []
    n = 0
    while t < hours * 3600 - 400:
        for _ in range(rng.randint(1, 3)):  # announce and setup
            length = rng.randint(800, 5000) / 1000
            events.append(speech(t, length))
            t = round(t + length + 0.45, 3)
        start = round(t + rng.randint(300, 9000) / 1000, 3)
        hold = rng.choice([5, 8, 15, 20, 30, 45, 60, 90, 120, 300])
        end = round(start + hold, 3)
        events.append(chime("start.wav", start, 1.0))
        if hold >= 8:
            events.append(speech(start + 1.3 + rng.randint(0, 2000) / 1000, 1.5))
        closing = "switch.wav" if n % 3 == 1 else "end.wav"
        events.append(chime(closing, end, 0.8 if closing == "switch.wav" else 1.0))
        holds.append(Block(HOLD, f"s{n}", f"Stretch {n}", None, start, end, lead_in=start))
        n += 1
        t = round(end + 1.3, 3)
    finish = chime("finish.wav", t + 0.3, 2.8)
    events.append(finish)
    return Timeline("long", round(finish.end + 0.5, 3), tuple(events), tuple(holds))


def scan_stream(chunks) -> tuple[list[tuple[int, int]], int, dict[int, tuple[int, int]]]:
    """Onsets over a stream of chunks, one chunk in memory at a time; also the total
    length and, at every seam, the samples either side of it."""
    found: list[tuple[int, int]] = []
    seams: dict[int, tuple[int, int]] = {}
    offset = 0
    last = 0  # the sample before this chunk (silence before the session)
    for chunk in chunks:
        x = samples(chunk)
        nz = x != 0
        prev = np.concatenate(([last != 0], nz[:-1]))
        found += [(offset + int(i), int(x[i])) for i in np.flatnonzero(nz & ~prev)]
        if offset:
            seams[offset] = (last, int(x[0]))
        last = int(x[-1])
        offset += len(x)
    return found, offset, seams


def expected_sample(timeline: Timeline, pcm_of, n: int) -> int:
    """What sample n should be: the sum of the clips sounding there (computed apart from the mixer)."""
    total = 0
    for e in timeline.events:
        a = frame_of(e.start)
        if a <= n < a + clip_frames(e):
            total += int(samples(pcm_of(e))[n - a])
    return max(-32768, min(32767, total))


def test_three_hour_session_in_chunks_keeps_holds_exact():
    timeline = long_session()
    assert timeline.duration > 2.9 * 3600 and len(timeline.events) > 300
    chunk = int(CHUNK_SECONDS * RATE)
    pcm_of = make_pcm_of()
    found, total, seams = scan_stream(render_chunks(timeline, pcm_of))
    assert nearest(total, timeline.duration)

    # Every clip is found, in order, on its exact sample, and is the clip it should be.
    kinds = [SIGNATURE[e.sound if e.kind == CHIME else SPEECH] for e in timeline.events]
    assert [v for _, v in found] == kinds
    assert [i for i, _ in found] == [frame_of(e.start) for e in timeline.events]
    assert all(nearest(i, e.start) for (i, _), e in zip(found, timeline.events, strict=False))

    # No gap and no click at any seam: the samples either side are exactly the clips' own.
    assert len(seams) == -(-total // chunk) - 1
    inside = 0
    for at, (before, after) in seams.items():
        assert (before, after) == (
            expected_sample(timeline, pcm_of, at - 1),
            expected_sample(timeline, pcm_of, at),
        ), f"seam at sample {at}"
        inside += before != 0 and after != 0
    assert inside > 10, "some clips should run over a seam"

    # Holds: measured from the opening chime's onset to the closing chime's onset.
    opening = [i for i, v in found if v == SIGNATURE["start.wav"]]
    closing = [i for i, v in found if v in (SIGNATURE["end.wav"], SIGNATURE["switch.wav"])]
    assert len(opening) == len(closing) == len(timeline.holds)
    assert any(round(h.start * 1000) % 10 == 5 for h in timeline.holds), "some hold starts on an odd 5 ms"
    for hold, a, b in zip(timeline.holds, opening, closing, strict=False):
        assert b - a == round(hold.seconds * RATE), hold  # whole seconds of samples, exactly
    spans = [b // chunk != a // chunk for a, b in zip(opening, closing, strict=False)]
    assert all(spanned for spanned, h in zip(spans, timeline.holds, strict=False) if h.seconds >= CHUNK_SECONDS)


def test_hold_is_exact_whatever_millisecond_it_starts_on():
    # 0.085 * 44100 = 3748.5 but 30.085 * 44100 = 1326748.4999...: frames computed as
    # round(t * 44100) made this hold 1322999 samples; frames from whole milliseconds keep it exact.
    start, hold = 0.085, 30
    timeline = Timeline(
        "hold", 32.0, (chime("start.wav", start, 1.0), chime("end.wav", start + hold, 1.0)),
        (Block(HOLD, "s", "S", None, start, round(start + hold, 3), lead_in=0.0),),
    )  # fmt: skip
    x = samples(b"".join(render(timeline, chunk_seconds=10)))
    (a, _), (b, _) = onsets(x)
    assert b - a == hold * RATE
