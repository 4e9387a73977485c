"""Files a reporter sends with a report: checked by content, stripped of metadata, sealed.

A photo's EXIF block can say where it was taken (GPS), on which phone, and when; a PDF's
document information and XMP name its author and the software; an Office file's core and
app properties name whoever created and last saved it. Any of these can identify an
anonymous reporter, so nothing is kept as sent:

* the type is decided by the bytes, never the name or the browser's claim: a small table
  of signatures (`detect_type`) covering exactly the formats we can clean (JPEG, PNG, PDF,
  and DOCX/XLSX/PPTX, which are ZIP packages told apart by the parts they hold). A general
  detector such as `filetype` would recognise dozens of types we could not clean and would
  still need the ZIP inspection for Office files, so it would add a dependency and no safety;
* images are decoded and their pixels alone re-encoded (Pillow), after turning the picture
  the way its EXIF orientation says, so nothing of the original file survives but pixels;
* PDFs are rebuilt page by page (pypdf) with no document information, no XMP, no file
  identifier, and no author, dates or XMP on pages and annotations;
* Office files are rewritten at ZIP level: core, app and custom properties replaced with
  empty ones, author and date attributes of comments and tracked changes blanked, and every
  ZIP entry's timestamp set to 1980-01-01;
* the original file name is never kept: attachments are called attachment-N.ext.

What was removed is reported back (`Cleaned.removed`, codes the surfaces word through the
message catalogue) so the reporter knows. The cleaned file is sealed under the report key
and, like every reporter write, waits in the spool for the next day's batch
(bot.reporting.vault); handlers read attachments only through `attachments_of` and
`open_attachment`, which check the handler and audit the access.
"""

from __future__ import annotations

import base64
import datetime as dt
import io
import json
import logging
import re
import zipfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.messages import say
from bot.reporting.context import ReportingContext
from bot.reporting.handling import Handler, _report, announce_due, check_handler
from bot.reporting.records import AccessRefused, ReporterView, ReportingError
from bot.reporting.reporter import open_report
from bot.reporting.threads import find_report
from bot.reporting.throttle import Sender
from bot.reporting.vault.spool import ATTACHMENT
from bot.store.audit import record_event
from bot.store.vault.models import ReportAttachment

#: The default largest file a reporter may send (PROBITY_REPORT_ATTACHMENT_MAX_BYTES).
DEFAULT_MAX_BYTES = 10 * 1024 * 1024
#: At most this many files on one report, so one reporter cannot fill the vault.
MAX_ATTACHMENTS = 10
#: An image may decode to no more pixels than this (a small file can decode to gigabytes).
MAX_PIXELS = 60_000_000
#: An Office file may unpack to no more than this many times the largest upload.
MAX_UNPACK_RATIO = 20
#: Pillow logs every EXIF tag it parses at DEBUG (the camera, the GPS position): never let
#: a reporter's file reach the log, whatever level the process runs at.
logging.getLogger("PIL").setLevel(logging.WARNING)
#: A fixed timestamp for every rewritten ZIP entry: the earliest a ZIP can hold.
_ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)


class AttachmentRefused(ReportingError):
    """A file we will not keep, or an attachment there is not; `code` names why, and the
    message is attachments.refused_<code> from the catalogue."""

    def __init__(self, code: str, **fields: object) -> None:
        super().__init__(code)
        self.code = code
        self.fields = fields

    def __str__(self) -> str:
        return say(f"attachments.refused_{self.code}", **self.fields)


@dataclass(frozen=True)
class FileType:
    media_type: str
    extension: str
    kind: str  # "image", "pdf" or "office"


