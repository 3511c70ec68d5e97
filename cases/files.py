"""
Source documents: what staff may upload, and how a stored file is served.

An upload is accepted by what its content is, never by its name or the type the browser
declared: the content must be one of a few allow-listed types, and the name must end as that
type does, so a page or a program renamed ".pdf" is refused. Images are re-encoded so that
nothing but the picture is kept: EXIF (camera, date, GPS position), XMP and text chunks can
identify a witness. Files are stored under random names outside the static and media URLs and
reach a browser only through `file_response`, from the public site's file view (public/views.py)
and the staff workspace's (cases/admin/sources.py).
"""

import io
import threading
import warnings
from dataclasses import dataclass
from pathlib import PurePath

import filetype
from django.conf import settings
from django.core.exceptions import SuspiciousFileOperation, ValidationError
from django.core.files.base import ContentFile
from django.http import FileResponse, Http404
from django.template.defaultfilters import filesizeformat
from django.utils.text import slugify
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from .models import Source


@dataclass(frozen=True)
class AllowedType:
    label: str  # may be a lazy translation
    extensions: tuple[str, ...]
    # Shown in the browser (PDF viewer, image); anything else is downloaded.
    inline: bool
    # The Pillow format an image is re-encoded in.
    image_format: str | None = None


# The stored type of a file (a choice of Source.file_type), and how each is handled.
FileType = Source.FileType

ALLOWED_TYPES = {
    FileType.PDF: AllowedType(FileType.PDF.label, (".pdf",), inline=True),
    FileType.JPEG: AllowedType(
        FileType.JPEG.label, (".jpg", ".jpeg"), inline=True, image_format="JPEG"
    ),
    FileType.PNG: AllowedType(FileType.PNG.label, (".png",), inline=True, image_format="PNG"),
    FileType.WEBP: AllowedType(FileType.WEBP.label, (".webp",), inline=True, image_format="WEBP"),
    FileType.TEXT: AllowedType(FileType.TEXT.label, (".txt",), inline=False),
}

# Control characters other than tab, line feed, form feed and carriage return.
_BINARY_CHARACTERS = {chr(c) for c in range(32) if c not in (9, 10, 12, 13)} | {"\x7f"}


@dataclass(frozen=True)
class CheckedFile:
    """An upload that passed the checks: the bytes to store and what they are."""

    content: bytes
    content_type: str
    original_name: str

    @property
    def extension(self):
        return ALLOWED_TYPES[self.content_type].extensions[0]

    def as_django_file(self):
        # The stored name is made random by Source.file's upload_to; only the extension stays.
        return ContentFile(self.content, name=f"upload{self.extension}")


def allowed_types_text():
    return ", ".join(str(kind.label) for kind in ALLOWED_TYPES.values())


def detect_type(content):
    """The allow-listed type of these bytes by their content, or None."""
    kind = filetype.guess(content[:8192])
    if kind is not None:
        return FileType(kind.mime) if kind.mime in ALLOWED_TYPES else None
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError:
        return None
    if _BINARY_CHARACTERS.intersection(text):
        return None
    return FileType.TEXT


def check_upload(upload):
    """
    Read an uploaded file and return a CheckedFile, or raise ValidationError saying what is
    wrong with it. Images come back re-encoded without metadata.
    """
    limit = settings.SOURCE_FILE_MAX_BYTES
    if upload.size is not None and upload.size > limit:
        raise ValidationError(
            _("The file is %(size)s; files may be at most %(limit)s."),
            code="too_large",
            params={"size": filesizeformat(upload.size), "limit": filesizeformat(limit)},
        )
    upload.seek(0)
    content = upload.read(limit + 1)
    if len(content) > limit:
        raise ValidationError(
            _("The file is larger than %(limit)s."),
            code="too_large",
            params={"limit": filesizeformat(limit)},
        )
    if not content:
        raise ValidationError(_("The file is empty."), code="empty")
    content_type = detect_type(content)
    if content_type is None:
        raise ValidationError(
            _("This kind of file is not accepted. Accepted: %(types)s."),
            code="type_not_allowed",
            params={"types": allowed_types_text()},
        )
    kind = ALLOWED_TYPES[content_type]
    name = PurePath(upload.name or "").name
    if PurePath(name).suffix.lower() not in kind.extensions:
        raise ValidationError(
            _(
                "The file's content is %(type)s, but its name “%(name)s” says otherwise. "
                "Rename it to end in %(extension)s if it really is %(type)s."
            ),
            code="type_mismatch",
            params={"type": kind.label, "name": name, "extension": kind.extensions[0]},
        )
    if kind.image_format:
        content = strip_image(content, kind.image_format)
    return CheckedFile(content=content, content_type=content_type, original_name=name[:255])


def strip_image(content, image_format):
    """
    Re-encode an image with its orientation applied and nothing else: no EXIF, XMP, comments
    or text chunks. Refuses a file Pillow cannot read as that format, and decompression bombs.
    """
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(content), formats=[image_format]) as image:
                image.verify()
            with Image.open(io.BytesIO(content), formats=[image_format]) as image:
                image.load()
                upright = ImageOps.exif_transpose(image)
    except (Image.DecompressionBombWarning, Image.DecompressionBombError):
        raise ValidationError(_("The image has too many pixels."), code="image_too_large") from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise ValidationError(_("The image is damaged or incomplete."), code="bad_image") from None
    # A fresh image carries the pixels only: Pillow copies no metadata into it.
    clean = Image.new(upright.mode, upright.size)
    clean.paste(upright)
    if upright.mode == "P":
        clean.putpalette(upright.getpalette())
    options = {"JPEG": {"quality": 90}, "WEBP": {"quality": 90}, "PNG": {"optimize": True}}
    options = options[image_format]
    if "transparency" in upright.info and image_format == "PNG":
        options["transparency"] = upright.info["transparency"]
    output = io.BytesIO()
    clean.save(output, format=image_format, **options)
    return output.getvalue()


