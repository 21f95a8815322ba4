"""The command line: thin Click commands over the library, and the entry point.

Owns `main` (the group, errors turned into one line and an exit status), the
commands by group: `session` (build, script, check, init), `catalog` (presets,
list, show, voices), `program` (program, programs), `batch`, `serve`, `studio`
and `cache`;
`common` (options and progress the commands share), `optiontypes` (Click
parameter types over the checks in voiceguide/inputs.py) and `launch` (the entry
point: signals and exit codes).

May import every wing; nothing imports it.
"""
