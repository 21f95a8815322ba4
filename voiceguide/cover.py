"""Cover art: a PNG drawn from the routine, or the user's own PNG or JPEG.

The generated cover needs nothing but the standard library: a vertical
gradient, the title in a built-in 5x7 bitmap font (capitals, digits, common
punctuation) and the stretch list below it, written as a PNG with zlib. The same
routine always gives the same bytes.
"""

from __future__ import annotations

import struct
import unicodedata
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from voiceguide.errors import InputError
from voiceguide.timeline import Timeline

SIZE = 600  # pixels, square
MARGIN = 40
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
JPEG_MAGIC = b"\xff\xd8\xff"

TOP = (24, 52, 92)  # gradient, top to bottom: dusk blue to teal
BOTTOM = (20, 112, 120)
TITLE_COLOR = (250, 248, 240)
LIST_COLOR = (205, 230, 232)
ACCENT = (242, 186, 92)


@dataclass(frozen=True)
class Cover:
    data: bytes
    mime: str  # image/png or image/jpeg

    @property
    def size(self) -> tuple[int, int]:
        return image_size(self.data)


def load_cover(path: Path) -> Cover:
    """The user's cover image: a PNG or JPEG file, told by its first bytes."""
    path = Path(path)
    if path.is_dir():
        raise InputError(f"{path}: is a directory; give a PNG or JPEG image for the cover")
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise InputError(f"{path}: no such file; give a PNG or JPEG image for the cover") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot be read ({exc.strerror})") from None
    if data.startswith(PNG_MAGIC):
        return Cover(data, "image/png")
    if data.startswith(JPEG_MAGIC):
        return Cover(data, "image/jpeg")
    raise InputError(f"{path}: is not a PNG or JPEG image; convert it to one of those for --cover")


def image_size(data: bytes) -> tuple[int, int]:
    """(width, height) of a PNG or JPEG, (0, 0) when it cannot be told."""
    if data.startswith(PNG_MAGIC) and len(data) >= 24:
        return struct.unpack(">II", data[16:24])
    if data.startswith(JPEG_MAGIC):
        i = 2
        while i + 9 < len(data):
            if data[i] != 0xFF:
                i += 1
                continue
            marker = data[i + 1]
            if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7 or marker == 0xFF:
                i += 1 if marker == 0xFF else 2
                continue
            length = struct.unpack(">H", data[i + 2 : i + 4])[0]
            if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
                height, width = struct.unpack(">HH", data[i + 5 : i + 9])
                return width, height
            i += 2 + length
    return 0, 0


def stretches_in_order(timeline: Timeline) -> list[str]:
    """The stretches of one time through the routine, each step once (sides and rounds folded)."""
    steps = {b.step: b.name for b in timeline.blocks if b.lap == 1}
    return list(steps.values())


def generated_cover(timeline: Timeline, title: str | None = None) -> Cover:
    """The cover drawn for a session: its title and its stretches."""
    return Cover(cover_png(title or timeline.title, stretches_in_order(timeline)), "image/png")


