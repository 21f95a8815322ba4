"""Cover art: a square PNG drawn from the routine, or the user's own PNG or JPEG.

The generated cover is drawn with Pillow in DejaVu Sans (shipped in
voiceguide/data/fonts with its licence): a dusk-to-teal gradient, the day of a
program large in an accent pill, the title in bold, and the stretches listed
under it. Podcast directories want 1400-3000 px square art, so covers are drawn
at 3000 px by default; the copy embedded in an audio file is 1400 px, enough for
any player's screen without bloating every file. The same input always gives
the same bytes (with the same Pillow).
"""

from __future__ import annotations

import io
import unicodedata
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont, UnidentifiedImageError

from voiceguide import language
from voiceguide.errors import InputError
from voiceguide.language import _, n_
from voiceguide.words.timeline import BREATHS, TEMPO_SET, Block, Timeline

SIZE = 3000  # pixels, square: the most podcast directories take
EMBED_SIZE = 1400  # pixels: the cover carried inside an audio file

TOP = (24, 52, 92)  # gradient, top to bottom: dusk blue to teal
BOTTOM = (20, 112, 120)
TITLE_COLOR = (250, 248, 240)
LIST_COLOR = (214, 234, 236)
ACCENT = (242, 186, 92)

FONT_REGULAR = "DejaVuSans.ttf"
FONT_BOLD = "DejaVuSans-Bold.ttf"
MISSING = "\U0010fffd"  # a private-use code point no font maps: it draws the missing-glyph box
_FORMATS = {"PNG": "image/png", "JPEG": "image/jpeg"}

# Layout on a 3000 px canvas; everything scales with the size asked for.
_MARGIN = 210
_TITLE_SIZES = range(330, 169, -10)  # largest that fits in _TITLE_LINES lines
_TITLE_LINES = 3
_SUBTITLE_SIZE = 230  # "Day 3 of 14": the one thing that tells episodes apart in a list
_LIST_SIZES = range(125, 71, -4)
_FOOTER_SIZE = 100


@dataclass(frozen=True)
class Cover:
    data: bytes
    mime: str  # image/png or image/jpeg

    @property
    def size(self) -> tuple[int, int]:
        return image_size(self.data)


def load_cover(path: Path) -> Cover:
    """The user's cover image: a PNG or JPEG file, told by its content and decoded whole."""
    path = Path(path)
    if path.is_dir():
        raise InputError(f"{path}: is a directory; give a PNG or JPEG image for the cover")
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise InputError(f"{path}: no such file; give a PNG or JPEG image for the cover") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot be read ({exc.strerror})") from None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                kind = image.format
                if kind in _FORMATS:
                    image.load()  # a truncated or damaged file fails here, not in a player
    except UnidentifiedImageError:
        kind = None
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise InputError(f"{path}: is too large an image for a cover; scale it to 3000 x 3000 px or less") from None
    except (OSError, SyntaxError, ValueError) as exc:
        raise InputError(f"{path}: is a damaged image ({exc}); export it again as PNG or JPEG") from None
    if kind not in _FORMATS:
        raise InputError(f"{path}: is not a PNG or JPEG image; convert it to one of those for --cover")
    return Cover(data, _FORMATS[kind])


def image_size(data: bytes) -> tuple[int, int]:
    """(width, height) of a PNG or JPEG, (0, 0) when it cannot be told."""
    try:
        with Image.open(io.BytesIO(data)) as image:
            width, height = image.size
            return int(width), int(height)
    except (UnidentifiedImageError, OSError):
        return 0, 0


