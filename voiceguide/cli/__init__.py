"""The command line: thin Click commands over the library, and the entry point.

Owns `main` (the group, errors turned into one line and an exit status),
`common` (options and progress shared by commands), `program` (program and
programs) and `launch` (the entry point: signals and exit codes).

May import every wing; nothing imports it.
"""
