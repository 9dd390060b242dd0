"""Opening, labelling and reading photos: real sample images, generated ones, and every kind of bad file."""

from __future__ import annotations

import hashlib
import struct
import subprocess
import sys
import zlib
from datetime import datetime
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from modalities.efficientnet import Label
from modalities.errors import MediaError
from modalities.images import LoadedImage, open_image
from modalities.vision import ImageDescriber, ImageDescription, merge_labels, readable_names

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
IMAGES = SHARED_DATA / "images"
needs_images = pytest.mark.skipif(not IMAGES.is_dir(), reason="sample images not found in ../shared/data/images")

NOTE_LINES = ["SHOPPING LIST", "Milk 2.49", "Call Anna at 5pm"]


@pytest.fixture(scope="module")
def describer() -> ImageDescriber:
    """One describer (models loaded once) for the whole module."""
    return ImageDescriber()


@pytest.fixture(scope="module")
def note_description(describer: ImageDescriber, tmp_path_factory: pytest.TempPathFactory) -> ImageDescription:
    """A rendered note (black text on white), described once for the module."""
    return describe(describer, write_note(tmp_path_factory.mktemp("note") / "note.png"))


def describe(describer: ImageDescriber, path: Path) -> ImageDescription:
    return describer.describe(open_image(path))


def write_note(path: Path) -> Path:
    note = Image.new("RGB", (900, 400), "white")
    draw = ImageDraw.Draw(note)
    font = ImageFont.load_default(size=48)
    for row, line in enumerate(NOTE_LINES):
        draw.text((40, 40 + row * 110), line, fill="black", font=font)
    note.save(path)
    return path


