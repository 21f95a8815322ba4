"""Programs: a session a day, dated and progressed, rendered as a podcast folder.

Owns `program` (program files and presets, the dated days), `openings` (what
each day says first), `plan` (each day's
session planned), `folder` (the folder rendered incrementally, its manifest), `episode` (one
day ready to render, and the call that renders it),
`programid` (a program's identity and its episodes' GUIDs), `contenthash` (the
canonical hash of an episode's inputs), `folderlock` (one writer per folder),
`feed` (the RSS feed and the calendar) and `workers` (worker processes).

May import the shared leaves, words, sound, files and session.
"""
