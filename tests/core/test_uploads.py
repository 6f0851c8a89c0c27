"""Uploads are checked by what they are, not by their names; a huge body is refused before it is
read; files are served back by what they are; image metadata is dropped where it is not evidence."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, RequestFactory

from worksafe.core.services import ServiceError, clean_attachment, detect_type, validate_attachment


def _png(exif_gps=False) -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (40, 30), "red").save(buf, "PNG")
    return buf.getvalue()


def _jpeg_with_gps() -> bytes:
    from PIL import Image

    img = Image.new("RGB", (40, 30), "blue")
    exif = Image.Exif()
    exif[0x010F] = "ACME Camera"  # Make
    exif[0x8825] = {1: "N", 2: (34.0, 28.0, 0.0), 3: "E", 4: (100.0, 14.0, 0.0)}  # GPS IFD
    buf = io.BytesIO()
    img.save(buf, "JPEG", exif=exif)
    return buf.getvalue()


def _docx() -> bytes:
    import docx

    d = docx.Document()
    d.add_paragraph("整改报告")
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def _xlsx() -> bytes:
    from openpyxl import Workbook

    buf = io.BytesIO()
    Workbook().save(buf)
    return buf.getvalue()


@pytest.mark.parametrize("name,content,mime", [
    ("报告.pdf", b"%PDF-1.7\n1 0 obj", "application/pdf"),
    ("照片.png", _png(), "image/png"),
    ("照片.jpg", _jpeg_with_gps(), "image/jpeg"),
    ("报告.docx", _docx(), "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    ("台账.xlsx", _xlsx(), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ("说明.txt", "整改完成情况说明".encode("gb18030"), "text/plain"),
])
def test_real_files_pass_with_the_type_of_their_content(name, content, mime):
    f = SimpleUploadedFile(name, content, content_type="application/octet-stream")
    assert validate_attachment(f) == mime and f.content_type == mime


@pytest.mark.parametrize("name,content", [
    ("整改证明.pdf", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff"),  # a Windows program
    ("现场照片.jpg", b"<!DOCTYPE html><html><script>alert(1)</script></html>"),
    ("现场照片.png", b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 40),
    ("说明.txt", b"<html><body onload=alert(1)>"),
    ("说明.txt", b"\x00\x01\x02binary"),
    ("台账.xlsx", b"PK\x03\x04 not really a workbook"),
    ("报告.pdf", _png()),  # a real image, but not what its name says
])
def test_a_file_that_is_not_what_its_name_says_is_refused(name, content):
    f = SimpleUploadedFile(name, content, content_type="application/pdf")
    with pytest.raises(ServiceError, match="内容与扩展名"):
        validate_attachment(f)


def test_each_field_has_its_own_allow_list():
    with pytest.raises(ServiceError, match="不支持的文件类型"):
        validate_attachment(SimpleUploadedFile("报告.docx", _docx()), allowed=[".jpg", ".png", ".pdf"])


def test_image_metadata_is_dropped_unless_it_is_evidence():
    from PIL import Image

    kept = clean_attachment(SimpleUploadedFile("p.jpg", _jpeg_with_gps()), keep_metadata=True)
    assert Image.open(kept).getexif().get(0x8825)
    clean = clean_attachment(SimpleUploadedFile("p.jpg", _jpeg_with_gps()))
    exif = Image.open(clean).getexif()
    assert not exif.get(0x8825) and not exif.get(0x010F)
    assert detect_type(clean) == "image/jpeg"


def test_a_progress_attachment_loses_its_gps_and_a_fake_one_is_refused(world):
    from PIL import Image

    from worksafe.plans import services
    from worksafe.plans.models import Task

    t = Task.objects.get(text__contains="QTASK01")
    report = services.file_progress(t, world.users["dept"], status="in_progress", percent=10, text="x",
                                    attachments=[SimpleUploadedFile("现场.jpg", _jpeg_with_gps())])
    stored = report.attachments.get()
    assert stored.content_type == "image/jpeg"
    assert not Image.open(stored.file.open("rb")).getexif().get(0x8825)
    with pytest.raises(ServiceError, match="内容与扩展名"):
        services.file_progress(t, world.users["dept"], status="in_progress", percent=20, text="x",
                               attachments=[SimpleUploadedFile("证明.pdf", b"MZ\x90\x00")])


def test_a_huge_body_is_refused_before_it_is_read(world, client_for, settings):
    c = client_for(world.users["dept"])

    class Unreadable(io.BytesIO):
        def read(self, *args):  # pragma: no cover - reading it is the failure
            raise AssertionError("the body was read")

    factory = RequestFactory()
    req = factory.post("/plans/", data=b"", content_type="multipart/form-data; boundary=x")
    req.META["CONTENT_LENGTH"] = str(200 * 1024 * 1024)
    req.META["wsgi.input"] = Unreadable()
    from worksafe.core.security import RequestSizeMiddleware

    resp = RequestSizeMiddleware(lambda r: r.POST and None)(req)
    assert resp.status_code == 413 and "已拒绝" in resp.content.decode()
    api = c.generic("POST", "/api/hazards/", b"{}", content_type="application/json",
                    CONTENT_LENGTH=str(settings.WORKSAFE_REQUEST_MAX_BYTES + 1))
    assert api.status_code == 413 and "已拒绝" in api.json()["detail"]


def test_a_streamed_body_is_cut_off_once_it_passes_the_limit(settings):
    from django.core.files.uploadhandler import StopUpload

    from worksafe.core.security import SizeLimitUploadHandler

    settings.WORKSAFE_REQUEST_MAX_BYTES = 1000
    h = SizeLimitUploadHandler()
    assert h.receive_data_chunk(b"x" * 600, 0) == b"x" * 600
    with pytest.raises(StopUpload):
        h.receive_data_chunk(b"x" * 600, 600)


def test_files_are_served_by_what_they_are(world, client_for):
    from worksafe.plans import services
    from worksafe.plans.models import Task

    t = Task.objects.get(text__contains="QTASK01")
    report = services.file_progress(t, world.users["dept"], status="in_progress", percent=10, text="x",
                                    attachments=[SimpleUploadedFile("a.png", _png()),
                                                 SimpleUploadedFile("b.pdf", b"%PDF-1.4")])
    c = client_for(world.users["dept"])
    png, pdf = report.attachments.order_by("name")
    r = c.get(f"/plans/attachments/{png.pk}/")
    assert r["Content-Type"] == "image/png" and "attachment" not in r.get("Content-Disposition", "")
    r = c.get(f"/plans/attachments/{pdf.pk}/")
    assert r["Content-Type"] == "application/octet-stream" and "attachment" in r["Content-Disposition"]
    assert r["X-Content-Type-Options"] == "nosniff"
    assert Client().get(f"/plans/attachments/{pdf.pk}/").status_code == 302  # anonymous: login first


def test_a_hazard_photo_keeps_where_and_when_it_was_taken(world):
    from PIL import Image

    from worksafe.hazards.loop import services as hazards

    h = hazards.report_hazard(world.users["dept"], world.enterprises[0], location="罐区", description="静电接地断开",
                              source="department_inspection", files=[SimpleUploadedFile("现场.jpg", _jpeg_with_gps())])
    stored = h.files.get()
    assert Image.open(stored.file.open("rb")).getexif().get(0x8825)  # the GPS of the photo is evidence
    with pytest.raises(ServiceError, match="不支持的文件类型"):
        hazards.report_hazard(world.users["dept"], world.enterprises[0], location="罐区", description="x",
                              source="department_inspection", files=[SimpleUploadedFile("台账.xlsx", _xlsx())])