def cover_png(title: str, stretch_names: Sequence[str]) -> bytes:
    """A square cover: the title large, the stretches listed under it, as PNG bytes."""
    canvas = _Canvas(SIZE, SIZE)
    canvas.gradient(TOP, BOTTOM)
    width = SIZE - 2 * MARGIN
    y = MARGIN + 10
    scale, lines = _fit_title(_plain(title), width)
    for line in lines:
        canvas.text(line, MARGIN, y, scale, TITLE_COLOR)
        y += 9 * scale
    y += 8
    canvas.rect(MARGIN, y, 90, 6, ACCENT)
    y += 30
    footer_y = SIZE - MARGIN - 14
    list_scale = 2
    line_height = 11 * list_scale
    per_line = width // (6 * list_scale)
    names = [_plain(n) for n in stretch_names]
    room = max(0, (footer_y - 20 - y) // line_height)
    shown = names if len(names) <= room else names[: max(0, room - 1)]
    for i, name in enumerate(shown, 1):
        canvas.text(_clip(f"{i}  {name}", per_line), MARGIN, y, list_scale, LIST_COLOR)
        y += line_height
    if len(shown) < len(names):
        canvas.text(f"+ {len(names) - len(shown)} MORE", MARGIN, y, list_scale, LIST_COLOR)
    canvas.text("VOICEGUIDE", MARGIN, footer_y, 2, ACCENT)
    return canvas.png()


def _fit_title(title: str, width: int) -> tuple[int, list[str]]:
    for scale in (6, 5, 4, 3):
        lines = _wrap(title, width // (6 * scale))
        if len(lines) <= 4 and all(len(line) * 6 * scale - scale <= width for line in lines):
            return scale, lines
    return 3, [_clip(line, width // 18) for line in _wrap(title, width // 18)[:4]]


def _wrap(text: str, per_line: int) -> list[str]:
    lines: list[str] = []
    for word in text.split():
        while len(word) > per_line:  # a word longer than a line is broken
            lines.append(word[:per_line])
            word = word[per_line:]
        if lines and len(lines[-1]) + 1 + len(word) <= per_line:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines or [""]


def _clip(text: str, n: int) -> str:
    return text if len(text) <= n else text[: max(0, n - 2)].rstrip() + ".."


_SUBSTITUTES = {"\u2014": "-", "\u2013": "-", "\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"', "_": "-"}


def _plain(text: str) -> str:
    """Capitals the bitmap font has; accents dropped, anything else a space."""
    text = "".join(_SUBSTITUTES.get(c, c) for c in text)
    text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c)).upper()
    return " ".join("".join(c if c in _FONT else " " for c in text).split())


class _Canvas:
    def __init__(self, width: int, height: int):
        self.w, self.h = width, height
        self.rows = [bytearray(3 * width) for _ in range(height)]

    def gradient(self, top: tuple[int, int, int], bottom: tuple[int, int, int]) -> None:
        for y, row in enumerate(self.rows):
            t = y / max(1, self.h - 1)
            color = bytes(round(a + (b - a) * t) for a, b in zip(top, bottom, strict=False))
            row[:] = color * self.w

    def rect(self, x: int, y: int, w: int, h: int, color: tuple[int, int, int]) -> None:
        x0, x1 = max(0, x), min(self.w, x + w)
        if x0 >= x1:
            return
        fill = bytes(color) * (x1 - x0)
        for row in self.rows[max(0, y) : min(self.h, y + h)]:
            row[3 * x0 : 3 * x1] = fill

    def text(self, text: str, x: int, y: int, scale: int, color: tuple[int, int, int]) -> None:
        for i, char in enumerate(text):
            glyph = _FONT.get(char)
            if glyph is None:
                continue
            gx = x + i * 6 * scale
            for r, bits in enumerate(glyph):
                for c, bit in enumerate(bits):
                    if bit == "#":
                        self.rect(gx + c * scale, y + r * scale, scale, scale, color)

    def png(self) -> bytes:
        raw = b"".join(b"\x00" + bytes(row) for row in self.rows)  # filter 0 on every row

        def chunk(kind: bytes, body: bytes) -> bytes:
            return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

        header = struct.pack(">IIBBBBB", self.w, self.h, 8, 2, 0, 0, 0)  # 8-bit RGB
        return PNG_MAGIC + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")


def _glyphs(spec: str) -> dict[str, tuple[str, ...]]:
    """Parse the font table: a character, then its 7 rows of 5 pixels."""
    out: dict[str, tuple[str, ...]] = {}
    for block in spec.strip("\n").split("\n\n"):
        lines = block.split("\n")
        out[lines[0][0]] = tuple(line.ljust(5, ".") for line in lines[1:8])
    return out


_FONT = _glyphs(
    """
A
.###.
#...#
#...#
#####
#...#
#...#
#...#

B
####.
#...#
#...#
####.
#...#
#...#
####.

C
.###.
#...#
#....
#....
#....
#...#
.###.

D
###..
#..#.
#...#
#...#
#...#
#..#.
###..

E
#####
#....
#....
####.
#....
#....
#####

F
#####
#....
#....
####.
#....
#....
#....

G
.###.
#...#
#....
#.###
#...#
#...#
.####

H
#...#
#...#
#...#
#####
#...#
#...#
#...#

I
.###.
..#..
..#..
..#..
..#..
..#..
.###.

J
..###
...#.
...#.
...#.
...#.
#..#.
.##..

K
#...#
#..#.
#.#..
##...
#.#..
#..#.
#...#

L
#....
#....
#....
#....
#....
#....
#####

M
#...#
##.##
#.#.#
#.#.#
#...#
#...#
#...#

N
#...#
#...#
##..#
#.#.#
#..##
#...#
#...#

O
.###.
#...#
#...#
#...#
#...#
#...#
.###.

P
####.
#...#
#...#
####.
#....
#....
#....

Q
.###.
#...#
#...#
#...#
#.#.#
#..#.
.##.#

R
####.
#...#
#...#
####.
#.#..
#..#.
#...#

S
.####
#....
#....
.###.
....#
....#
####.

T
#####
..#..
..#..
..#..
..#..
..#..
..#..

U
#...#
#...#
#...#
#...#
#...#
#...#
.###.

V
#...#
#...#
#...#
#...#
#...#
.#.#.
..#..

W
#...#
#...#
#...#
#.#.#
#.#.#
#.#.#
.#.#.

X
#...#
#...#
.#.#.
..#..
.#.#.
#...#
#...#

Y
#...#
#...#
.#.#.
..#..
..#..
..#..
..#..

Z
#####
....#
...#.
..#..
.#...
#....
#####

0
.###.
#...#
#..##
#.#.#
##..#
#...#
.###.

1
..#..
.##..
..#..
..#..
..#..
..#..
.###.

2
.###.
#...#
....#
...#.
..#..
.#...
#####

3
#####
...#.
..#..
...#.
....#
#...#
.###.

4
...#.
..##.
.#.#.
#..#.
#####
...#.
...#.

5
#####
#....
####.
....#
....#
#...#
.###.

6
..##.
.#...
#....
####.
#...#
#...#
.###.

7
#####
....#
...#.
..#..
.#...
.#...
.#...

8
.###.
#...#
#...#
.###.
#...#
#...#
.###.

9
.###.
#...#
#...#
.####
....#
...#.
.##..

.
.....
.....
.....
.....
.....
.##..
.##..

,
.....
.....
.....
.....
.##..
..#..
.#...

-
.....
.....
.....
.###.
.....
.....
.....

'
..#..
..#..
.#...
.....
.....
.....
.....

"
.#.#.
.#.#.
.....
.....
.....
.....
.....

:
.....
.##..
.##..
.....
.##..
.##..
.....

(
...#.
..#..
.#...
.#...
.#...
..#..
...#.

)
.#...
..#..
...#.
...#.
...#.
..#..
.#...

&
.##..
#..#.
#.#..
.#...
#.#.#
#..#.
.##.#

/
.....
....#
...#.
..#..
.#...
#....
.....

!
..#..
..#..
..#..
..#..
..#..
.....
..#..

?
.###.
#...#
....#
...#.
..#..
.....
..#..

+
.....
..#..
..#..
#####
..#..
..#..
.....
"""
)
