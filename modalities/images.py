"""Opening photos safely: validation, decompression-bomb guard, EXIF orientation and capture date.

Pillow is imported inside the functions, so importing this module is cheap.
"""

from __future__ import annotations

import codecs
import hashlib
import io
import warnings
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from modalities.errors import MediaError

if TYPE_CHECKING:
    from PIL.Image import Image

DEFAULT_MAX_PIXELS = 50_000_000
# Reading a file bigger than this into memory is never worth it for a photo.
MAX_FILE_BYTES = 256 * 1024 * 1024

# Pillow format name -> the extensions that claim it.
SUPPORTED_FORMATS: dict[str, tuple[str, ...]] = {
    "JPEG": (".jpg", ".jpeg", ".jpe", ".jfif"),
    "PNG": (".png",),
    "WEBP": (".webp",),
    "GIF": (".gif",),
    "BMP": (".bmp", ".dib"),
    "TIFF": (".tif", ".tiff"),
    "AVIF": (".avif",),
}
HEIC_EXTENSIONS = (".heic", ".heif")
# Pillow reports phone JPEGs carrying a multi-picture index as "MPO"; to the user they are JPEGs.
FORMAT_ALIASES = {"MPO": "JPEG", "DIB": "BMP"}
FORMAT_NAMES = {
    "JPEG": "JPEG",
    "PNG": "PNG",
    "WEBP": "WebP",
    "GIF": "GIF",
    "BMP": "BMP",
    "TIFF": "TIFF",
    "AVIF": "AVIF",
}

EXIF_DATE_TIME_ORIGINAL = 0x9003
EXIF_DATE_TIME_DIGITIZED = 0x9004
EXIF_DATE_TIME = 0x0132
EXIF_IFD = 0x8769


@dataclass(frozen=True)
class LoadedImage:
    """A decoded photo, upright (EXIF orientation applied), in RGB."""

    path: Path
    image: Image = field(repr=False, compare=False)
    format: str
    width: int
    height: int
    taken_at: datetime | None
    sha256: str


def open_image(path: Path, *, max_pixels: int = DEFAULT_MAX_PIXELS) -> LoadedImage:
    """Validate and fully decode the image at ``path``; every problem becomes a one-sentence ``MediaError``."""
    from PIL import Image as PILImage
    from PIL import ImageOps, UnidentifiedImageError

    path = Path(path)
    name = path.name
    data = _read_bytes(path)
    _reject_heic_and_video(data, path)
    too_large = f"{name} is too large to open safely (over {max_pixels / 1e6:g} megapixels)."
    try:
        with warnings.catch_warnings():
            # Pillow only warns between 89 and 179 megapixels; here a bomb is always an error. (The warnings
            # filters are process-wide, but this only ever turns that one warning into an error.)
            warnings.simplefilter("error", PILImage.DecompressionBombWarning)
            image = PILImage.open(io.BytesIO(data))
    except (PILImage.DecompressionBombError, PILImage.DecompressionBombWarning) as error:
        raise MediaError(too_large) from error
    except UnidentifiedImageError as error:
        raise MediaError(_not_an_image_message(data, path)) from error
    except (OSError, SyntaxError, ValueError, EOFError) as error:
        raise MediaError(f"{name} is damaged and cannot be read as an image.") from error

    real_format = _check_format(image.format, path)
    width, height = image.size
    if width * height > max_pixels:
        raise MediaError(
            f"{name} is too large ({width}×{height}, {width * height / 1e6:.0f} megapixels; "
            f"the limit is {max_pixels / 1e6:g})."
        )
    try:
        image.seek(0)  # animated images: the first frame
        image.load()  # decode everything now: truncated data fails here, not later
        taken_at = _taken_at(image)
        rgb = _to_rgb(ImageOps.exif_transpose(image))
    except (PILImage.DecompressionBombError, PILImage.DecompressionBombWarning) as error:
        raise MediaError(too_large) from error
    except (OSError, SyntaxError, ValueError, EOFError, IndexError) as error:
        if isinstance(error, EOFError) or "truncated" in str(error).lower():
            raise MediaError(f"{name} is truncated (the file ends too early; was it fully copied?).") from error
        raise MediaError(f"{name} is damaged and cannot be decoded.") from error
    return LoadedImage(
        path=path,
        image=rgb,
        format=real_format,
        width=rgb.width,
        height=rgb.height,
        taken_at=taken_at,
        sha256=hashlib.sha256(data).hexdigest(),
    )


def _check_format(pillow_format: str | None, path: Path) -> str:
    """The supported format name of the content; an error when unsupported or when the extension lies."""
    real_format = FORMAT_ALIASES.get(pillow_format or "", pillow_format or "unknown")
    if real_format not in SUPPORTED_FORMATS:
        supported = ", ".join(FORMAT_NAMES.values())
        raise MediaError(f"{path.name} is a {real_format} image, which mnemo cannot read (it reads {supported}).")
    claimed_format = _format_from_extension(path)
    if claimed_format and claimed_format != real_format:
        fixed = path.with_suffix(SUPPORTED_FORMATS[real_format][0]).name
        raise MediaError(f"{path.name} is really a {FORMAT_NAMES[real_format]} image; rename it to {fixed}.")
    return real_format