def for_embedding(cover: Cover, limit: int = EMBED_SIZE) -> Cover:
    """The cover to carry inside an audio file: scaled down to `limit` px when larger, else as given."""
    with Image.open(io.BytesIO(cover.data)) as image:
        if max(image.size) <= limit:
            return cover
        kind = image.format
        scale = limit / max(image.size)
        size = (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
        image.draft("RGB", size)  # JPEG: decode at a reduced scale where it can
        smaller = image.resize(size, Image.Resampling.LANCZOS)
    out = io.BytesIO()
    if kind == "JPEG":
        smaller.convert("RGB").save(out, "JPEG", quality=90)
        return Cover(out.getvalue(), "image/jpeg")
    smaller.save(out, "PNG")
    return Cover(out.getvalue(), "image/png")


def stretches_in_order(timeline: Timeline) -> list[str]:
    """The stretches of one time through the routine, each step once (sides and rounds folded)."""
    with language.speaking(timeline.lang):
        steps = {b.step: _dosed(b) for b in timeline.blocks if b.lap == 1}
    return list(steps.values())


def _dosed(block: Block) -> str:
    """A block's name, with its dose where it has one: "Glute bridge, 2 x 8", "Belly breathing, 5 breaths"."""
    if block.kind == TEMPO_SET:
        return _("{name}, {sets} x {reps}").format(name=block.name, sets=block.set_of, reps=block.reps)
    if block.kind == BREATHS:
        return n_("{name}, {n} breath", "{name}, {n} breaths", block.reps).format(name=block.name, n=block.reps)
    return block.name


def generated_cover(
    timeline: Timeline, title: str | None = None, subtitle: str | None = None, size: int = EMBED_SIZE
) -> Cover:
    """The cover drawn for a session, at the size an audio file carries: its title and its stretches."""
    return Cover(cover_png(title or timeline.title, stretches_in_order(timeline), subtitle, size), "image/png")


def cover_png(title: str, stretch_names: Sequence[str], subtitle: str | None = None, size: int = SIZE) -> bytes:
    """A square cover as PNG bytes: `subtitle` (say "Day 3 of 14") in a pill, the title, the stretches."""
    if size < 64:
        raise ValueError(f"a cover of {size} px is too small to draw")
    image = _background(size)
    draw = ImageDraw.Draw(image)
    u = size / 3000
    margin = round(_MARGIN * u)
    width = size - 2 * margin
    y = margin

    subtitle = _drawable(subtitle or "")
    if subtitle:
        font = _font(FONT_BOLD, round(_SUBTITLE_SIZE * u))
        text = _clip(subtitle, font, width - round(120 * u))
        pad_x, pad_y = round(60 * u), round(34 * u)
        left, top, right, bottom = draw.textbbox((margin + pad_x, y + pad_y), text, font=font, anchor="la")
        ascent, descent = font.getmetrics()
        box = (margin, y, round(right) + pad_x, y + pad_y + ascent + descent * 2 // 3 + pad_y)
        _pill(image, box, ACCENT)
        draw.text((margin + pad_x, y + pad_y), text, font=font, fill=TOP, anchor="la")
        y = box[3] + round(110 * u)
    else:
        y += round(40 * u)

    font, lines = _fit_title(_drawable(title), width, u)
    line_height = round(font.size * 1.16)
    for line in lines:
        draw.text((margin, y), line, font=font, fill=TITLE_COLOR, anchor="la")
        y += line_height
    y += round(70 * u)
    _pill(image, (margin, y, margin + round(300 * u), y + round(26 * u)), ACCENT)
    y += round(26 * u) + round(100 * u)

    footer = _font(FONT_BOLD, round(_FOOTER_SIZE * u))
    footer_top = size - margin - sum(footer.getmetrics())
    draw.text((margin, footer_top), "voiceguide", font=footer, fill=ACCENT, anchor="la")
    _draw_list(draw, [_drawable(n) for n in stretch_names], margin, y, width, footer_top - round(80 * u), u)

    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def _background(size: int) -> Image.Image:
    """The gradient with two soft circles of light at the upper right."""
    mask = Image.linear_gradient("L").resize((size, size), Image.Resampling.BICUBIC)
    image = Image.composite(Image.new("RGB", (size, size), BOTTOM), Image.new("RGB", (size, size), TOP), mask)
    small = max(16, size // 6)  # drawn small and enlarged: soft edges for free
    glow = Image.new("L", (small, small), 0)
    draw = ImageDraw.Draw(glow)
    cx, cy = 0.88 * small, 0.10 * small
    for radius, level in ((0.46, 14), (0.30, 26)):
        r = radius * small
        draw.ellipse((cx - r, cy - r, cx + r, cy + r), fill=level)
    glow = glow.resize((size, size), Image.Resampling.BICUBIC)
    return Image.composite(Image.new("RGB", (size, size), TITLE_COLOR), image, glow)


def _pill(image: Image.Image, box: tuple[int, int, int, int], color: tuple[int, int, int]) -> None:
    """A rectangle with fully rounded ends, its edges smoothed (drawn at 4x, then reduced)."""
    left, top, right, bottom = box
    width, height = max(1, right - left), max(1, bottom - top)
    mask = Image.new("L", (4 * width, 4 * height), 0)
    ImageDraw.Draw(mask).rounded_rectangle((0, 0, 4 * width - 1, 4 * height - 1), radius=2 * height, fill=255)
    image.paste(color, (left, top, left + width, top + height), mask.resize((width, height), Image.Resampling.BOX))


def _fit_title(title: str, width: int, u: float) -> tuple[ImageFont.FreeTypeFont, list[str]]:
    """The largest bold size at which the title wraps into at most three lines, no word broken."""
    for points in _TITLE_SIZES:
        font = _font(FONT_BOLD, round(points * u))
        lines = _wrap(title, font, width)
        if len(lines) <= _TITLE_LINES and all(font.getlength(line) <= width for line in lines):
            return font, lines
    lines = _wrap(title, font, width, breaking=True)
    if len(lines) > _TITLE_LINES:
        lines = lines[: _TITLE_LINES - 1] + [_clip(" ".join(lines[_TITLE_LINES - 1 :]), font, width)]
    return font, lines


def _draw_list(
    draw: ImageDraw.ImageDraw, names: list[str], x: int, top: int, width: int, bottom: int, u: float
) -> None:
    """The numbered stretches, as large as the room allows; "+ N more" when even the smallest is too big."""
    if not names:
        return
    for points in _LIST_SIZES:
        font = _font(FONT_REGULAR, round(points * u))
        step = round(font.size * 1.42)
        if len(names) * step <= bottom - top:
            break
    room = max(1, (bottom - top) // step)
    shown = names if len(names) <= room else names[: room - 1]
    digits = font.getlength(f"{len(shown)}")
    number_width = digits + font.getlength("  ")
    y = top
    for i, name in enumerate(shown, 1):
        draw.text((x + digits, y), str(i), font=font, fill=ACCENT, anchor="ra")
        name = _clip(name, font, width - number_width)
        draw.text((x + number_width, y), name, font=font, fill=LIST_COLOR, anchor="la")
        y += step
    if len(shown) < len(names):
        draw.text((x + number_width, y), f"+ {len(names) - len(shown)} more", font=font, fill=ACCENT, anchor="la")


def _wrap(text: str, font: ImageFont.FreeTypeFont, width: int, breaking: bool = False) -> list[str]:
    """Greedy word wrap by measured width; `breaking` splits a word wider than a line."""
    lines: list[str] = []
    for word in text.split():
        while breaking and font.getlength(word) > width:
            cut = max(1, max((i for i in range(len(word)) if font.getlength(word[:i]) <= width), default=1) - 1)
            lines.append(word[:cut] + "-")
            word = word[cut:]
        if lines and font.getlength(f"{lines[-1]} {word}") <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines or [""]


def _clip(text: str, font: ImageFont.FreeTypeFont, width: float) -> str:
    """The text, shortened with an ellipsis to fit `width` pixels."""
    if font.getlength(text) <= width:
        return text
    while text and font.getlength(text.rstrip() + "…") > width:
        text = text[:-1]
    return text.rstrip() + "…"


@lru_cache(maxsize=64)
def _font(name: str, size: int) -> ImageFont.FreeTypeFont:
    data = resources.files("voiceguide.data").joinpath("fonts").joinpath(name).read_bytes()
    # The basic layout engine: the same pixels whether or not libraqm is installed.
    return ImageFont.truetype(io.BytesIO(data), size, layout_engine=ImageFont.Layout.BASIC)


def _drawable(text: str) -> str:
    """The text with what the font cannot draw left out (no tofu boxes) and spaces collapsed."""
    text = unicodedata.normalize("NFC", text)
    return " ".join("".join(c if c.isspace() or has_glyph(c) else " " for c in text).split())


@lru_cache(maxsize=4096)
def has_glyph(char: str) -> bool:
    """Whether the cover font draws `char` as itself rather than as its missing-glyph box."""
    if unicodedata.category(char)[0] in "CZ":  # controls, format marks, separators
        return False
    return all(_pixels(name, char) != _pixels(name, MISSING) for name in (FONT_REGULAR, FONT_BOLD))


def _pixels(font_name: str, char: str) -> tuple[tuple[int, int], bytes]:
    """`char` drawn alone at 48 px, cropped to its box."""
    font = _font(font_name, 48)
    left, top, right, bottom = (round(edge) for edge in font.getbbox(char))
    image = Image.new("L", (max(1, right - left), max(1, bottom - top)))
    ImageDraw.Draw(image).text((-left, -top), char, font=font, fill=255)
    return image.size, image.tobytes()
