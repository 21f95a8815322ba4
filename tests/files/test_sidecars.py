"""Chapters, sidecar texts and the cover: pure renderings of a timeline laid out
with made-up speech lengths (no audio, no ffmpeg)."""

from __future__ import annotations

import json
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from timing_rules import CHIME_LENGTHS

from voiceguide.clock import lrc_stamp, vtt_stamp
from voiceguide.files.cover import EMBED_SIZE, generated_cover, stretches_in_order
from voiceguide.files.sidecars import (
    PlaylistEntry,
    chime_caption,
    lrc,
    m3u8,
    podcast_chapters_json,
    vtt,
)
from voiceguide.words import cues
from voiceguide.words.catalog import load_catalog
from voiceguide.words.chapters import CLOSING, INTRODUCTION, Chapter, chapters_of, excerpt, script_lines
from voiceguide.words.routine import Routine, Step, load_routine
from voiceguide.words.timeline import SPEECH, build_timeline


def length(text: str) -> float:
    return 0.2 + 0.061 * len(text)  # odd per-character length: stamps off the 10 ms grid


def routine(*ids: str, hold: int = 20, intro=("Welcome.",), outro=("Well done.",)) -> Routine:
    catalog = load_catalog()
    steps = tuple(Step(stretch=catalog.get(i), hold=hold, reps=2, get_ready=5) for i in ids)
    return Routine(title="Test routine", steps=steps, intro=intro, outro=outro)


def lay(r: Routine):
    return build_timeline(r, length, CHIME_LENGTHS)


MIXED = ("dynamic-hamstring", "lunge-hamstring", "forward-bend")


def speech(timeline, role=None):
    return [e for e in timeline.events if e.kind == SPEECH and (role is None or e.role == role)]


# -- chapters -------------------------------------------------------------------


def test_chapters_tile_the_session():
    timeline = lay(load_routine())
    chapters = chapters_of(timeline)
    assert chapters[0].start == 0
    assert chapters[-1].end == timeline.duration
    for a, b in zip(chapters, chapters[1:], strict=False):
        assert a.end == b.start and a.start < a.end
    # One chapter per hold or rep set between the introduction and the closing.
    assert len(chapters) == 1 + len(timeline.blocks) + 1 == 1 + 14 + 1
    assert (chapters[0].title, chapters[-1].title) == (INTRODUCTION, CLOSING)


def test_a_chapter_starts_at_its_announcement_and_a_side_at_its_switch():
    timeline = lay(routine(*MIXED))
    chapters = chapters_of(timeline)
    assert [c.title for c in chapters] == [
        "Introduction",
        "Dynamic Hamstring Stretch",
        "Lunge With Hamstring Stretch (right side)",
        "Lunge With Hamstring Stretch (left side)",
        "Forward Bend",
        "Closing",
    ]
    announcements = [e for e in speech(timeline, "announce") if not e.text.endswith("side first.")]
    out_of_right_side = speech(timeline, "switch")[0]
    assert [c.start for c in chapters[1:5]] == [
        announcements[0].start,
        announcements[1].start,
        out_of_right_side.start,
        announcements[2].start,
    ]
    assert chapters[-1].start == speech(timeline, "outro")[0].start
    # Every hold lies inside its own chapter.
    for hold in timeline.holds:
        (inside,) = [c for c in chapters if c.start <= hold.start < c.end]
        assert inside.title.startswith(hold.name)
        assert hold.end <= inside.end


def test_without_intro_or_outro_the_stretches_take_the_whole_file():
    timeline = lay(routine("forward-bend", intro=(), outro=()))
    chapters = chapters_of(timeline)
    # Every session opens with the safety line and the chimes explained: an introduction.
    assert [c.title for c in chapters] == ["Introduction", "Forward Bend", "Closing"]
    assert chapters[0].start == 0 and speech(timeline, "intro")[0].text == cues.SAFETY[0]
    finish = [e for e in timeline.events if e.role == "finish"][0]
    assert chapters[2].start == finish.start and chapters[2].end == timeline.duration


