"""Programs: a session a day, dated and progressed, rendered as a podcast folder.

Owns `program` (program files and presets, the dated days), `openings` (what
each day says first), `plan` (each day's
session planned), `folder` (the folder rendered incrementally, its manifest), `episode` (one
day ready to render, and the call that renders it),
`programid` (a program's identity and its episodes' GUIDs), `contenthash` (the
canonical hash of an episode's inputs), `folderlock` (one writer per folder),
`feed` (the RSS feed and the calendar), `workers` (worker processes, and the
pool a batch keeps), `roster` (a batch's people, checked), `batch` (many
people's folders at once) and `cluster` (the batch's episodes on a Dask cluster).

May import the shared leaves, words, sound, files and session.
"""
