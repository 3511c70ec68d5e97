"""
Previews of a source's file in the staff workspace: the first page of a PDF or the image,
made on the server, re-encoded without metadata, for staff who may fetch the file only.
"""

import io

import pypdfium2
import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from PIL import Image

from cases import files
from tests.factories import log_in, make_alert, make_case, make_citation, make_source, make_staff

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def private_files(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "private"


def pdf_bytes(colour="red", size=(300, 400), title="Statement of witness Y"):
    """A one-page PDF filled with `colour`, with a title in its metadata."""
    output = io.BytesIO()
    Image.new("RGB", size, colour).save(output, format="PDF", title=title, author="Y")
    return output.getvalue()


def png_bytes(colour="blue", size=(600, 300)):
    output = io.BytesIO()
    Image.new("RGB", size, colour).save(output, format="PNG")
    return output.getvalue()


def source_with(content, file_type, extension, **fields):
    return make_source(
        file=ContentFile(content, name=f"x{extension}"),
        file_type=file_type,
        file_size=len(content),
        **fields,
    )


def _preview(client, source):
    return client.get(reverse("admin:cases_source_preview", args=[source.pk]))


def test_the_preview_of_a_pdf_is_its_first_page_with_no_metadata(client):
    source = source_with(pdf_bytes("red"), "application/pdf", ".pdf")
    log_in(client, make_staff("case-officer"))
    response = _preview(client, source)
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert {"private", "no-store"} <= set(response["Cache-Control"].replace(" ", "").split(","))
    assert response["X-Content-Type-Options"] == "nosniff"
    image = Image.open(io.BytesIO(response.content))
    assert max(image.size) == files.PREVIEW_SIZE and image.size[0] < image.size[1]
    red, green, blue = image.convert("RGB").getpixel((image.width // 2, image.height // 2))
    assert red > 200 and green < 60 and blue < 60
    # Nothing but pixels: no text chunk, no EXIF, none of the PDF's title or author.
    assert not image.info.get("exif") and not getattr(image, "text", {})
    assert b"witness" not in response.content and b"Statement" not in response.content


def test_the_preview_of_an_image_is_a_small_copy(client):
    source = source_with(png_bytes("blue"), "image/png", ".png")
    log_in(client, make_staff("case-officer"))
    image = Image.open(io.BytesIO(_preview(client, source).content))
    assert image.size == (files.PREVIEW_SIZE, files.PREVIEW_SIZE // 2)
    assert image.convert("RGB").getpixel((5, 5)) == (0, 0, 255)


@pytest.mark.parametrize(
    "content",
    [
        b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n",
        b"%PDF-1.7\n" + b"\x00garbage" * 100,
    ],
    ids=["no page", "damaged"],
)
def test_a_pdf_that_cannot_be_rendered_gets_a_plain_frame(client, content):
    source = source_with(content, "application/pdf", ".pdf")
    assert files.preview_png(source) is None
    log_in(client, make_staff("case-officer"))
    response = _preview(client, source)
    assert response.status_code == 200
    assert response.content == files.placeholder_png()


def test_a_blank_page_renders_and_a_truncated_pdf_does_not():
    document = pypdfium2.PdfDocument.new()
    document.new_page(200, 200)
    output = io.BytesIO()
    document.save(output)
    plain = output.getvalue()
    assert files._first_page(plain) is not None
    assert files._first_page(b"%PDF-1.4 truncated") is None


def test_a_text_file_or_a_missing_file_has_no_preview(client):
    text = source_with(b"Just words.", "text/plain", ".txt")
    missing = source_with(pdf_bytes(), "application/pdf", ".pdf")
    missing.file.storage.delete(missing.file.name)
    log_in(client, make_staff("case-officer"))
    assert _preview(client, text).status_code == 404
    assert files.preview_png(missing) is None
    assert _preview(client, missing).status_code == 200  # a frame, not an error
    assert _preview(client, make_source()).status_code == 404


def test_previews_are_for_staff_who_may_fetch_the_file_only(client):
    private = source_with(pdf_bytes(), "application/pdf", ".pdf", is_public=False)
    public = source_with(
        pdf_bytes(), "application/pdf", ".pdf", is_public=True, file_is_public=True
    )
    assert client.get(reverse("admin:cases_source_preview", args=[public.pk])).status_code == 302
    log_in(client, make_staff("contributor"))
    assert _preview(client, private).status_code == 404
    assert _preview(client, public).status_code == 200
    log_in(client, make_staff("case-officer"))
    assert _preview(client, private).status_code == 200
    # Not a public address: the public site has no preview at all.
    assert "preview" not in reverse("cases:source_file", args=[public.pk])


def test_the_source_list_the_source_page_and_the_citation_rows_show_the_preview(client):
    source = source_with(pdf_bytes(), "application/pdf", ".pdf", title="Le Soir article")
    alert = make_alert(make_case())
    make_citation(source=source, alert=alert, quoted_passage="Quoted")
    log_in(client, make_staff("case-officer"))
    preview = reverse("admin:cases_source_preview", args=[source.pk])
    for url in (
        reverse("admin:cases_source_changelist"),
        reverse("admin:cases_source_change", args=[source.pk]),
        reverse("admin:cases_alert_change", args=[alert.pk]),
    ):
        page = client.get(url).content.decode()
        assert f'src="{preview}"' in page, url
        assert 'alt="Preview of the file of' in page


def test_a_contributor_sees_no_preview_of_a_private_file(client):
    source = source_with(pdf_bytes(), "application/pdf", ".pdf", is_public=True)
    log_in(client, make_staff("contributor"))
    page = client.get(reverse("admin:cases_source_changelist")).content.decode()
    assert reverse("admin:cases_source_preview", args=[source.pk]) not in page