def test_a_stretch_done_twice_gets_two_chapters():
    timeline = lay(routine("forward-bend", "downward-dog", "forward-bend"))
    titles = [c.title for c in chapters_of(timeline)]
    assert titles == ["Introduction", "Forward Bend", "Downward Dog", "Forward Bend", "Closing"]


def test_rounds_of_a_step_get_a_chapter_each():
    catalog = load_catalog()
    steps = (
        Step(stretch=catalog.get("lunge-hamstring"), hold=10, reps=2, get_ready=5, rounds=2),
        Step(stretch=catalog.get("forward-bend"), hold=10, reps=2, get_ready=5),
    )
    timeline = lay(Routine(title="Rounds", steps=steps, intro=("Hi.",), outro=("Bye.",)))
    chapters = chapters_of(timeline)
    assert [c.title for c in chapters] == [
        "Introduction",
        "Lunge With Hamstring Stretch (round 1, right side)",
        "Lunge With Hamstring Stretch (round 1, left side)",
        "Lunge With Hamstring Stretch (round 2, right side)",
        "Lunge With Hamstring Stretch (round 2, left side)",
        "Forward Bend",
        "Closing",
    ]
    (second_round,) = speech(timeline, "round")
    # Round two's chapter starts with the way out of the left side, then "Round two, right side."
    way_out = min((e for e in timeline.speech if e.start > timeline.holds[1].end), key=lambda e: e.start)
    assert way_out.role == "switch" and chapters[3].start == way_out.start < second_round.start < chapters[3].end
    assert stretches_in_order(timeline) == ["Lunge With Hamstring Stretch", "Forward Bend"]


def test_rounds_of_the_routine_start_at_the_round_announcement():
    catalog = load_catalog()
    steps = (Step(stretch=catalog.get("forward-bend"), hold=10, reps=2, get_ready=5),)
    timeline = lay(Routine(title="Rounds", steps=steps, laps=2))
    chapters = chapters_of(timeline)
    assert [c.title for c in chapters] == ["Introduction", "Round 1: Forward Bend", "Round 2: Forward Bend", "Closing"]
    (again,) = speech(timeline, "round")
    assert again.stretch is None and chapters[2].start == again.start
    assert stretches_in_order(timeline) == ["Forward Bend"]


STRETCH_IDS = [s.id for s in load_catalog()]


@settings(max_examples=60, deadline=None)
@given(
    picks=st.lists(
        st.tuples(
            st.sampled_from(STRETCH_IDS),
            st.sampled_from(["both", "right", "left"]),
            st.integers(1, 3),
            st.sampled_from([5, 12, 30]),
        ),
        min_size=1,
        max_size=5,
    ),
    rounds=st.integers(1, 2),
    intro=st.booleans(),
    outro=st.booleans(),
)
def test_chapters_tile_any_routine_with_one_chapter_per_hold(picks, rounds, intro, outro):
    catalog = load_catalog()
    steps = []
    for sid, side, step_rounds, hold in picks:
        stretch = catalog.get(sid)
        sided = stretch.sided and stretch.kind == "hold"
        steps.append(
            Step(stretch=stretch, hold=hold, reps=1, get_ready=3, side=side if sided else "both", rounds=step_rounds)
        )
    r = Routine(
        title="Any",
        steps=tuple(steps),
        intro=("Hi.",) if intro else (),
        outro=("Bye.",) if outro else (),
        laps=rounds,
    )
    timeline = lay(r)
    chapters = chapters_of(timeline)
    assert chapters[0].start == 0 and chapters[-1].end == timeline.duration
    assert all(a.end == b.start for a, b in zip(chapters, chapters[1:], strict=False))
    assert all(c.start < c.end for c in chapters)
    blocks = sorted(
        [(h.start, h.end, h.name) for h in timeline.holds] + [(x.start, x.end, x.name) for x in timeline.sets]
    )
    inner = [c for c in chapters if c.title not in (INTRODUCTION, CLOSING)]
    assert len(inner) == len(blocks)
    for (start, end, name), chapter in zip(blocks, inner, strict=False):
        assert chapter.start < start and end <= chapter.end
        assert name in chapter.title
    assert len({c.title for c in inner}) == len(inner) or len({p[0] for p in picks}) < len(picks)


