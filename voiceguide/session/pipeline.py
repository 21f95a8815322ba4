"""A session end to end: routine -> speech -> timeline -> mix -> MP3.

The library entry points the CLI calls; nothing here imports Click.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from voiceguide import language
from voiceguide.errors import InputError
from voiceguide.files.cover import Cover
from voiceguide.files.export import Exported, export_session, timeline_json
from voiceguide.files.formats import suffix_for
from voiceguide.files.outputs import Outputs
from voiceguide.files.tags import TrackInfo
from voiceguide.sound.cache import evict
from voiceguide.sound.chimes import load_sound, sound_lengths
from voiceguide.sound.engines import Engine
from voiceguide.sound.mix import CHUNK_SECONDS, render_chunks
from voiceguide.sound.music import AMBIENT, MusicBed
from voiceguide.sound.speech import Clip, Speech, read_clip
from voiceguide.words import cues
from voiceguide.words.builder import Fitted, Options, apply, fit_minutes
from voiceguide.words.routine import DEFAULT_PRESET, MAX_SESSION_SECONDS, Routine
from voiceguide.words.routinefile import routine_stem
from voiceguide.words.timeline import CHIME, CHIMES, TICK_CHIME, Event, Timeline, build_timeline, spoken_texts

__all__ = [
    "NoProgress",
    "Plan",
    "Progress",
    "build_session",
    "default_output",
    "plan_session",
    "render_session",
    "timeline_json",
]


class Progress(Protocol):
    """Told how far the work has come; the CLI draws it, the library does not care."""

    def start(self, label: str, total: int) -> None: ...

    def advance(self, n: int = 1) -> None: ...

    def finish(self) -> None: ...


class NoProgress:
    """The Progress used when none is given: it shows nothing."""

    def start(self, label: str, total: int) -> None:
        pass

    def advance(self, n: int = 1) -> None:
        pass

    def finish(self) -> None:
        pass


@dataclass(frozen=True)
class Plan:
    routine: Routine  # as shaped by the options: what is rendered
    timeline: Timeline
    clips: dict[str, Clip]
    gain_key: str = ""  # what kind of mix this is, for the loudness gain remembered
    notes: tuple[str, ...] = ()  # what the plan changed on its own (a fit), for stderr


def default_output(routine_spec: str | None, title: str = "", fmt: str = "mp3") -> Path:
    """hamstring-stretches.mp3 for the default routine; named after the preset, the file's stem, or the title."""
    suffix = suffix_for(fmt)
    if routine_spec in (None, DEFAULT_PRESET):
        return Path(f"hamstring-stretches{suffix}")
    stem = routine_stem(routine_spec, title)
    if stem is not None:
        return Path(f"{stem}{suffix}")
    return Path(f"hamstring-stretches-{routine_spec}{suffix}")


def estimated_length(text: str) -> float:
    """Seconds a text takes to say at the default rate, before it is spoken (about 150 words a minute)."""
    return 0.2 + 0.065 * len(text)


def _unsaid(text: str) -> float:
    return 0.0


def unspoken_safety(routine: Routine) -> tuple[str, ...]:
    """The safety advice a chimes-only session cannot say, for stderr (README: the one exception)."""
    cautions = {s.stretch.name: s.stretch.caution for s in routine.steps if s.stretch.caution}
    with language.speaking(routine.lang):
        said = language._(cues.SAFETY_UNSPOKEN)
    return (said, *(f"{name}: {caution}" for name, caution in cautions.items()))


def plan_session(
    routine: Routine, engine: Engine, progress: Progress | None = None, options: Options | None = None
) -> Plan:
    """Shape the routine, synthesize (or fetch from cache) every cue, lay out the timeline."""
    options = options or Options()
    progress = progress or NoProgress()
    routine = apply(routine, options)
    chimes = sound_lengths(CHIMES)
    minutes = options.minutes or routine.minutes
    notes: tuple[str, ...] = ()
    if engine.name == "none":
        if options.minutes:
            raise InputError("--minutes needs speech to fit; leave it out with --engine none")
        if minutes:  # a preset fitted to its length: a fit of its own, with nothing said
            fitted = _fit(routine, options, minutes, _unsaid, chimes)
            routine, notes = fitted.routine, (fitted.note,)
        routine = titled(routine, None, chimes_only=True)
        notes = (*notes, *unspoken_safety(routine))
        silent = build_timeline(routine, _unsaid, chimes)
        _check_length(silent.duration, routine.source)
        return Plan(routine, silent.without_speech(tick=chimes[TICK_CHIME]), {}, gain_key="none", notes=notes)
    if not minutes:  # refuse an over-long session before speaking any of it
        _check_length(build_timeline(routine, _unsaid, chimes).duration, routine.source)
    speech = Speech(engine)
    texts = spoken_texts(routine)
    progress.start("Preparing speech", len(texts))
    clips = speech.prepare(texts, on_clip=progress.advance)
    progress.finish()
    if minutes:
        # Fit with the real lengths; the few texts not spoken yet (round
        # numbers) are estimated, then spoken before the final layout.
        def length(text: str) -> float:
            return clips[text].seconds if text in clips else estimated_length(text)

        fitted = _fit(routine, options, minutes, length, chimes)
        routine, notes = fitted.routine, (fitted.note,)
        clips.update(speech.prepare([t for t in spoken_texts(routine) if t not in clips]))
    routine = titled(routine, options.minutes, chimes_only=False)
    timeline = build_timeline(routine, lambda text: clips[text].seconds, chimes)
    _check_length(timeline.duration, routine.source)
    evict(keep={clip.path for clip in clips.values()})
    return Plan(routine, timeline, clips, gain_key=engine.identity(), notes=notes)


