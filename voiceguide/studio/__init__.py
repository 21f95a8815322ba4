"""The studio: `voiceguide studio`, a page in the browser that composes a routine file and builds it.

Owns `compose` (the catalog as the page reads it, a routine checked by the
routine-file loader, its TOML, its timed script), `plans` (a program checked
by the program-file loader, its plan, rendered into a folder), `jobs` (the
one build at a time, its progress and cancel), `app` (the Starlette app and
its server) and `web/` (the page).

May import the shared leaves and every wing below it: it validates with
words (`routine_from_data`, the loader of routine files), previews and builds
through session (`plan_session`, `render_session`) and programs
(`program_from_data`, `plan_program`, `render_program`), and borrows serve's
defences (the Host check, the security headers, the connection limits).
"""