JPEG = FileType("image/jpeg", "jpg", "image")
PNG = FileType("image/png", "png", "image")
PDF = FileType("application/pdf", "pdf", "pdf")
DOCX = FileType("application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                "docx", "office")
XLSX = FileType("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                "xlsx", "office")
PPTX = FileType("application/vnd.openxmlformats-officedocument.presentationml.presentation",
                "pptx", "office")

#: Leading bytes -> type. Office files share ZIP's signature; `_office_type` tells them apart.
_SIGNATURES: tuple[tuple[bytes, FileType | None], ...] = (
    (b"\xff\xd8\xff", JPEG),
    (b"\x89PNG\r\n\x1a\n", PNG),
    (b"%PDF-", PDF),
    (b"PK\x03\x04", None),
)
#: The part that marks each Office package.
_OFFICE_MAIN_PARTS = (("word/document.xml", DOCX), ("xl/workbook.xml", XLSX),
                      ("ppt/presentation.xml", PPTX))
#: Formats people often have that we cannot clean, so the refusal can say what to do.
_KNOWN_UNCLEANABLE = (b"\xd0\xcf\x11\xe0",  # old Word/Excel (OLE2)
                      b"GIF8", b"RIFF", b"II*\x00", b"MM\x00*")  # GIF, WebP, TIFF


def megabytes(size: int) -> str:
    """A size as a person reads it in a limit: "10" MB, or "0.4" below one."""
    return f"{size / 2**20:.0f}" if size >= 2**20 else f"{size / 2**20:.1f}"


def detect_type(data: bytes) -> FileType:
    """The file's type from its bytes, or AttachmentRefused("type")."""
    for signature, file_type in _SIGNATURES:
        if data.startswith(signature):
            return file_type or _office_type(data)
    if data[4:12] in (b"ftypheic", b"ftypheix", b"ftypmif1", b"ftyphevc"):
        raise AttachmentRefused("type_heic")
    if any(data.startswith(signature) for signature in _KNOWN_UNCLEANABLE):
        raise AttachmentRefused("type_convert")
    raise AttachmentRefused("type")


def _office_type(data: bytes) -> FileType:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            names = set(package.namelist())
    except (zipfile.BadZipFile, ValueError, OSError):
        raise AttachmentRefused("damaged") from None
    if "[Content_Types].xml" in names:
        for part, file_type in _OFFICE_MAIN_PARTS:
            if part in names:
                return file_type
    raise AttachmentRefused("type")


@dataclass(frozen=True)
class Cleaned:
    """A file as it will be kept: its bytes with metadata removed, and what was removed."""

    data: bytes
    file_type: FileType
    removed: tuple[str, ...]


def clean_upload(data: bytes, max_bytes: int = DEFAULT_MAX_BYTES) -> Cleaned:
    """Check `data` and strip its metadata; AttachmentRefused says why it cannot be kept."""
    if not data:
        raise AttachmentRefused("empty")
    if len(data) > max_bytes:
        raise AttachmentRefused("too_big", most=megabytes(max_bytes))
    file_type = detect_type(data)
    try:
        if file_type.kind == "image":
            return _clean_image(data, file_type)
        if file_type.kind == "pdf":
            return _clean_pdf(data)
        return _clean_office(data, file_type, max_bytes * MAX_UNPACK_RATIO)
    except AttachmentRefused:
        raise
    except Exception:  # noqa: BLE001 - any failure to parse means we cannot vouch for it
        raise AttachmentRefused("damaged") from None


# -- images ------------------------------------------------------------------------------

_GPS_IFD = 0x8825
_EXIF_IFD = 0x8769
_CAMERA_TAGS = (0x010F, 0x0110, 0xA431, 0xA434, 0xA435)  # make, model, serials, lens
_DATE_TAGS = (0x0132, 0x9003, 0x9004)  # date/time, original, digitised
_SOFTWARE_TAGS = (0x0131, 0x013B, 0x8298)  # software, artist, copyright


def _clean_image(data: bytes, file_type: FileType) -> Cleaned:
    from PIL import Image, ImageOps

    Image.MAX_IMAGE_PIXELS = MAX_PIXELS
    with Image.open(io.BytesIO(data)) as image:
        image.load()
        removed = _image_metadata(image)
        upright = ImageOps.exif_transpose(image) or image
        mode = upright.mode if upright.mode in ("L", "RGB", "RGBA") else (
            "RGBA" if "transparency" in upright.info or upright.mode in ("LA", "PA") else "RGB")
        converted = upright.convert(mode)
        # A new image from the decoded pixels alone: no info dict, EXIF, XMP or profile.
        pixels = Image.frombytes(converted.mode, converted.size, converted.tobytes())
    out = io.BytesIO()
    if file_type is JPEG:
        pixels.convert("RGB" if pixels.mode == "RGBA" else pixels.mode).save(
            out, "JPEG", quality=90, optimize=True)
    else:
        pixels.save(out, "PNG", optimize=True)
    return Cleaned(out.getvalue(), file_type, removed)


def _image_metadata(image: object) -> tuple[str, ...]:
    from PIL import Image

    assert isinstance(image, Image.Image)
    found: list[str] = []
    exif = image.getexif()
    inner = dict(exif.get_ifd(_EXIF_IFD)) if exif else {}
    if exif:
        if exif.get_ifd(_GPS_IFD) or _GPS_IFD in exif:
            found.append("location")
        if any(tag in exif or tag in inner for tag in _CAMERA_TAGS):
            found.append("camera")
        if any(tag in exif or tag in inner for tag in _DATE_TAGS):
            found.append("date_taken")
        if any(tag in exif for tag in _SOFTWARE_TAGS):
            found.append("software")
        if not found:
            found.append("exif")
    info = image.info
    if "xmp" in info or "XML:com.adobe.xmp" in info:
        found.append("xmp")
    if "icc_profile" in info:
        found.append("colour_profile")
    if "comment" in info or getattr(image, "text", None):
        found.append("comment")
    return tuple(found)


# -- PDF ---------------------------------------------------------------------------------

_PDF_INFO_CODES = {"/Author": "author", "/Creator": "software", "/Producer": "software",
                   "/Title": "title", "/Subject": "title", "/Keywords": "title",
                   "/CreationDate": "dates", "/ModDate": "dates"}
#: Keys on pages and annotations that carry who or when (annotation /T is its author).
_PDF_OBJECT_KEYS = ("/Metadata", "/PieceInfo", "/LastModified", "/T", "/M", "/CreationDate")


def _clean_pdf(data: bytes) -> Cleaned:
    from pypdf import PdfReader, PdfWriter

    reader = PdfReader(io.BytesIO(data))
    if reader.is_encrypted:
        raise AttachmentRefused("encrypted")
    found: list[str] = []
    info: Mapping[str, object] = reader.metadata or {}
    for key, code in _PDF_INFO_CODES.items():
        if info.get(key) and code not in found:
            found.append(code)
    if "/Metadata" in reader.trailer["/Root"].get_object():  # type: ignore[operator]
        found.append("xmp")
    writer = PdfWriter()
    for page in reader.pages:
        added = writer.add_page(page)
        if _strip_keys(added, _PDF_OBJECT_KEYS):
            _note(found, "xmp")
        for annotation in added.get("/Annots") or []:
            if _strip_keys(annotation.get_object(), _PDF_OBJECT_KEYS):
                _note(found, "comment_authors")
    writer.metadata = None  # pypdf would otherwise name itself as the producer
    out = io.BytesIO()
    writer.write(out)
    return Cleaned(out.getvalue(), PDF, tuple(found))


def _strip_keys(obj: object, keys: Iterable[str]) -> bool:
    removed = False
    for key in keys:
        if isinstance(obj, dict) and key in obj:
            del obj[key]
            removed = True
    return removed


def _note(found: list[str], code: str) -> None:
    if code not in found:
        found.append(code)


# -- Office (DOCX, XLSX, PPTX) -------------------------------------------------------------

_EMPTY_PARTS = {
    "docProps/core.xml": (
        "core_properties",
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        b'<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/'
        b'metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/"/>'),
    "docProps/app.xml": (
        "app_properties",
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        b'<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/'
        b'extended-properties"/>'),
    "docProps/custom.xml": (
        "custom_properties",
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        b'<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/'
        b'custom-properties"/>'),
}
#: Attributes that name or date a person's edits or comments, in any OOXML part.
_PERSON_ATTRIBUTE = re.compile(
    rb'(\s(?:[A-Za-z0-9]+:)?(?:author|initials|userId|providerId|date|dateTime|'
    rb'displayName))="[^"]+"')
#: Spreadsheet comments list their authors as elements.
_AUTHOR_ELEMENT = re.compile(rb"<author>[^<]+</author>")


def _clean_office(data: bytes, file_type: FileType, max_unpacked: int) -> Cleaned:
    found: list[str] = []
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        entries = package.infolist()
        if sum(entry.file_size for entry in entries) > max_unpacked or len(entries) > 5000:
            raise AttachmentRefused("damaged")
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as cleaned:
            for entry in entries:
                body = package.read(entry)
                if entry.filename in _EMPTY_PARTS:
                    code, empty = _EMPTY_PARTS[entry.filename]
                    if _has_values(body):
                        _note(found, code)
                    body = empty
                elif entry.filename.endswith((".xml", ".rels")):
                    body, names = _PERSON_ATTRIBUTE.subn(rb'\1=""', body)
                    body, elements = _AUTHOR_ELEMENT.subn(b"<author></author>", body)
                    if names or elements:
                        _note(found, "comment_authors")
                info = zipfile.ZipInfo(entry.filename, date_time=_ZIP_EPOCH)
                info.compress_type = zipfile.ZIP_DEFLATED
                cleaned.writestr(info, body)
    return Cleaned(out.getvalue(), file_type, tuple(found))


def _has_values(xml: bytes) -> bool:
    """Whether a properties part holds any text at all (between its tags)."""
    return bool(re.search(rb">\s*[^<\s][^<]*<", xml))


# -- storing (the reporter's side) --------------------------------------------------------


@dataclass(frozen=True)
class AttachmentInfo:
    """What a reader is told about one attachment."""

    n: int
    name: str
    media_type: str
    size: int
    removed: tuple[str, ...]
    added_on: dt.date


@dataclass(frozen=True)
class AttachmentFile:
    info: AttachmentInfo
    data: bytes


def removed_list(removed: Iterable[str]) -> str:
    """What was removed from a file, as a sentence's list ("none found" when nothing)."""
    names = [say(f"attachments.removed_{code}") for code in removed]
    return ", ".join(names) if names else say("attachments.nothing_removed")


def attachment_purpose(reference: str, n: int) -> str:
    return f"{reference}/attachment/{n}"


def attachment_meta_purpose(reference: str, n: int) -> str:
    return f"{reference}/attachment/{n}/meta"


def add_attachment(
    session: Session, context: ReportingContext, reference: str, receipt: str,
    cleaned: Cleaned, *, sender: Sender | None = None,
) -> AttachmentInfo | AccessRefused:
    """Attach a cleaned file to the report the receipt opens; it waits for the batch like
    the reporter's messages (the date only, never the time)."""
    view = open_report(session, context, reference, receipt, sender=sender)
    if isinstance(view, AccessRefused):
        return view
    if view.closed:
        raise AttachmentRefused("closed")
    existing = reporter_attachments(session, context, view)
    if len(existing) >= MAX_ATTACHMENTS:
        raise AttachmentRefused("too_many", count=MAX_ATTACHMENTS)
    n = 1 + max((info.n for info in existing), default=0)
    today = context.today()
    info = AttachmentInfo(n, f"attachment-{n}.{cleaned.file_type.extension}",
                          cleaned.file_type.media_type, len(cleaned.data), cleaned.removed,
                          today)
    context.spool.put(ATTACHMENT, today, view.reference, {
        "n": n,
        "sealed_meta": _text(context.sealer.seal(_meta_text(info),
                                                 attachment_meta_purpose(view.reference, n))),
        "sealed_body": _text(context.sealer.seal(
            _text(cleaned.data), attachment_purpose(view.reference, n))),
    })
    return info


def reporter_attachments(session: Session, context: ReportingContext,
                         view: ReporterView) -> list[AttachmentInfo]:
    """The attachments of a report its reporter has opened (the view proves the receipt):
    those the batch has brought and those still waiting in the spool."""
    found = {info.n: info for info in _stored(session, context, view.reference)}
    for entry in context.spool.for_reference(view.reference):
        if entry.kind == ATTACHMENT:
            n = int(entry.body["n"])
            found[n] = _info(context.sealer.open(
                _bytes(entry.body["sealed_meta"]), attachment_meta_purpose(view.reference, n)))
    return [found[n] for n in sorted(found)]


# -- reading (the integrity unit's side) ---------------------------------------------------


def attachments_of(session: Session, context: ReportingContext, handler: Handler,
                   reference: str) -> list[AttachmentInfo]:
    """A report's attachments, for a handler; audited like reading the report."""
    check_handler(context, handler)
    announce_due(session, context)
    report = _report(session, reference)
    found = _stored(session, context, report.reference)
    record_event(session, handler.actor, "report.attachments_listed", report.reference,
                 {"count": len(found)})
    return found


def open_attachment(session: Session, context: ReportingContext, handler: Handler,
                    reference: str, n: int) -> AttachmentFile:
    """Attachment `n` of a report, opened for a handler (audited); ReportingError if none."""
    check_handler(context, handler)
    announce_due(session, context)
    report = _report(session, reference)
    row = session.scalars(select(ReportAttachment).where(
        ReportAttachment.report_id == report.id, ReportAttachment.n == n)).first()
    if row is None or not row.sealed_body:
        raise AttachmentRefused("no_such_attachment")
    info = _info(context.sealer.open(row.sealed_meta,
                                     attachment_meta_purpose(report.reference, n)))
    # The sealer seals text: a file is sealed as its base64 form.
    data = _bytes(context.sealer.open(row.sealed_body, attachment_purpose(report.reference, n)))
    record_event(session, handler.actor, "report.attachment_opened", report.reference,
                 {"n": n, "media_type": info.media_type})
    return AttachmentFile(info, data)


def _stored(session: Session, context: ReportingContext, reference: str
            ) -> list[AttachmentInfo]:
    report = find_report(session, reference)
    if report is None:
        return []
    return [_info(context.sealer.open(row.sealed_meta,
                                      attachment_meta_purpose(reference, row.n)))
            for row in report.attachments if row.sealed_meta]


def _meta_text(info: AttachmentInfo) -> str:
    return json.dumps({"n": info.n, "name": info.name, "media_type": info.media_type,
                       "size": info.size, "removed": list(info.removed),
                       "added_on": info.added_on.isoformat()}, sort_keys=True)


def _info(text: str) -> AttachmentInfo:
    raw = json.loads(text)
    return AttachmentInfo(int(raw["n"]), str(raw["name"]), str(raw["media_type"]),
                          int(raw["size"]), tuple(raw["removed"]),
                          dt.date.fromisoformat(raw["added_on"]))


def _text(sealed: bytes) -> str:
    return base64.b64encode(sealed).decode("ascii")


def _bytes(text: object) -> bytes:
    return base64.b64decode(str(text))
