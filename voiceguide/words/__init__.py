"""The words of a session: what is said, in what order, at which second.

Owns `catalog` (the stretches, from data/catalog.toml), `translated` (the
catalog's words in another language, from data/catalog.LL.toml), `routinefile` (reading
TOML and YAML routine files), `routine` (a routine: which stretches, how long,
which sides), `dose` (tempo reps in sets, paced breathing, contract-relax:
the fields and their checks), `builder` (the options and `--minutes` fitting), `profiles`
(a body in a word, from data/profiles.toml), `suited` (what the profiles and the direction
preference do to the steps), `guidance` (the
levels, from data/guidance.toml), `cues` (the words around the catalog's),
`counting` (the words of tempo reps, rests and breaths),
`timeline` (pure timing: every cue and chime with its seconds), `tempo` (the
timeline's layout of the doses: sets, rests, breaths, phases), `events`
(what the timeline is made of: events, typed blocks, the pacing) and
`chapters` (the timeline cut into chapters, and the script by chapter).

May import the shared leaves at the package root; no other wing. Pure: no
audio, no files written.
"""
