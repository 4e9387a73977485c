"""Attachments in the core: types told by content, metadata stripped from each format, sealed
into the spool and the vault, read by handlers only (core calls and `probity cases`), kept
across a key rotation and removed by retention."""

from __future__ import annotations

import datetime as dt
import io
import random
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import select
from test_report_support import HANDLER_KEY, FakeClock, reporting_context, sample_content

from bot.cli import main
from bot.config import Settings
from bot.reporting import authorise_handler, change_status, submit_anonymous_report
from bot.reporting.attachments import (
    DOCX,
    JPEG,
    PDF,
    PNG,
    XLSX,
    AttachmentInfo,
    AttachmentRefused,
    add_attachment,
    attachments_of,
    clean_upload,
    detect_type,
    open_attachment,
)
from bot.reporting.retention import purge_closed
from bot.reporting.vault.batch import apply_reporter_batch
from bot.store import Store
from bot.store.vault.models import ReportAttachment
from bot.turns import Speaker
from tests.intake_support import CAMERA_MODEL, PDF_AUTHOR, authored_pdf, gps_jpeg

OFFICE_AUTHOR = "Sam Marker-Editor"


def office_file(main_part: str) -> bytes:
    """A minimal Office package with an author in its core properties and a comment."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as package:
        package.writestr("[Content_Types].xml", "<Types/>")
        package.writestr(main_part, "<document>Payments ledger</document>")
        package.writestr("docProps/core.xml", (
            '<cp:coreProperties xmlns:cp="x" xmlns:dc="y"><dc:creator>'
            f"{OFFICE_AUTHOR}</dc:creator><cp:lastModifiedBy>{OFFICE_AUTHOR}"
            "</cp:lastModifiedBy></cp:coreProperties>"))
        package.writestr("docProps/app.xml", "<Properties><Company>Eastgate Towing"
                                             "</Company></Properties>")
        package.writestr("word/comments.xml", f'<w:comments><w:comment w:author="'
                                              f'{OFFICE_AUTHOR}" w:date="2026-11-27T23:41:00Z"'
                                              ' w:initials="SM"/></w:comments>')
    return out.getvalue()


def png_with_text() -> bytes:
    from PIL import Image, PngImagePlugin

    notes = PngImagePlugin.PngInfo()
    notes.add_text("Author", CAMERA_MODEL)
    out = io.BytesIO()
    Image.new("RGBA", (10, 10), (0, 0, 255, 128)).save(out, "PNG", pnginfo=notes)
    return out.getvalue()


def pdf_with_xmp_and_a_comment() -> bytes:
    """A PDF whose XMP packet and whose comment (annotation) both name someone."""
    from pypdf import PdfWriter
    from pypdf.generic import (
        ArrayObject,
        DictionaryObject,
        NameObject,
        NumberObject,
        StreamObject,
        TextStringObject,
    )

    writer = PdfWriter()
    page = writer.add_blank_page(100, 100)
    packet = StreamObject()
    packet.set_data(f"<x:xmpmeta><dc:creator>{OFFICE_AUTHOR}</dc:creator></x:xmpmeta>".encode())
    writer._root_object[NameObject("/Metadata")] = writer._add_object(packet)
    note = DictionaryObject({
        NameObject("/Type"): NameObject("/Annot"), NameObject("/Subtype"): NameObject("/Text"),
        NameObject("/T"): TextStringObject(OFFICE_AUTHOR),
        NameObject("/Contents"): TextStringObject("Paid twice"),
        NameObject("/Rect"): ArrayObject([NumberObject(0)] * 4)})
    page[NameObject("/Annots")] = ArrayObject([writer._add_object(note)])
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_types_are_told_by_content_not_name() -> None:
    assert detect_type(gps_jpeg()) is JPEG
    assert detect_type(png_with_text()) is PNG
    assert detect_type(authored_pdf()) is PDF
    assert detect_type(office_file("word/document.xml")) is DOCX
    assert detect_type(office_file("xl/workbook.xml")) is XLSX
    for data, code in ((b"MZ\x90\x00", "type"), (b"\x00\x00\x00\x18ftypheic....", "type_heic"),
                       (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "type_convert"),
                       (b"PK\x03\x04 not really a zip", "damaged")):
        with pytest.raises(AttachmentRefused) as refused:
            clean_upload(data)
        assert refused.value.code == code
    plain_zip = io.BytesIO()
    with zipfile.ZipFile(plain_zip, "w") as package:
        package.writestr("payload.exe", "MZ")
    with pytest.raises(AttachmentRefused):
        clean_upload(plain_zip.getvalue())
    with pytest.raises(AttachmentRefused) as big:
        clean_upload(gps_jpeg(), max_bytes=100)
    assert big.value.code == "too_big" and "MB" in str(big.value)
    with pytest.raises(AttachmentRefused) as broken:
        clean_upload(gps_jpeg()[:200])  # a JPEG cut short
    assert broken.value.code == "damaged"


def test_each_format_loses_what_could_identify_its_author() -> None:
    from PIL import Image
    from pypdf import PdfReader

    photo = clean_upload(gps_jpeg())
    assert photo.removed == ("location", "camera", "date_taken")
    assert not Image.open(io.BytesIO(photo.data)).getexif()
    png = clean_upload(png_with_text())
    assert "comment" in png.removed and CAMERA_MODEL.encode() not in png.data
    assert Image.open(io.BytesIO(png.data)).mode == "RGBA"
    pdf = clean_upload(authored_pdf())
    assert {"author", "title"} <= set(pdf.removed)
    assert not PdfReader(io.BytesIO(pdf.data)).metadata
    assert PDF_AUTHOR.encode() not in pdf.data and len(PdfReader(io.BytesIO(pdf.data)).pages)
    marked = clean_upload(pdf_with_xmp_and_a_comment())
    assert {"xmp", "comment_authors"} <= set(marked.removed)
    assert OFFICE_AUTHOR.encode() not in marked.data and b"Paid twice" in marked.data
    docx = clean_upload(office_file("word/document.xml"))
    assert {"core_properties", "app_properties", "comment_authors"} <= set(docx.removed)
    assert OFFICE_AUTHOR.encode() not in docx.data and b"Eastgate Towing" not in docx.data
    with zipfile.ZipFile(io.BytesIO(docx.data)) as package:
        assert package.read("word/document.xml") == b"<document>Payments ledger</document>"
        assert {entry.date_time for entry in package.infolist()} == {(1980, 1, 1, 0, 0, 0)}


def _report(store: Store, settings: Settings, clock: FakeClock) -> tuple[str, str, object]:
    context = reporting_context(settings, clock)
    with store.transaction() as session:
        done = submit_anonymous_report(session, context, sample_content())
    return done.reference, done.receipt, context


def _handler(session, context):  # type: ignore[no-untyped-def]
    handler = authorise_handler(session, context, Speaker("console", HANDLER_KEY, "H"), "t")
    assert handler is not None
    return handler


def test_attachments_wait_for_the_batch_and_only_handlers_open_them(
        store: Store, settings: Settings, probity_env: dict[str, str]) -> None:
    clock = FakeClock(dt.datetime.now(dt.UTC) - dt.timedelta(days=1))
    reference, receipt, context = _report(store, settings, clock)
    with store.transaction() as session:
        added = add_attachment(session, context, reference, receipt,  # type: ignore[arg-type]
                               clean_upload(gps_jpeg()))
        refused = add_attachment(session, context, reference,  # type: ignore[arg-type]
                                 "0000 0000 0000 0000 0000", clean_upload(authored_pdf()))
    assert isinstance(added, AttachmentInfo) and added.name == "attachment-1.jpg"
    assert not isinstance(refused, AttachmentInfo)
    with store.session() as session:
        assert session.scalars(select(ReportAttachment)).all() == []  # still in the spool
    clock.now = dt.datetime.now(dt.UTC)
    apply_reporter_batch(store, context, random.Random(3), context.today())  # type: ignore[arg-type]
    with store.transaction() as session:
        handler = _handler(session, context)
        [info] = attachments_of(session, context, handler, reference)  # type: ignore[arg-type]
        opened = open_attachment(session, context, handler, reference, 1)  # type: ignore[arg-type]
        with pytest.raises(AttachmentRefused):
            open_attachment(session, context, handler, reference, 2)  # type: ignore[arg-type]
    assert info.removed[0] == "location" and opened.data == clean_upload(gps_jpeg()).data
    with store.session() as session:
        row = session.scalars(select(ReportAttachment)).one()
        assert CAMERA_MODEL.encode() not in row.sealed_body
        assert b"\xff\xd8\xff" not in row.sealed_body  # sealed, not a JPEG at rest

    # A key rotation re-seals attachments too; retention removes them with the report.
    assert main(["cases", "rotate-key"]) == 0
    rotated = reporting_context(settings, FakeClock(dt.datetime.now(dt.UTC)))
    with store.transaction() as session:
        handler = _handler(session, rotated)
        change_status(session, rotated, handler, reference, "closed", "Dealt with.")
    later = reporting_context(settings, FakeClock(
        dt.datetime.now(dt.UTC) + dt.timedelta(days=400)))
    with store.transaction() as session:
        assert len(attachments_of(session, later, _handler(session, later), reference)) == 1
        purge_closed(session, later, _handler(session, later), older_than_days=365)
    with store.session() as session:
        assert session.scalars(select(ReportAttachment)).all() == []


def test_cases_attachments_lists_and_saves_for_a_handler_only(
        store: Store, settings: Settings, probity_env: dict[str, str], tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("PROBITY_HANDLERS", HANDLER_KEY)
    clock = FakeClock(dt.datetime.now(dt.UTC) - dt.timedelta(days=1))
    reference, receipt, context = _report(store, settings, clock)
    with store.transaction() as session:
        add_attachment(session, context, reference, receipt,  # type: ignore[arg-type]
                       clean_upload(authored_pdf()))
    clock.now = dt.datetime.now(dt.UTC)
    apply_reporter_batch(store, context, random.Random(4), context.today())  # type: ignore[arg-type]

    assert main(["cases", "attachments", reference, "--as", HANDLER_KEY]) == 0
    listed = capsys.readouterr().out
    assert "attachment-1.pdf  application/pdf" in listed and "the author's name" in listed
    out = tmp_path / "saved.pdf"
    assert main(["cases", "attachment", reference, "1", "--out", str(out), "--as",
                 HANDLER_KEY]) == 0
    assert out.read_bytes().startswith(b"%PDF-") and PDF_AUTHOR.encode() not in out.read_bytes()
    assert out.stat().st_mode & 0o077 == 0
    assert main(["cases", "attachment", reference, "1", "--out", str(out), "--as",
                 HANDLER_KEY]) == 1
    assert "already exists" in capsys.readouterr().err
    assert main(["cases", "attachments", reference, "--as", "somebody.else"]) == 1
