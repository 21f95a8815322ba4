"""voiceguide's messages: extract them, update each language's .po, compile the .mo files.

    python scripts/messages.py extract   # voiceguide/locale/voiceguide.pot, then every .po updated
    python scripts/messages.py compile   # every .po -> .mo (shipped in the wheel)
    python scripts/messages.py check     # exit 1 when a .po misses a message or a .mo is stale

Messages are the code's `_`, `N_` and `n_` calls (voiceguide/language.py) and
the words of the bundled presets and programs (title, description, intro,
outro, a phase's title): voiceguide's own texts, so they are translated. The
catalog's exercises are translated as data instead (data/catalog.LL.toml).
Plural forms come from Babel's CLDR rules for each language.
"""

from __future__ import annotations

import io
import string
import sys
from pathlib import Path

import tomllib
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "voiceguide"
LOCALE = PACKAGE / "locale"
POT = LOCALE / "voiceguide.pot"
KEYWORDS = {"_": None, "N_": None, "n_": (1, 2)}
DATA_KEYS = ("title", "description", "intro", "outro")


def languages() -> list[str]:
    table = tomllib.loads((PACKAGE / "data" / "languages.toml").read_text(encoding="utf-8"))
    return [code for code in table if code != "en"]


def template() -> Catalog:
    """Every message, with where it comes from."""
    pot = Catalog(project="voiceguide", charset="utf-8")
    for filename, lineno, message, _comments, _context in extract_from_dir(
        str(PACKAGE), method_map=[("**.py", "python")], keywords=KEYWORDS
    ):
        if filename.startswith("data/"):
            continue
        pot.add(message, locations=[(f"voiceguide/{filename}", lineno)])
    for folder in ("routines", "programs"):
        for path in sorted((PACKAGE / "data" / folder).glob("*.toml")):
            where = f"voiceguide/data/{folder}/{path.name}"
            for text in _data_texts(tomllib.loads(path.read_text(encoding="utf-8"))):
                pot.add(text, locations=[(where, 0)])
    return pot


def _data_texts(table: dict[str, object]) -> list[str]:
    out: list[str] = []
    for key in DATA_KEYS:
        value = table.get(key)
        out += [value] if isinstance(value, str) and value else [v for v in value or () if isinstance(v, str)]  # type: ignore[attr-defined]
    for phase in table.get("phases", ()):  # type: ignore[attr-defined]
        if isinstance(phase, dict) and isinstance(phase.get("title"), str):
            out.append(phase["title"])
    return out


def po_path(code: str) -> Path:
    return LOCALE / code / "LC_MESSAGES" / "voiceguide.po"


def extract() -> None:
    pot = template()
    LOCALE.mkdir(exist_ok=True)
    with POT.open("wb") as f:
        write_po(f, pot, width=100, omit_header=False, sort_output=False)
    for code in languages():
        path = po_path(code)
        if path.exists():
            with path.open("rb") as f:
                po = read_po(f, locale=code)
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            po = Catalog(locale=code, project="voiceguide", charset="utf-8")
        po.update(pot, no_fuzzy_matching=True)
        with path.open("wb") as f:
            write_po(f, po, width=100, ignore_obsolete=True)
        print(f"{path.relative_to(ROOT)}: {len(po)} messages, {sum(1 for m in po if m.id and not _done(m))} to do")


def _done(message: object) -> bool:
    string = message.string  # type: ignore[attr-defined]
    return all(string) if isinstance(string, tuple) else bool(string)


def compiled(code: str) -> bytes:
    with po_path(code).open("rb") as f:
        po = read_po(f, locale=code)
    out = io.BytesIO()
    write_mo(out, po, use_fuzzy=False)
    return out.getvalue()


def compile_all() -> None:
    for code in languages():
        mo = po_path(code).with_suffix(".mo")
        mo.write_bytes(compiled(code))
        print(f"{mo.relative_to(ROOT)}")


def problems() -> list[str]:
    """What is missing or stale, one line each."""
    wanted = {m.id for m in template() if m.id}
    out = []
    for code in languages():
        with po_path(code).open("rb") as f:
            po = read_po(f, locale=code)
        done = {m.id for m in po if m.id and _done(m) and not m.fuzzy}
        out += [f"{code}: not translated: {mid!r}" for mid in sorted(map(str, wanted - done))]
        out += [f"{code}: {m.id!r}: {wrong}" for m in po if m.id and _done(m) for wrong in _placeholders_wrong(m, code)]
        if po_path(code).with_suffix(".mo").read_bytes() != compiled(code):
            out.append(f"{code}: voiceguide.mo is older than voiceguide.po; run python scripts/messages.py compile")
    return out


def _fields(text: str) -> list[tuple[str, str]]:
    """(name, form) of each `{name:form}` in a message."""
    return [(name, spec or "") for _, name, spec, _ in string.Formatter().parse(text) if name is not None]


def _placeholders_wrong(message: object, code: str) -> list[str]:
    """A translation's placeholders the code does not fill, or forms the language does not have.

    A translation may leave a count out where its words say it ("una repetición").
    """
    ids = message.id if isinstance(message.id, tuple) else (message.id,)  # type: ignore[attr-defined]
    strings = message.string if isinstance(message.string, tuple) else (message.string,)  # type: ignore[attr-defined]
    given = {name for text in ids for name, _ in _fields(text)}
    table = tomllib.loads((PACKAGE / "data" / "languages.toml").read_text(encoding="utf-8"))[code]
    forms = {"side": {f.lower() for f in table["sides"]["right"]}}
    out = []
    for text in strings:
        for name, form in _fields(text):
            if name not in given:
                out.append(f"{{{name}}} is not given by the code; use {', '.join(sorted(given)) or 'no placeholder'}")
            elif form and form.lower() not in forms.get(name, table.get("numbers", {})):
                out.append(f"{{{name}:{form}}}: no such form in languages.toml")
    return out


def main(argv: list[str]) -> int:
    command = argv[1] if len(argv) > 1 else ""
    if command == "extract":
        extract()
    elif command == "compile":
        compile_all()
    elif command == "check":
        found = problems()
        print("\n".join(found) or "every message is translated and compiled")
        return 1 if found else 0
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
