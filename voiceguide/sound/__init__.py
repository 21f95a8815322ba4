"""Sound: speech, chimes, music and the mix, laid out by the timeline.

Owns `engines` (pyttsx3, Piper, Pico, none), `pico` (the SVOX Pico voices of
de, es, fr, it and en, each clip spoken in a process of its own), `espeak` (the eSpeak NG library from its
wheel), `speech` (clips spoken and measured), `cache` (the clip cache on disk),
`chimes` (the sounds in sounds/), `music` (a bed under the voice), `mix` (PCM
chunks by the timeline) and `loudness` (the loudness target and its meter).

May import the shared leaves and words (the mix and the music read the timeline).
"""
