"""Serving: `voiceguide serve`, the HTTP app for a phone or a podcast app.

Owns `app` (the Starlette app and its server), `inventory` (what a folder
holds that may be served), `manifestcheck` (the manifest's fields, type-checked
before anything is served from it), `feedview` (the feed as served to a
client), `filesend` (a file sent from the descriptor it was checked on),
`hosts` (the Host names it answers to), `connlimits` (bounds on idle
and per-address connections), `lan` (addresses and the banner for `--lan`) and
`web/` (the page).

May import the shared leaves and the wings below it (words, for chapter
names); it reads a program folder's files, never the program code that wrote
them.
"""