def test_excerpt_holds_the_chapter_events_from_zero():
    timeline = lay(routine(*MIXED))
    chapter = chapters_of(timeline)[2]
    part = excerpt(timeline, chapter)
    assert part.duration == chapter.seconds
    assert part.events[0].start == 0 and part.events[0].role == "announce"
    inside = [e for e in timeline.events if chapter.start <= e.start < chapter.end]
    assert [e.text for e in part.events] == [e.text for e in inside]
    assert all(0 <= e.start < e.end <= part.duration for e in part.events)
    assert [(h.side, h.seconds) for h in part.holds] == [("right", 20)]


# -- LRC and WebVTT ---------------------------------------------------------


def seconds_of_lrc(stamp: str) -> float:
    minutes, rest = stamp.strip("[]").split(":")
    return int(minutes) * 60 + float(rest)


def test_lrc_has_one_line_per_cue_stamped_at_its_start():
    timeline = lay(routine(*MIXED))
    text = lrc(timeline, artist="Me", album="Back care")
    lines = text.splitlines()
    assert lines[:5] == [
        "[ti:Test routine]",
        "[ar:Me]",
        "[al:Back care]",
        f"[length:{int(timeline.duration) // 60:02d}:{int(timeline.duration) % 60:02d}]",
        "[re:voiceguide]",
    ]
    cues = [re.fullmatch(r"(\[\d\d+:\d\d\.\d\d\])(.*)", line) for line in lines[5:]]
    spoken = speech(timeline)
    assert len(cues) == len(spoken)
    for match, event in zip(cues, spoken, strict=False):
        assert match, "every cue line is [mm:ss.xx]text"
        assert match.group(2) == event.text
        assert abs(seconds_of_lrc(match.group(1)) - event.start) <= 0.005 + 1e-9


@pytest.mark.parametrize(
    "seconds, lrc_text, vtt_text",
    [
        (0, "[00:00.00]", "00:00:00.000"),
        (1.994, "[00:01.99]", "00:00:01.994"),
        (1.995, "[00:02.00]", "00:00:01.995"),
        (59.999, "[01:00.00]", "00:00:59.999"),
        (3723.456, "[62:03.46]", "01:02:03.456"),
    ],
)
def test_stamps(seconds, lrc_text, vtt_text):
    assert lrc_stamp(seconds) == lrc_text
    assert vtt_stamp(seconds) == vtt_text


def parse_vtt(text: str) -> list[tuple[float, float, str]]:
    assert text.startswith("WEBVTT\n\n")
    cues = []
    for block in text.strip().split("\n\n")[1:]:
        timing, body = block.split("\n", 1)
        a, b = timing.split(" --> ")
        cues.append((vtt_seconds(a), vtt_seconds(b), body))
    return cues


def vtt_seconds(stamp: str) -> float:
    h, m, s = stamp.split(":")
    return round(int(h) * 3600 + int(m) * 60 + float(s), 3)


def test_vtt_captions_every_cue_and_chime_at_its_exact_times():
    timeline = lay(routine(*MIXED))
    cues = parse_vtt(vtt(timeline))
    events = sorted(timeline.events, key=lambda e: e.start)
    assert len(cues) == len(events)
    for (start, end, text), event in zip(cues, events, strict=False):
        assert (start, end) == (event.start, event.end)
        if event.kind == SPEECH:
            assert text == event.text
        else:
            assert text.startswith("[chime: ")
    assert all(a[1] <= b[0] for a, b in zip(cues, cues[1:], strict=False)), "cues never overlap"
    captions = {text for _, _, text in cues if text.startswith("[chime")}
    assert captions == {
        "[chime: hold begins]",
        "[chime: hold ends]",
        "[chime: reps begin]",
        "[chime: reps end]",
        "[chime: switch sides]",
        "[chime: session complete]",
    }