def _read_bytes(path: Path) -> bytes:
    if not path.exists():
        raise MediaError(f"{path} does not exist.")
    if not path.is_file():
        kind = "a folder" if path.is_dir() else "a special file"
        raise MediaError(f"{path} is {kind}, not an image file.")
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise MediaError(f"{path.name} is too large ({size / 1e6:.0f} MB) to be a photo mnemo can read.")
        data = path.read_bytes()
    except OSError as error:
        raise MediaError(f"{path.name} cannot be read: {error.strerror or error}.") from error
    if not data:
        raise MediaError(f"{path.name} is empty.")
    return data


def _format_from_extension(path: Path) -> str | None:
    suffix = path.suffix.lower()
    return next((fmt for fmt, suffixes in SUPPORTED_FORMATS.items() if suffix in suffixes), None)


def _reject_heic_and_video(data: bytes, path: Path) -> None:
    """HEIC photos (and MP4/MOV videos) share the ISO box layout with AVIF: tell them apart before Pillow."""
    heic = f"{path.name} is a HEIC photo, which mnemo cannot read; export it as JPEG first."
    if data[4:8] == b"ftyp":
        box_size = int.from_bytes(data[:4], "big")
        brands = {data[offset : offset + 4] for offset in range(8, min(box_size, 64), 4)}
        if brands & {b"avif", b"avis"}:
            return
        if brands & {b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"mif1", b"msf1"}:
            raise MediaError(heic)
        raise MediaError(f"{path.name} is not an image (it looks like a video or audio file).")
    if path.suffix.lower() in HEIC_EXTENSIONS:
        raise MediaError(heic)


def _not_an_image_message(data: bytes, path: Path) -> str:
    """What to tell the user about a file Pillow does not recognise: what it is, when that is easy to see."""
    name = path.name
    signatures = {
        b"%PDF": "a PDF document",
        b"ID3": "an MP3 audio file",
        b"\xff\xfb": "an MP3 audio file",
        b"OggS": "an Ogg audio file",
        b"fLaC": "a FLAC audio file",
        b"PK\x03\x04": "a zip archive",
    }
    kind = next((kind for signature, kind in signatures.items() if data.startswith(signature)), None)
    if data.startswith(b"RIFF") and data[8:12] == b"WAVE":
        kind = "a WAV audio file"
    head = data[:1024]
    if kind is None and b"<svg" in head.lower():
        return f"{name} is an SVG drawing, which mnemo cannot read; export it as PNG first."
    if kind is None and _looks_like_text(head):
        kind = "a text file"
    if kind:
        return f"{name} is not an image (it is {kind})."
    claimed_format = _format_from_extension(path)
    if claimed_format:
        return f"{name} is not a valid {FORMAT_NAMES[claimed_format]} image (it is damaged or not an image at all)."
    return f"{name} is not an image that mnemo can read."


def _looks_like_text(head: bytes) -> bool:
    # An incremental decoder tolerates a multi-byte character cut at the end of the sample.
    try:
        decoded = codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
    except UnicodeDecodeError:
        return False
    return all(character.isprintable() or character in "\r\n\t" for character in decoded)


def _taken_at(image: Image) -> datetime | None:
    """When the photo was taken, from EXIF (camera local time, naive); None when absent or garbage."""
    try:
        exif = image.getexif()
        details = exif.get_ifd(EXIF_IFD)
    except Exception:  # EXIF parsing in the wild fails in every way imaginable; a date is optional
        return None
    for value in (
        details.get(EXIF_DATE_TIME_ORIGINAL),
        details.get(EXIF_DATE_TIME_DIGITIZED),
        exif.get(EXIF_DATE_TIME),
    ):
        parsed = _parse_exif_date(value)
        if parsed is not None:
            return parsed
    return None


def _parse_exif_date(value: object) -> datetime | None:
    """``"2024:05:03 14:02:11"`` (EXIF's own layout; some tools write dashes) to a datetime, else None."""
    if isinstance(value, bytes):
        value = value.decode("ascii", errors="ignore")
    if not isinstance(value, str):
        return None
    text = value.strip("\x00 \t\r\n")
    normalised = text[:10].replace("-", ":") + text[10:19]
    try:
        parsed = datetime.strptime(normalised, "%Y:%m:%d %H:%M:%S")
    except ValueError:
        return None
    return parsed if 1900 <= parsed.year <= 2100 else None


def _to_rgb(image: Image) -> Image:
    """RGB, with transparent areas on white (as a viewer shows them), so screenshots of text stay readable."""
    from PIL import Image as PILImage

    if image.mode == "RGB":
        return image
    has_alpha = image.mode in ("RGBA", "LA", "PA", "RGBa", "La") or "transparency" in image.info
    if has_alpha:
        rgba = image.convert("RGBA")
        background = PILImage.new("RGBA", rgba.size, (255, 255, 255, 255))
        return PILImage.alpha_composite(background, rgba).convert("RGB")
    if image.mode.startswith("I;16") or image.mode == "I":
        # 16-bit greyscale: Pillow's conversion clips at 255 (nearly all white); scale to 8 bits instead
        return image.convert("I").point(lambda value: value / 256).convert("RGB")
    return image.convert("RGB")