def png_claiming_size(width: int, height: int) -> bytes:
    """A few dozen bytes of valid PNG structure whose header claims ``width``×``height`` pixels."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)  # 1-bit greyscale
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"")) + chunk(b"IEND", b"")


# --- real photos -------------------------------------------------------------------------------------------


@needs_images
def test_the_cat_photo_is_described_as_a_cat(describer: ImageDescriber) -> None:
    description = describe(describer, IMAGES / "chelsea.png")

    assert any("cat" in label.name for label in description.labels[:2])
    report = description.tool_report()
    assert "tabby cat (" in report
    assert "pixels" not in report  # the size distracts a small model
    assert "text in it" not in report  # no junk read in fur and whiskers


@needs_images
def test_grace_hopper_is_seen_in_uniform(describer: ImageDescriber) -> None:
    description = describe(describer, IMAGES / "grace_hopper.jpg")

    assert description.labels[0].name == "military uniform"
    assert description.tool_report().startswith("most likely: military uniform (")
    assert description.embedding.shape[0] > 100
    assert description.embedding.dot(description.embedding) == pytest.approx(1.0, abs=1e-4)


@needs_images
def test_photos_without_text_report_none(describer: ImageDescriber) -> None:
    description = describe(describer, IMAGES / "coffee.png")

    assert description.text == ""
    assert description.labels[0].name == "espresso"


@needs_images
def test_labels_are_unique_ranked_and_above_the_floor(describer: ImageDescriber) -> None:
    labels = describe(describer, IMAGES / "rocket.jpg").labels

    names = [label.name for label in labels]
    assert len(names) == len(set(names))
    assert [label.score for label in labels] == sorted((label.score for label in labels), reverse=True)
    assert labels[0].name == "missile"
    assert all(label.score >= 0.05 for label in labels)


def test_text_in_an_image_is_read(note_description: ImageDescription) -> None:
    description = note_description

    # PP-OCR sometimes drops a space between words ("Milk2.49"); the words and their order must be right.
    assert [line.replace(" ", "") for line in description.text.splitlines()] == [
        line.replace(" ", "") for line in NOTE_LINES
    ]
    report = description.tool_report()
    assert 'text in it: "SHOPPING' in report
    assert '5pm"' in report


def test_an_unrecognisable_image_is_not_given_a_made_up_label(note_description: ImageDescription) -> None:
    description = note_description

    assert len(description.labels) == 1  # the top label is kept in the data...
    assert "nothing it recognises" in description.tool_report()  # ...but not claimed


def test_describing_works_without_ocr(describer: ImageDescriber, tmp_path: Path) -> None:
    without_ocr = ImageDescriber(describer.encoder, ocr=False)
    description = describe(without_ocr, write_note(tmp_path / "note.png"))

    assert description.text == ""
    assert description.labels


# --- labels ------------------------------------------------------------------------------------------------


def test_duplicate_class_names_are_merged_and_scores_added() -> None:
    labels = merge_labels(
        [
            Label("missile", 0.30),
            Label("projectile", 0.25),
            Label("missile", 0.20),
            Label("tabby cat", 0.04),
            Label("a cat having a striped coat", 0.03),
        ]
    )

    assert labels == (Label("missile", pytest.approx(0.50)), Label("projectile", 0.25), Label("tabby cat", 0.07))


def test_the_top_label_is_kept_even_under_the_floor() -> None:
    assert merge_labels([Label("nematode", 0.02), Label("envelope", 0.01)]) == (Label("nematode", 0.02),)


def test_class_names_read_naturally() -> None:
    names = set(readable_names().values())

    assert "cardboard box" in names
    assert not [name for name in names if " / " in name or name.startswith("a ") or len(name) > 40]


# --- report ------------------------------------------------------------------------------------------------


def test_the_report_hedges_low_scores_and_shows_the_date() -> None:
    description = ImageDescription(
        labels=(Label("Great Dane", 0.19), Label("Whippet", 0.12)),
        text="",
        width=400,
        height=328,
        taken_at=datetime(2024, 5, 3, 14, 2),
        embedding=np.zeros(3),
        seconds=0.1,
    )

    assert description.tool_report() == ("unsure, maybe: Great Dane (19%), or Whippet (12%); taken 2024-05-03 14:02")


# --- opening good files ------------------------------------------------------------------------------------


def test_exif_capture_date_is_read(tmp_path: Path) -> None:
    exif = Image.Exif()
    exif.get_ifd(0x8769)[0x9003] = "2024:05:03 14:02:11"  # DateTimeOriginal
    exif[0x0132] = "2025:01:01 00:00:00"  # DateTime (file changed): the original date wins
    path = tmp_path / "holiday.jpg"
    Image.new("RGB", (64, 48), "orange").save(path, exif=exif)

    assert open_image(path).taken_at == datetime(2024, 5, 3, 14, 2, 11)


@pytest.mark.parametrize("garbage", ["0000:00:00 00:00:00", "    :  :     :  :  ", "yesterday", "2024:13:45 99:99:99"])
def test_a_garbage_exif_date_is_ignored(tmp_path: Path, garbage: str) -> None:
    exif = Image.Exif()
    exif[0x0132] = garbage
    path = tmp_path / "odd.jpg"
    Image.new("RGB", (64, 48), "orange").save(path, exif=exif)

    assert open_image(path).taken_at is None


def test_exif_orientation_is_applied(tmp_path: Path) -> None:
    sideways = Image.new("RGB", (200, 100), "blue")
    sideways.paste((255, 0, 0), (0, 0, 100, 100))  # left half red
    exif = Image.Exif()
    exif[0x0112] = 6  # "rotate 90° clockwise to display"
    path = tmp_path / "phone.jpg"
    sideways.save(path, exif=exif, quality=95)

    loaded = open_image(path)

    assert (loaded.width, loaded.height) == (100, 200)
    top = loaded.image.getpixel((50, 50))
    assert isinstance(top, tuple)
    assert top[0] > 200 and top[2] < 60  # the red left half is now on top


def test_an_animated_gif_gives_its_first_frame(tmp_path: Path) -> None:
    frames = [Image.new("RGB", (32, 32), colour) for colour in ("red", "lime", "blue")]
    path = tmp_path / "party.gif"
    frames[0].save(path, save_all=True, append_images=frames[1:], duration=100, loop=0)

    loaded = open_image(path)

    assert loaded.format == "GIF"
    assert loaded.image.getpixel((16, 16)) == (255, 0, 0)


def test_transparency_becomes_white_and_the_hash_is_of_the_file(tmp_path: Path) -> None:
    path = tmp_path / "sticker.png"
    Image.new("RGBA", (20, 20), (0, 0, 0, 0)).save(path)

    loaded = open_image(path)

    assert loaded.image.mode == "RGB"
    assert loaded.image.getpixel((5, 5)) == (255, 255, 255)
    assert loaded.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()


@needs_images
def test_a_sample_photo_opens_with_its_format_and_size() -> None:
    loaded = open_image(IMAGES / "grace_hopper.jpg")

    assert isinstance(loaded, LoadedImage)
    assert (loaded.format, loaded.width, loaded.height, loaded.image.mode) == ("JPEG", 512, 600, "RGB")


# --- bad files ---------------------------------------------------------------------------------------------


def assert_refused(path: Path, *expected: str, **options: int) -> None:
    with pytest.raises(MediaError) as caught:
        open_image(path, **options)
    message = str(caught.value)
    assert path.name in message
    for words in expected:
        assert words in message
    assert message.count(". ") == 0, "one sentence"


def test_a_missing_file(tmp_path: Path) -> None:
    assert_refused(tmp_path / "gone.jpg", "does not exist")


def test_a_text_file(tmp_path: Path) -> None:
    path = tmp_path / "notes.png"
    path.write_text("Buy milk and call Anna.\n")
    assert_refused(path, "not an image", "text file")


def test_an_audio_file(tmp_path: Path) -> None:
    flac = SHARED_DATA / "speech" / "jfk.flac"
    if not flac.is_file():
        pytest.skip("jfk.flac not found in ../shared/data/speech")
    path = tmp_path / "jfk.jpg"
    path.write_bytes(flac.read_bytes())
    assert_refused(path, "not an image", "audio")


@needs_images
def test_a_png_named_jpg_is_mislabelled(tmp_path: Path) -> None:
    path = tmp_path / "chelsea.jpg"
    path.write_bytes((IMAGES / "chelsea.png").read_bytes())
    assert_refused(path, "really a PNG image", "rename it to chelsea.png")


@needs_images
def test_a_truncated_jpeg(tmp_path: Path) -> None:
    data = (IMAGES / "grace_hopper.jpg").read_bytes()
    path = tmp_path / "half.jpg"
    path.write_bytes(data[: len(data) // 2])
    assert_refused(path, "truncated")


@needs_images
def test_a_corrupt_png(tmp_path: Path) -> None:
    data = bytearray((IMAGES / "chelsea.png").read_bytes())
    data[5000:9000] = bytes(4000)
    path = tmp_path / "scratched.png"
    path.write_bytes(bytes(data))
    assert_refused(path, "damaged")


def test_random_bytes_with_an_image_extension(tmp_path: Path) -> None:
    path = tmp_path / "photo.webp"
    path.write_bytes(bytes(range(256)) * 4)
    assert_refused(path, "not a valid WebP image")


@pytest.mark.parametrize(
    "width, height",
    [(8_000, 8_000), (10_000, 10_000), (20_000, 20_000)],  # over our limit; Pillow warns; Pillow refuses
)
def test_a_huge_image_is_refused_before_decoding(tmp_path: Path, width: int, height: int) -> None:
    path = tmp_path / "bomb.png"
    path.write_bytes(png_claiming_size(width, height))
    assert_refused(path, "too large")


def test_the_pixel_limit_can_be_lowered(tmp_path: Path) -> None:
    path = tmp_path / "wide.png"
    Image.new("RGB", (300, 200)).save(path)
    assert_refused(path, "too large", "300×200", max_pixels=50_000)


def test_heic_is_explained(tmp_path: Path) -> None:
    path = tmp_path / "IMG_0001.HEIC"
    path.write_bytes(b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + bytes(64))
    assert_refused(path, "HEIC")


def test_an_unsupported_image_format(tmp_path: Path) -> None:
    path = tmp_path / "scan.ppm"
    Image.new("RGB", (10, 10)).save(path)
    assert_refused(path, "PPM image", "cannot read")


def test_a_folder(tmp_path: Path) -> None:
    folder = tmp_path / "album.jpg"
    folder.mkdir()
    assert_refused(folder, "folder")


# --- cost --------------------------------------------------------------------------------------------------


def test_importing_the_image_modules_loads_no_heavy_library() -> None:
    code = (
        "import sys, modalities.images, modalities.ocr, modalities.vision;"
        "print(sorted(m for m in ('PIL', 'torch', 'rapidocr_onnxruntime', 'onnxruntime', 'cv2') if m in sys.modules))"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"
