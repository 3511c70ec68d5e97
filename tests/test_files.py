"""Source documents: upload checks in the admin, and who may download which file."""

import io
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from cases.models import Source
from tests.factories import log_in, make_alert, make_case, make_citation, make_source, make_staff

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 56


@pytest.fixture(autouse=True)
def private_files(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "private"
    return settings.MEDIA_ROOT


def png_bytes(size=(8, 8), colour="red"):
    output = io.BytesIO()
    Image.new("RGB", size, colour).save(output, format="PNG")
    return output.getvalue()


def jpeg_with_gps(size=(40, 20), orientation=6):
    """A photo as a phone takes it: camera, GPS position and a rotation in its EXIF."""
    image = Image.new("RGB", size, "blue")
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x0110] = "Phone 12"  # Model
    exif[0x0112] = orientation  # Orientation: 6 = turn 90° clockwise to view
    exif[0x8825] = {1: "N", 2: (50.0, 50.0, 12.5), 3: "E", 4: (4.0, 21.0, 3.2)}  # GPS
    output = io.BytesIO()
    image.save(output, format="JPEG", exif=exif, comment=b"taken at the safe house")
    return output.getvalue()


def upload(name, content, content_type="application/octet-stream"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def add_source(client, file, **fields):
    data = {
        "kind": Source.Kind.TESTIMONY,
        "title": "Witness statement",
        "language": "en",
        "date_precision": "day",
        "file": file,
        **fields,
    }
    return client.post(reverse("admin:cases_source_add"), data)


@pytest.fixture
def officer_client(client):
    return log_in(client, make_staff("case-officer"))


def stored_source(content, content_type, cited=True, **fields):
    """
    A source with a file saved as an upload through the admin would have saved it, cited by a
    published alert of a published case (`cited`) as a public file must be.
    """
    extension = {"application/pdf": ".pdf", "text/plain": ".txt", "image/png": ".png"}
    file = ContentFile(content, name=f"x{extension[content_type]}")
    source = make_source(file=file, file_type=content_type, file_size=len(content), **fields)
    if cited:
        make_citation(source=source, alert=make_alert(make_case()))
    return source


# --- Uploads ---------------------------------------------------------------------------------


def test_it_stores_a_pdf_under_a_random_name_with_its_checked_type(officer_client, private_files):
    response = add_source(officer_client, upload("Statement of Aliya K.pdf", PDF))
    assert response.status_code == 302
    source = Source.objects.get()
    assert source.file_type == "application/pdf"
    assert source.file_size == len(PDF)
    assert source.file_name == "Statement of Aliya K.pdf"
    assert "Aliya" not in source.file.name
    assert source.file.name.startswith("sources/") and source.file.name.endswith(".pdf")
    assert (private_files / source.file.name).read_bytes() == PDF


@pytest.mark.parametrize(
    "name, content, declared",
    [
        ("report.pdf", b"<!DOCTYPE html><html><script>alert(1)</script></html>", "application/pdf"),
        ("report.pdf", ELF, "application/pdf"),
        ("report.pdf", png_bytes(), "application/pdf"),
        ("photo.png", PDF, "image/png"),
        ("notes.txt", ELF, "text/plain"),
        ("program.exe", b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 120, "application/pdf"),
        ("page.html", b"<html><body>hello</body></html>", "text/html"),
        ("archive.zip", b"PK\x03\x04" + b"\x00" * 60, "application/zip"),
    ],
)
def test_it_refuses_a_disguised_file_with_a_form_error(officer_client, name, content, declared):
    response = add_source(officer_client, upload(name, content, declared))
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors["file"]
    assert any("not accepted" in error or "says otherwise" in error for error in errors)
    assert not Source.objects.exists()


def test_it_refuses_an_image_that_is_damaged(officer_client):
    truncated = png_bytes((64, 64))[:60]
    response = add_source(officer_client, upload("photo.png", truncated, "image/png"))
    assert response.status_code == 200
    assert "damaged" in response.context["adminform"].form.errors["file"][0]
    assert not Source.objects.exists()


def test_it_refuses_a_file_over_the_size_limit(officer_client, settings):
    settings.SOURCE_FILE_MAX_BYTES = 1024
    response = add_source(officer_client, upload("big.txt", b"a" * 1025, "text/plain"))
    assert response.status_code == 200
    assert "at most 1.0\xa0KB" in response.context["adminform"].form.errors["file"][0]
    assert not Source.objects.exists()
    response = add_source(officer_client, upload("small.txt", b"a" * 1024, "text/plain"))
    assert response.status_code == 302


def test_it_removes_exif_and_gps_from_a_photo_and_keeps_it_upright(officer_client):
    photo = jpeg_with_gps()
    with Image.open(io.BytesIO(photo)) as original:
        assert original.getexif().get_ifd(0x8825)  # the test photo does carry a position
    response = add_source(officer_client, upload("IMG_2041.JPG", photo, "image/jpeg"))
    assert response.status_code == 302
    source = Source.objects.get()
    assert source.file_type == "image/jpeg"
    stored = source.file.read()
    source.file.close()
    assert b"PhoneMaker" not in stored and b"safe house" not in stored
    with Image.open(io.BytesIO(stored)) as image:
        assert len(image.getexif()) == 0
        assert "exif" not in image.info and "comment" not in image.info
        assert image.size == (20, 40)  # the rotation was applied to the pixels


def test_it_removes_text_chunks_from_a_png(officer_client):
    from PIL.PngImagePlugin import PngInfo

    info = PngInfo()
    info.add_text("Author", "Witness 7")
    output = io.BytesIO()
    Image.new("RGBA", (4, 4), (0, 0, 0, 0)).save(output, format="PNG", pnginfo=info)
    response = add_source(officer_client, upload("scan.png", output.getvalue(), "image/png"))
    assert response.status_code == 302
    stored = Source.objects.get().file.read()
    assert b"Witness 7" not in stored
    with Image.open(io.BytesIO(stored)) as image:
        assert image.mode == "RGBA" and image.size == (4, 4)


def test_it_clears_the_file_and_its_type(officer_client):
    add_source(officer_client, upload("a.txt", b"testimony", "text/plain"))
    source = Source.objects.get()
    response = officer_client.post(
        reverse("admin:cases_source_change", args=[source.pk]),
        {
            "kind": source.kind,
            "title": source.title,
            "language": "en",
            "date_precision": "day",
            "file-clear": "on",
            "edit_version": str(source.version),
        },
    )
    assert response.status_code == 302
    source.refresh_from_db()
    assert not source.file and source.file_type == "" and source.file_name == ""


def test_the_admin_page_links_to_the_file_through_the_staff_view(officer_client):
    add_source(officer_client, upload("Aliya.txt", b"testimony", "text/plain"))
    source = Source.objects.get()
    page = officer_client.get(reverse("admin:cases_source_change", args=[source.pk]))
    html = page.content.decode()
    assert f'href="{reverse("admin:cases_source_file", args=[source.pk])}"' in html
    assert "Aliya.txt" in html
    assert source.file.name not in html


# --- Serving ---------------------------------------------------------------------------------


def test_a_public_file_of_a_published_source_is_served_with_its_checked_type(client):
    source = stored_source(PDF, "application/pdf", title="UN Opinion 7/2018", file_is_public=True)
    response = client.get(reverse("cases:source_file", args=[source.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'inline; filename="un-opinion-72018.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "public, no-cache"


def test_a_public_text_file_is_downloaded_never_shown(client):
    source = stored_source(b"<script>x</script>", "text/plain", file_is_public=True)
    response = client.get(reverse("cases:source_file", args=[source.pk]))
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response["Content-Disposition"].startswith("attachment;")


def test_a_file_of_unknown_type_is_an_octet_stream_download(client):
    source = stored_source(PDF, "application/pdf", file_is_public=True)
    Source.objects.filter(pk=source.pk).update(file_type="application/octet-stream")
    response = client.get(reverse("cases:source_file", args=[source.pk]))
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith("attachment;")


@pytest.mark.parametrize(
    "fields",
    [
        {"is_public": True, "file_is_public": False},  # a public source, private file
        {"is_public": False, "file_is_public": False},  # a staff-only source
    ],
)
def test_a_private_file_is_404_to_the_public_and_to_staff_on_the_public_address(client, fields):
    source = stored_source(PDF, "application/pdf", **fields)
    url = reverse("cases:source_file", args=[source.pk])
    assert client.get(url).status_code == 404
    log_in(client, make_staff("publisher"))
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("where", ["draft case", "draft alert", "nowhere"])
def test_a_public_file_cited_only_by_unpublished_records_is_404(client, where):
    """Its title-made file name would announce a case staff have not published."""
    source = stored_source(
        PDF, "application/pdf", cited=False, title="Announces a draft case", file_is_public=True
    )
    if where == "draft case":
        make_citation(source=source, alert=make_alert(make_case(published=False)))
    elif where == "draft alert":
        make_citation(source=source, alert=make_alert(make_case(), published=False))
    assert client.get(reverse("cases:source_file", args=[source.pk])).status_code == 404
    make_citation(source=source, alert=make_alert(make_case()))
    assert client.get(reverse("cases:source_file", args=[source.pk])).status_code == 200


def test_unknown_ids_and_paths_are_404(client):
    assert client.get("/sources/999999/file").status_code == 404
    assert client.get("/sources/../../etc/passwd/file").status_code == 404
    assert client.get("/sources/%2e%2e%2fsettings.py/file").status_code == 404
    assert client.get("/sources/-1/file").status_code == 404
    assert client.get(f"/sources/{2**63}/file").status_code == 404
    assert client.get(f"/sources/{2**70}/file").status_code == 404


def test_a_stored_path_outside_the_files_directory_is_404(client):
    source = stored_source(PDF, "application/pdf", file_is_public=True)
    Source.objects.filter(pk=source.pk).update(file="../../../../etc/passwd")
    assert client.get(reverse("cases:source_file", args=[source.pk])).status_code == 404


def test_a_file_missing_from_disk_is_404(client):
    source = stored_source(PDF, "application/pdf", file_is_public=True)
    Path(source.file.path).unlink()
    assert client.get(reverse("cases:source_file", args=[source.pk])).status_code == 404


def test_a_source_without_file_is_404(client):
    source = make_source(file_is_public=True)
    assert client.get(reverse("cases:source_file", args=[source.pk])).status_code == 404


def test_the_public_file_address_only_answers_get_and_head(client):
    source = stored_source(PDF, "application/pdf", file_is_public=True)
    assert client.post(reverse("cases:source_file", args=[source.pk])).status_code == 405


def test_staff_who_may_view_sources_get_any_file_not_to_be_kept(client):
    source = stored_source(b"testimony", "text/plain", is_public=False, file_name="Aliya.txt")
    log_in(client, make_staff("case-officer"))
    response = client.get(reverse("admin:cases_source_file", args=[source.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"testimony"
    cache_control = {part.strip() for part in response["Cache-Control"].split(",")}
    assert {"private", "no-store"} <= cache_control
    assert "public" not in cache_control
    assert response["Content-Disposition"] == 'attachment; filename="Aliya.txt"'


def test_staff_without_the_view_permission_get_404_for_a_file(client):
    from django.contrib.auth.models import User

    source = stored_source(PDF, "application/pdf", is_public=False)
    clerk = User.objects.create_user("clerk", password="a long test password", is_staff=True)
    log_in(client, clerk)
    assert client.get(reverse("admin:cases_source_file", args=[source.pk])).status_code == 404


def test_anonymous_visitors_never_get_a_file_from_the_admin(client):
    source = stored_source(PDF, "application/pdf", is_public=True, file_is_public=True)
    response = client.get(reverse("admin:cases_source_file", args=[source.pk]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_the_public_source_list_links_only_to_public_files(client):
    from tests.factories import make_alert, make_case, make_citation

    case = make_case()
    shared = stored_source(PDF, "application/pdf", title="Shared", file_is_public=True)
    kept = stored_source(PDF, "application/pdf", title="Kept", file_is_public=False)
    for source in (shared, kept):
        make_citation(source, alert=make_alert(case))
    page = client.get(reverse("cases:source_list")).content.decode()
    assert reverse("cases:source_file", args=[shared.pk]) in page
    assert reverse("cases:source_file", args=[kept.pk]) not in page
    page = client.get(case.get_absolute_url()).content.decode()
    assert reverse("cases:source_file", args=[shared.pk]) in page
    assert reverse("cases:source_file", args=[kept.pk]) not in page


def test_staff_without_view_confidential_get_404_for_a_private_file_only(client):
    private = stored_source(b"testimony", "text/plain", is_public=False)
    shared = stored_source(PDF, "application/pdf", is_public=True, file_is_public=True)
    log_in(client, make_staff("contributor"))
    assert client.get(reverse("admin:cases_source_file", args=[private.pk])).status_code == 404
    assert client.get(reverse("admin:cases_source_file", args=[shared.pk])).status_code == 200


def test_a_file_type_outside_the_known_types_cannot_be_stored():
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        stored_source(PDF, "application/pdf", file_is_public=True).__class__.objects.update(
            file_type="text/html"
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        make_source(file_type="application/pdf")  # a type without a file