def test_vtt_escapes_markup_in_cue_text():
    timeline = lay(routine("forward-bend", intro=("Knees <soft> & back --> long",)))
    assert "Knees &lt;soft&gt; &amp; back --&gt; long" in vtt(timeline)


def test_chime_caption_defaults():
    timeline = lay(routine(*MIXED))
    captions = {chime_caption(timeline, e) for e in timeline.events if e.kind == "chime"}
    assert captions == {
        "[chime: reps begin]",
        "[chime: reps end]",
        "[chime: hold begins]",
        "[chime: hold ends]",
        "[chime: switch sides]",
        "[chime: session complete]",
    }


# -- JSON chapters, playlist, script ------------------------------------------


def test_podcast_chapters_json_is_the_chapters():
    timeline = lay(routine(*MIXED))
    chapters = chapters_of(timeline)
    doc = json.loads(podcast_chapters_json(timeline, chapters))
    assert doc["version"] == "1.2.0" and doc["title"] == "Test routine"
    assert [(c["startTime"], c["endTime"], c["title"]) for c in doc["chapters"]] == [
        (c.start, c.end, c.title) for c in chapters
    ]


def test_m3u8():
    entries = [
        PlaylistEntry("01 Introduction.mp3", 12.3456, "Introduction"),
        PlaylistEntry("02 Bend.mp3", 30, "Forward\nBend"),
    ]
    assert m3u8(entries, title="Back care") == (
        "#EXTM3U\n"
        "#PLAYLIST:Back care\n"
        "#EXTINF:12.346,Introduction\n"
        "01 Introduction.mp3\n"
        "#EXTINF:30.000,Forward Bend\n"
        "02 Bend.mp3\n"
    )


def test_script_lines_are_every_cue_with_a_blank_line_between_chapters():
    timeline = lay(routine(*MIXED))
    chapters = chapters_of(timeline)
    text = script_lines(timeline, chapters)
    paragraphs = text.split("\n\n")
    assert len(paragraphs) == len(chapters)
    assert [line for line in text.splitlines() if line] == [e.text for e in speech(timeline)]
    assert paragraphs[2].startswith("Next: Lunge With Hamstring Stretch.")
    lunge = load_catalog().get("lunge-hamstring")
    assert paragraphs[3].startswith(lunge.between_sides[0]) and "\nSwitch sides.\n" in paragraphs[3]
    assert script_lines(timeline).count("\n\n") == 0


# -- cover (the drawing: test_cover.py) ---------------------------------------


def test_cover_of_a_session_lists_each_stretch_once():
    timeline = lay(routine(*MIXED))
    assert stretches_in_order(timeline) == ["Dynamic Hamstring Stretch", "Lunge With Hamstring Stretch", "Forward Bend"]
    cover = generated_cover(timeline)
    assert cover.mime == "image/png" and cover.size == (EMBED_SIZE, EMBED_SIZE)


def test_chapter_seconds():
    assert Chapter("x", 1.1, 3.3).seconds == 2.2


@pytest.mark.parametrize("preset", ["full", "gentle", "warm-up"])
@pytest.mark.parametrize("laps", [1, 2])
def test_chimes_only_keeps_the_structure(preset, laps):
    """Chapters, cover list and chime captions come from the blocks, not from the words."""
    import dataclasses

    spoken = lay(dataclasses.replace(load_routine(preset), laps=laps))
    silent = spoken.without_speech()
    assert not silent.speech
    assert chapters_of(silent) == chapters_of(spoken)
    assert len(chapters_of(silent)) == len(spoken.blocks) + 2  # introduction, one per block, closing
    assert stretches_in_order(silent) == stretches_in_order(spoken)
    assert len(stretches_in_order(spoken)) == len(load_routine(preset).steps)
    chimes = [e for e in spoken.events if e.kind != SPEECH]
    assert [chime_caption(silent, e) for e in silent.events] == [chime_caption(spoken, e) for e in chimes]
