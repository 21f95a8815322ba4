"""Cover art: drawn with Pillow in the shipped DejaVu fonts, read back with Pillow.

The glyph checks draw with Pillow straight from the font files in the package,
so they would fail if the font lost its lower case or accents, or if the cover
fell back to a font without them (their missing-glyph box is compared pixel by
pixel).
"""

from __future__ import annotations

import io
from importlib import resources

import pytest
from PIL import Image, ImageDraw, ImageFont

from voiceguide.errors import InputError
from voiceguide.files.cover import (
    ACCENT,
    EMBED_SIZE,
    FONT_BOLD,
    FONT_REGULAR,
    MISSING,
    SIZE,
    TITLE_COLOR,
    Cover,
    cover_png,
    for_embedding,
    has_glyph,
    load_cover,
)

NINE = [
    "Dynamic Hamstring Stretch",
    "Forward Bend",
    "Standing Hamstring Stretch",
    "Lunge With Hamstring Stretch",
    "Downward Dog",
    "Seated Hamstring Stretch",
    "Supine Hamstring Stretch",
    "Reclining Hand-to-Big-Toe",
    "Wall Hamstring Stretch",
]
FONTS = resources.files("voiceguide.data").joinpath("fonts")


def opened(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def bright(image: Image.Image) -> Image.Image:
    """A mask of the title's near-white text (the background never gets that light)."""
    return image.convert("L").point(lambda v: 255 if v > 225 else 0)


def drawn(font_name: str, char: str, size: int = 96) -> tuple[tuple[int, int], bytes]:
    """One character drawn by Pillow from the shipped font file, cropped to its ink."""
    font = ImageFont.truetype(io.BytesIO(FONTS.joinpath(font_name).read_bytes()), size)
    image = Image.new("L", (2 * size, 2 * size))
    ImageDraw.Draw(image).text((size // 2, size // 2), char, font=font, fill=255)
    box = image.getbbox()
    assert box is not None, f"{char!r} drew nothing"
    return image.crop(box).size, image.crop(box).tobytes()


# -- the font -------------------------------------------------------------------


def test_the_fonts_and_their_licence_ship_in_the_package():
    for name in (FONT_REGULAR, FONT_BOLD):
        assert FONTS.joinpath(name).read_bytes()[:4] == b"\x00\x01\x00\x00"  # TrueType
    licence = FONTS.joinpath("LICENSE").read_text(encoding="utf-8")
    assert "Bitstream Vera Fonts Copyright" in licence and "Arev Fonts Copyright" in licence


@pytest.mark.parametrize("font_name", [FONT_REGULAR, FONT_BOLD])
@pytest.mark.parametrize("char", list("aegéÉèàçñüøßÅłœ"))
def test_lower_case_and_accents_are_real_glyphs_not_the_missing_box(font_name, char):
    assert drawn(font_name, char) != drawn(font_name, MISSING)
    assert has_glyph(char)


@pytest.mark.parametrize("font_name", [FONT_REGULAR, FONT_BOLD])
def test_an_accent_is_drawn_above_its_letter(font_name):
    (e_width, e_height), _ = drawn(font_name, "e")
    (accented_width, accented_height), _ = drawn(font_name, "é")
    assert accented_width == e_width and accented_height > 1.2 * e_height


def test_characters_the_font_lacks_are_left_out_rather_than_boxed():
    assert not has_glyph("日") and not has_glyph("\u200b") and not has_glyph(MISSING)
    assert cover_png("日本", [], size=300) == cover_png("", [], size=300)
    assert cover_png("Stretch 日本", ["本 Forward Bend"], size=300) == cover_png("Stretch", ["Forward Bend"], size=300)


# -- the drawing ----------------------------------------------------------------


@pytest.mark.parametrize("size", [SIZE, EMBED_SIZE, 600])
def test_a_cover_is_a_square_rgb_png_of_the_size_asked(size):
    data = cover_png("Hamstring stretches for lower back pain", NINE, size=size)
    image = opened(data)
    assert (image.format, image.mode, image.size) == ("PNG", "RGB", (size, size))
    Image.open(io.BytesIO(data)).verify()  # chunk CRCs and the stream end
    assert image.getpixel((size // 2, 2)) != image.getpixel((size // 2, size - 3))  # the gradient


def test_the_default_size_is_what_podcast_directories_ask_for():
    assert opened(cover_png("Hamstrings", NINE)).size == (3000, 3000)
    assert 1400 <= EMBED_SIZE <= 3000


def test_same_input_same_bytes_and_every_part_shows():
    data = cover_png("Morning back care", NINE[:3], "Day 3 of 14", size=600)
    assert cover_png("Morning back care", NINE[:3], "Day 3 of 14", size=600) == data
    assert cover_png("Evening back care", NINE[:3], "Day 3 of 14", size=600) != data
    assert cover_png("Morning back care", NINE[:4], "Day 3 of 14", size=600) != data
    assert cover_png("Morning back care", NINE[:3], "Day 4 of 14", size=600) != data
    assert cover_png("Morning back care", NINE[:3], size=600) != data
    assert cover_png("morning back care", NINE[:3], "Day 3 of 14", size=600) != data  # case is kept
    assert cover_png("Étirements", [], size=600) != cover_png("Etirements", [], size=600)


def test_the_title_is_readable_on_a_phone_thumbnail():
    # At 150 px, a line of the title should stand at least 9 px tall.
    image = opened(cover_png("Hamstring stretches for lower back pain", NINE, size=1500))
    mask = bright(image)
    rows = [mask.crop((0, y, 1500, y + 1)).getbbox() is not None for y in range(1500)]
    first = rows.index(True)
    height = rows[first:].index(False)
    assert height >= 0.06 * 1500, height


def test_a_program_day_stands_in_an_accent_pill_above_the_title():
    size = 1000
    with_day = opened(cover_png("Hamstrings in 14 days", NINE[:4], "Day 3 of 14", size=size))
    without = opened(cover_png("Hamstrings in 14 days", NINE[:4], size=size))
    margin = round(210 * size / 3000)
    corner = (margin + 25, margin + 30)
    assert with_day.getpixel(corner) == ACCENT
    assert without.getpixel(corner) != ACCENT
    # The title moves down to make room for the day.
    assert bright(with_day).getbbox()[1] > bright(without).getbbox()[1] + 0.05 * size


@pytest.mark.parametrize(
    "title, names, subtitle",
    [
        ("", [], None),
        ("Étirements — « ischio-jambiers » 日本", ["Posture de l'enfant", "Flexion avant à genoux"], "Jour 12 sur 14"),
        ("Supercalifragilisticexpialidocious stretching for everyone and everybody today", ["A" * 80], None),
        ("Many " * 40, [f"Stretch number {i}" for i in range(40)], "Day 100 of 100 " * 5),
        ("Hamstring stretches for lower back pain", NINE, "Day 14 of 14"),
    ],
)
def test_text_stays_inside_the_margins(title, names, subtitle):
    size = 900
    image = opened(cover_png(title, names, subtitle, size=size))
    band = round(0.5 * 210 * size / 3000)  # half the margin, all round
    for box in ((0, 0, band, size), (size - band, 0, size, size), (0, 0, size, band), (0, size - band, size, size)):
        assert bright(image.crop(box)).getbbox() is None, box
    assert TITLE_COLOR in {color for _, color in image.getcolors(1 << 20) or []} or not title.strip()


def test_too_small_a_cover_is_refused():
    with pytest.raises(ValueError):
        cover_png("x", [], size=10)


# -- covers inside audio files ----------------------------------------------------


def png_of(size: tuple[int, int]) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(out, "PNG")
    return out.getvalue()


def jpeg_of(size: tuple[int, int]) -> bytes:
    out = io.BytesIO()
    Image.linear_gradient("L").resize(size).convert("RGB").save(out, "JPEG")
    return out.getvalue()


def test_a_large_cover_is_scaled_to_the_embedded_size_in_its_own_format():
    big = Cover(cover_png("Hamstrings", NINE), "image/png")
    small = for_embedding(big)
    assert small.mime == "image/png" and small.size == (EMBED_SIZE, EMBED_SIZE) == opened(small.data).size
    wide = for_embedding(Cover(jpeg_of((4000, 2000)), "image/jpeg"))
    assert wide.mime == "image/jpeg" and opened(wide.data).format == "JPEG" and wide.size == (EMBED_SIZE, 700)


def test_a_cover_within_the_embedded_size_is_kept_byte_for_byte():
    for cover in (Cover(png_of((EMBED_SIZE, EMBED_SIZE)), "image/png"), Cover(jpeg_of((500, 300)), "image/jpeg")):
        assert for_embedding(cover) is cover


# -- the user's own cover -------------------------------------------------------


def test_user_covers_are_told_by_their_content_not_their_name(tmp_path):
    (tmp_path / "art.jpg").write_bytes(png_of((40, 40)))
    assert load_cover(tmp_path / "art.jpg").mime == "image/png"
    (tmp_path / "art.png").write_bytes(jpeg_of((16, 32)))
    cover = load_cover(tmp_path / "art.png")
    assert cover.mime == "image/jpeg" and cover.size == (16, 32)
    assert cover.data == (tmp_path / "art.png").read_bytes()


def gif() -> bytes:
    out = io.BytesIO()
    Image.new("P", (4, 4)).save(out, "GIF")
    return out.getvalue()


@pytest.mark.parametrize(
    "content, message",
    [
        (gif(), "is not a PNG or JPEG image"),
        (b"GIF89a\x01\x00", "is not a PNG or JPEG image"),
        (b"", "is not a PNG or JPEG image"),
        (png_of((300, 300))[:200], "is a damaged image"),
        (jpeg_of((300, 300))[:400], "is a damaged image"),
        (None, "no such file"),
        ("dir", "is a directory"),
    ],
)
def test_bad_covers_are_input_errors(tmp_path, content, message):
    path = tmp_path / "cover.png"
    if content == "dir":
        path.mkdir()
    elif content is not None:
        path.write_bytes(content)
    with pytest.raises(InputError, match=message):
        load_cover(path)
