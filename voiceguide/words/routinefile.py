"""Reading routine files (TOML or YAML) into plain data, safely.

Refuses what people hand over by mistake: a directory, a missing path, a binary
or non-UTF-8 file, a huge file or an endless one (a device, a FIFO nobody
writes), YAML anchors and aliases (which can explode in size), YAML tags and
keys that are not plain text. A file without a known extension (`./morning`,
`<(cat morning.toml)`) is read as TOML, then as YAML. Errors name the file and,
where the format gives one, the line.
"""

from __future__ import annotations

import os
import re
import select
import stat
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml
from yaml.events import AliasEvent

from voiceguide.errors import InputError
from voiceguide.tomlload import parse_toml

MAX_BYTES = 256 * 1024  # a routine is a page of text, not a data set
READ_SECONDS = 4.0  # a pipe or device that gives no more within this is refused
YAML_SUFFIXES = (".yaml", ".yml")
ROUTINE_SUFFIXES = (".toml", *YAML_SUFFIXES)


def read_bytes(path: Path, limit: int = MAX_BYTES, what: str = "a routine file") -> bytes:
    """At most `limit` bytes of a file, read in fixed-size pieces (a device's size says nothing)."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except FileNotFoundError:
        raise InputError(f"{path}: no such file; check the path") from None
    except PermissionError:
        raise InputError(f"{path}: permission denied; make it readable") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot be read ({exc.strerror})") from None
    try:
        mode = os.fstat(fd).st_mode
        if stat.S_ISDIR(mode):
            raise InputError(f"{path}: is a directory; give {what}")
        return _read_bounded(fd, path, limit, what, waits=not stat.S_ISREG(mode))
    finally:
        os.close(fd)


def _read_bounded(fd: int, path: Path, limit: int, what: str, waits: bool) -> bytes:
    deadline = time.monotonic() + READ_SECONDS
    data = bytearray()
    while True:
        if waits:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([fd], [], [], left)[0]:
                raise InputError(f"{path}: gave no end of file within {READ_SECONDS:g} s; give {what}")
        try:
            piece = os.read(fd, 64 * 1024)
        except BlockingIOError:
            continue
        except OSError as exc:
            raise InputError(f"{path}: cannot be read ({exc.strerror})") from None
        if not piece:
            return bytes(data)
        data += piece
        if len(data) > limit:
            raise InputError(f"{path}: is over {limit // 1024} KiB; {what} is at most {limit // 1024} KiB")


def parse_any(data: bytes, source: str, suffix: str) -> tuple[object, bool]:
    """(parsed data, whether it was YAML): by the extension, else TOML and then YAML."""
    suffix = suffix.lower()
    if suffix in ROUTINE_SUFFIXES:
        yaml_file = suffix in YAML_SUFFIXES
        return parse(data, source, yaml=yaml_file), yaml_file
    try:
        return parse(data, source), False
    except InputError as as_toml:
        try:
            found = parse(data, source, yaml=True)
        except InputError as as_yaml:
            raise InputError(f"{_reason(as_toml, source)}; as YAML: {_reason(as_yaml, source)}") from None
        if not isinstance(found, dict):
            raise InputError(f"{_reason(as_toml, source)}; as YAML it is not a table of settings either") from None
        return found, True


def _reason(error: InputError, source: str) -> str:
    return str(error).removeprefix(f"{source}: ")


def routine_stem(spec: str, title: str = "") -> str | None:
    """A file name for a routine file's session: its stem, else its title; None for no file."""
    path = Path(spec)
    if path.suffix.lower() in ROUTINE_SUFFIXES or os.path.lexists(path) or os.sep in spec:
        useful = re.search(r"[A-Za-z]", path.stem) and not str(path).startswith(("/dev/", "/proc/"))
        if useful:
            return path.stem
        return "-".join(re.findall(r"[a-z0-9]+", title.lower())[:8]) or "routine"
    return None


def parse(data: bytes, source: str, yaml: bool = False) -> object:
    if b"\x00" in data:
        raise InputError(f"{source}: is a binary file, not a routine; give a .toml or .yaml text file")
    if not data.strip():
        raise InputError(f"{source}: is empty; run 'voiceguide init {source}' for a starter file")
    if yaml:
        return parse_yaml(data, source)
    return parse_toml(data, source)


def parse_yaml(data: bytes, source: str) -> object:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(f"{source}: is not UTF-8 text (byte {exc.start}); save it as UTF-8") from None

    class Loader(yaml.SafeLoader):
        compose_node = _guarded_compose(yaml.SafeLoader.compose_node)
        construct_mapping = _unique_keys(yaml.SafeLoader.construct_mapping)

    try:
        data = yaml.load(text, Loader=Loader)  # noqa: S506 - a SafeLoader subclass
        if data is None:
            raise InputError(f"{source}: is empty (only comments); run 'voiceguide init' for a starter file")
        return data
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
        problem = exc.problem or exc.context or "invalid YAML"
        raise InputError(f"{source}: not valid YAML{where}: {problem}") from None
    except yaml.YAMLError as exc:
        raise InputError(f"{source}: not valid YAML: {exc}") from None
    except RecursionError:
        raise InputError(f"{source}: is nested too deeply to be a routine") from None
    except ValueError as exc:  # e.g. an integer of thousands of digits
        raise InputError(f"{source}: not valid YAML: {exc}") from None