def titled(routine: Routine, minutes: float | None, chimes_only: bool) -> Routine:
    """A preset's title says what sets this build apart, so a phone does not list two the same.

    "Quick hamstring stretches (fitted to 8 minutes, brief, chimes only)". A
    routine file's title is the author's, and is kept as written.
    """
    if not routine.preset:
        return routine
    with language.speaking(routine.lang):
        # Digits in a written title: its own message, apart from the spoken "{n} minutes".
        marks = []
        if minutes:
            marks.append(
                language.n_("{digits} minute", "{digits} minutes", round(minutes)).format(digits=f"{minutes:g}")
            )
        marks += [language._(GUIDANCE_NAMES[routine.guidance])] if routine.guidance != "full" else []
        marks += [language._("chimes only")] if chimes_only else []
    return dataclasses.replace(routine, title=f"{routine.title} ({', '.join(marks)})") if marks else routine


# The guidance levels as a title names them (voiceguide/language.py messages).
GUIDANCE_NAMES = {"brief": language.N_("brief"), "minimal": language.N_("minimal")}


def _fit(
    routine: Routine, options: Options, minutes: float, length: Callable[[str], float], chimes: dict[str, float]
) -> Fitted:
    return fit_minutes(
        routine,
        minutes,
        lambda r: build_timeline(r, length, chimes).duration,
        hold_fixed=options.hold is not None,
        rounds_fixed=options.rounds is not None,
        reps_fixed=options.reps is not None,
        # A preset's own length is "about" (nobody typed it); --minutes and a routine file's are within 10%.
        exact=options.minutes is not None or not routine.preset,
    )


def _check_length(seconds: float, source: str) -> None:
    if seconds > MAX_SESSION_SECONDS:
        raise InputError(
            f"{source}: the session would last {seconds / 3600:.1f} hours; the limit is 3 hours: "
            "use fewer rounds, shorter holds or fewer stretches"
        )


def render_session(
    plan: Plan,
    outputs: Outputs,
    progress: Progress | None = None,
    *,
    info: TrackInfo | None = None,
    cover: Cover | None = None,
    music: str | None = None,
) -> Exported:
    """Mix the planned session and write it (tags, chapters, sidecars, split tracks).

    Every output appears only when all are complete. Returns export.Exported:
    the paths written (the audio first) and the loudness of the audio file.
    """
    progress = progress or NoProgress()
    loaded: dict[str, bytes] = {}

    def pcm_of(event: Event) -> bytes:
        key = (event.sound if event.kind == CHIME else event.text) or ""
        if key not in loaded:
            # Cached clips are already in the session's PCM format: their frames are the PCM.
            loaded[key] = load_sound(key).raw_data if event.kind == CHIME else read_clip(plan.clips[key].path)
        return loaded[key]

    timeline = plan.timeline
    bed = MusicBed(music, timeline) if music else None

    def render() -> Iterator[bytes]:
        for chunk in render_chunks(timeline, pcm_of, bed=bed):
            yield chunk
            progress.advance()

    passes = 2 if outputs.split is not None else 1
    progress.start("Mixing and encoding", passes * int(-(-timeline.duration // CHUNK_SECONDS)))
    kind = AMBIENT if music == AMBIENT else bool(music)
    written = export_session(
        render, timeline, outputs, info=info, cover=cover, gain_key=f"{plan.gain_key}|music={kind}"
    )
    progress.finish()
    return written


def build_session(
    routine: Routine,
    engine: Engine,
    output: Path,
    timeline_path: Path | None = None,
    progress: Progress | None = None,
    options: Options | None = None,
) -> Plan:
    """The library's one call for a whole build: plan it, render it, write it (replacing what is there)."""
    outputs = Outputs.checked(output, timeline=timeline_path, force=True)
    plan = plan_session(routine, engine, progress, options or Options())
    render_session(plan, outputs, progress)
    return plan