# --- Serving ---------------------------------------------------------------------------------


def download_name(source, *, for_staff):
    """Staff see the name it was uploaded with; the public a name made from the title."""
    if for_staff and source.file_name:
        return source.file_name
    kind = ALLOWED_TYPES.get(source.file_type)
    extension = kind.extensions[0] if kind else PurePath(source.file.name).suffix
    return f"{slugify(source.title)[:80] or 'source'}{extension}"


def file_response(source, *, public):
    """
    The stored file with the type it was checked to be, never one guessed from its name; shown
    inline only when it is a PDF or an image, downloaded otherwise. 404 when it is missing.
    """
    if not source.file:
        raise Http404
    try:
        handle = source.file.open("rb")
    except (FileNotFoundError, IsADirectoryError, SuspiciousFileOperation):
        raise Http404 from None
    kind = ALLOWED_TYPES.get(source.file_type)
    content_type = source.file_type if kind else "application/octet-stream"
    if content_type.startswith("text/"):
        content_type += "; charset=utf-8"
    response = FileResponse(
        handle,
        content_type=content_type,
        as_attachment=not (kind and kind.inline),
        filename=download_name(source, for_staff=not public),
    )
    response["X-Content-Type-Options"] = "nosniff"
    # A public file may be kept by caches but must be checked again, so that unpublishing it
    # takes effect; anything else must not be kept anywhere.
    response["Cache-Control"] = "public, no-cache" if public else "private, no-store"
    return response


# --- Previews --------------------------------------------------------------------------------
#
# A small picture of an attached file for the staff workspace: the first page of a PDF or the
# image itself, made on the server and re-encoded as a new PNG that carries the pixels only
# (no EXIF, XMP, text chunk, nor anything of the PDF's metadata). PDFs are rendered with
# PDFium (pypdfium2: the renderer of Chromium, shipped inside the wheel, no external program or
# service). Previews are served to staff only, never cached (see SourceAdmin.preview_view).

PREVIEW_SIZE = 240  # pixels, the longer side
_PREVIEWABLE = {FileType.PDF, FileType.JPEG, FileType.PNG, FileType.WEBP}


def has_preview(source):
    """Whether the stored file is of a kind a preview can be made of."""
    return bool(source.file) and source.file_type in _PREVIEWABLE


def preview_png(source):
    """
    The preview of `source`'s file as PNG bytes, or None when there is none to make: no file,
    a text file, a file missing from disk, or one that cannot be rendered (damaged, encrypted,
    too many pixels).
    """
    if not has_preview(source):
        return None
    try:
        with source.file.open("rb") as handle:
            content = handle.read(settings.SOURCE_FILE_MAX_BYTES + 1)
    except (FileNotFoundError, IsADirectoryError, SuspiciousFileOperation):
        return None
    if len(content) > settings.SOURCE_FILE_MAX_BYTES:
        return None
    try:
        if source.file_type == FileType.PDF:
            picture = _first_page(content)
        else:
            picture = _image(content, ALLOWED_TYPES[source.file_type].image_format)
    except (Image.DecompressionBombWarning, Image.DecompressionBombError):
        return None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        return None
    if picture is None:
        return None
    return _encode_preview(picture)


# PDFium is not thread-safe: one rendering at a time in a process (gunicorn with threads).
_PDFIUM = threading.Lock()


def _first_page(content):
    with _PDFIUM:
        return _render_first_page(content)


def _render_first_page(content):
    import pypdfium2

    try:
        document = pypdfium2.PdfDocument(content)
    except pypdfium2.PdfiumError:
        return None  # damaged, encrypted, or not a PDF after all
    try:
        if len(document) == 0:
            return None
        page = document[0]
        width, height = page.get_size()
        if width <= 0 or height <= 0:
            return None
        # Rendered straight at the preview's size: a huge page costs no more than a small one.
        scale = PREVIEW_SIZE / max(width, height)
        bitmap = page.render(scale=scale, fill_color=(255, 255, 255, 255))
        return bitmap.to_pil().convert("RGB")
    except pypdfium2.PdfiumError:
        return None
    finally:
        document.close()


def _image(content, image_format):
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        with Image.open(io.BytesIO(content), formats=[image_format]) as image:
            image.load()
            upright = ImageOps.exif_transpose(image)
            return upright.convert("RGBA" if "A" in upright.getbands() else "RGB")


def _encode_preview(picture):
    picture.thumbnail((PREVIEW_SIZE, PREVIEW_SIZE))
    # A fresh image carries the pixels only: Pillow copies no metadata into it.
    clean = Image.new(picture.mode, picture.size)
    clean.paste(picture)
    output = io.BytesIO()
    clean.save(output, format="PNG", optimize=True)
    return output.getvalue()


def placeholder_png():
    """What stands in for a preview that cannot be made: a plain grey frame."""
    image = Image.new("RGB", (PREVIEW_SIZE * 3 // 4, PREVIEW_SIZE), (238, 238, 238))
    for x in range(image.width):
        image.putpixel((x, 0), (160, 160, 160))
        image.putpixel((x, image.height - 1), (160, 160, 160))
    for y in range(image.height):
        image.putpixel((0, y), (160, 160, 160))
        image.putpixel((image.width - 1, y), (160, 160, 160))
    output = io.BytesIO()
    image.save(output, format="PNG")
    return output.getvalue()