def _unique_keys(construct_mapping: Callable[..., Any]) -> Callable[..., Any]:
    def construct(self: yaml.SafeLoader, node: yaml.MappingNode, deep: bool = False) -> Any:
        seen = set()
        for key_node, _ in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                raise yaml.constructor.ConstructorError(
                    None, None, "keys must be plain names, not lists or tables", key_node.start_mark
                )
            key = key_node.value
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"the key {key!r} appears twice", key_node.start_mark
                )
            seen.add(key)
        return construct_mapping(self, node, deep=deep)

    return construct


def _guarded_compose(compose_node: Callable[..., Any]) -> Callable[..., Any]:
    def compose(self: yaml.SafeLoader, parent: Any, index: Any) -> Any:
        event = self.peek_event()  # type: ignore[no-untyped-call]  # types-PyYAML leaves Parser.peek_event bare
        if isinstance(event, AliasEvent) or getattr(event, "anchor", None):
            raise yaml.composer.ComposerError(
                None, None, "anchors and aliases (&, *) are not allowed in routine files", event.start_mark
            )
        tag = getattr(event, "tag", None)
        if tag and tag not in ("!", "?") and not tag.startswith("tag:yaml.org,2002:"):
            raise yaml.composer.ComposerError(
                None, None, f"YAML tags such as {tag} are not allowed in routine files", event.start_mark
            )
        return compose_node(self, parent, index)

    return compose


def with_line(exc: InputError, data: bytes, source: str, yaml: bool = False) -> InputError:
    """`exc` with the line of its field added after the file name, when it is about this file and the line is known."""
    line = field_line(data, exc.field, yaml) if exc.field and exc.source == source else None
    if line is None:
        return exc
    message = str(exc).replace(f"{source}: ", f"{source}, line {line}: ", 1)
    return InputError(message, source=exc.source, field=exc.field)


_TOKEN = re.compile(r"([A-Za-z_][\w-]*)|\[(\d+)\]")
_HEADER = re.compile(r"^\s*\[\[?\s*([^\]\[]+?)\s*\]\]?\s*(?:#.*)?$")


def field_line(data: bytes, field: str, yaml: bool = False) -> int | None:
    """The 1-based line of a field path such as steps[3].hold, where the file shows it."""
    tokens: list[str | int] = [name or int(index) for name, index in _TOKEN.findall(field)]
    if not tokens:
        return None
    text = data.decode("utf-8-sig", errors="replace")
    try:
        return _yaml_line(text, tokens) if yaml else _toml_line(text.splitlines(), tokens)
    except Exception:  # noqa: BLE001 - a best effort: the message stands without a line
        return None


def _toml_line(lines: list[str], tokens: list[str | int]) -> int | None:
    """Tables and arrays of tables as written in the routine schema; inline forms get no line."""

    def key_at(start: int, key: str) -> int | None:
        pattern = re.compile(rf"""^\s*["']?{re.escape(key)}["']?\s*=""")
        for i in range(start, len(lines)):
            if _HEADER.match(lines[i]):
                break  # the next table: the key is not in this one
            if pattern.match(lines[i]):
                return i + 1
        return None

    def header(name: str, nth: int) -> int | None:
        seen = -1
        for i, line in enumerate(lines):
            m = _HEADER.match(line)
            if m and m.group(1).strip() == name:
                seen += 1
                if seen == nth:
                    return i
        return None

    first, rest = tokens[0], tokens[1:]
    if rest and isinstance(rest[0], int):  # steps[3]...: the 4th [[steps]]
        at = header(str(first), rest[0])
        if at is None:  # avoid[1]: an item of a top-level list, on its key's line
            return key_at(0, str(first))
        key = next((t for t in rest[1:] if isinstance(t, str)), None)
        return (key_at(at + 1, key) or at + 1) if key else at + 1
    if rest and isinstance(rest[0], str):  # defaults.hold: in [defaults]
        at = header(str(first), 0)
        return None if at is None else (key_at(at + 1, rest[0]) or at + 1)
    at = header(str(first), 0)  # the list of tables itself: its first [[phases]]
    return key_at(0, str(first)) or (None if at is None else at + 1)  # top level: before the first table


def _yaml_line(text: str, tokens: list[str | int]) -> int | None:
    node = yaml.compose(text, Loader=yaml.SafeLoader)
    line = None
    for token in tokens:
        if isinstance(node, yaml.MappingNode) and isinstance(token, str):
            pair = next(((k, v) for k, v in node.value if getattr(k, "value", None) == token), None)
            if pair is None:
                break
            line, node = pair[0].start_mark.line + 1, pair[1]
        elif isinstance(node, yaml.SequenceNode) and isinstance(token, int) and token < len(node.value):
            node = node.value[token]
            line = node.start_mark.line + 1
        else:
            break
    return line
