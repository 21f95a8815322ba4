"""Files: what a session becomes on disk, each format by its own writer.

Owns `outputs` (every output path, checked once), `formats` (the audio
formats and their ffmpeg settings), `export` (the orchestrator of a session's
files), `tracks` (split tracks and their playlist, another orchestrator), the
writers `encode` (audio through ffmpeg), `tags` (ID3, Vorbis, MP4 tags),
`sidecars` (LRC, WebVTT, JSON chapters, M3U) and `script` (the printed
script), and `cover` (cover art drawn or loaded).

May import the shared leaves, words and sound. No writer imports another
writer: what two need (stamps, script lines, chapters) is a projection in
words or a leaf (clock.py), or is handed in.
"""
