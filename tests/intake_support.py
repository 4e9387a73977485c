"""What the web report form's tests share: test files with metadata, the batch, a handler."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import json
import random
import shutil
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from bot.app import build_assistant
from bot.assistant import Assistant
from bot.config import PROJECT_ROOT, Settings
from bot.reporting import ReportingContext, authorise_handler, reply
from bot.reporting.attachments import (
    AttachmentFile,
    AttachmentInfo,
    attachments_of,
    open_attachment,
)
from bot.reporting.vault.batch import apply_reporter_batch
from bot.store import Store
from bot.store.models import Base, Person
from bot.store.vault.models import Report, VaultBase
from bot.surfaces.web.app import WebConfig, build_web_app
from bot.surfaces.web.intake.pacing import Pacing
from bot.surfaces.web.intake.part import intake_part
from bot.turns import Speaker

HANDLER = "owen.price"
WHAT_HAPPENED = "PC Grey takes cash from the Eastgate tow-truck firm for every recovery job."
WHERE = "Eastgate station yard, most Friday nights since October"
#: Where the test photo says it was taken (Eastgate, as degrees, minutes, seconds).
GPS_LATITUDE = (51.0, 30.0, 26.4)
CAMERA_MODEL = "Pixel 9 Marker-Camera"
PDF_AUTHOR = "Jordan Marker-Author"


class NoPolicies:
    """The web form asks no policy questions."""

    def answer(self, question: str) -> Any:
        raise AssertionError(f"no policy question expected here: {question!r}")


def intake_settings(settings: Settings, tmp_path: Path) -> Settings:
    folder = tmp_path / "workflows"
    folder.mkdir(exist_ok=True)
    shutil.copy(PROJECT_ROOT / "workflows" / "report.yaml", folder)
    return dataclasses.replace(settings, workflows_dir=folder, handlers=(HANDLER,),
                               report_notify_delay_max_minutes=0,
                               report_attachment_max_bytes=400_000)


def intake_assistant(settings: Settings, store: Store) -> Assistant:
    return build_assistant(settings, store, knowledge=NoPolicies())


def quick_pacing() -> Pacing:
    """A cheap challenge and a short no-script wait, so tests stay fast."""
    return Pacing(bits=8, no_script_seconds=0.05)


def web_app(settings: Settings, assistant: Assistant, pacing: Pacing | None = None) -> Any:
    part = intake_part(settings, assistant, pacing or quick_pacing())
    return build_web_app(WebConfig(parts=[part]))


def gps_jpeg() -> bytes:
    """A photo with the tags a phone writes: GPS position, camera model, time taken."""
    from PIL import Image

    image = Image.new("RGB", (64, 48), (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "Google"
    exif[0x0110] = CAMERA_MODEL
    exif[0x0132] = "2026:11:27 23:41:07"
    exif[0x8825] = {1: "N", 2: GPS_LATITUDE, 3: "W", 4: (0.0, 7.0, 30.0)}
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif.tobytes())
    return out.getvalue()


def authored_pdf() -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(200, 200)
    writer.add_metadata({"/Author": PDF_AUTHOR, "/Title": "Tow-truck payments"})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def tomorrow() -> dt.datetime:
    return dt.datetime.now(dt.UTC) + dt.timedelta(days=1)


def batch(store: Store, settings: Settings) -> None:
    """Run the next day's batch now: the reporter's writes reach the vault (and handlers)."""
    context = ReportingContext.from_settings(settings, clock=tomorrow)
    apply_reporter_batch(store, context, random.Random(7), context.today())


def handler_speaker() -> Speaker:
    return Speaker("console", HANDLER, "Owen Price")


def handler_reply(store: Store, settings: Settings, reference: str, text: str,
                  kind: str = "question") -> None:
    """The integrity unit answers through the core, as the console and CLI do."""
    context = ReportingContext.from_settings(settings)
    with store.transaction() as session:
        handler = authorise_handler(session, context, handler_speaker(), "reply")
        assert handler is not None
        reply(session, context, handler, reference, text, kind=kind)  # type: ignore[arg-type]


def handler_files(store: Store, settings: Settings, reference: str
                  ) -> list[tuple[AttachmentInfo, AttachmentFile]]:
    context = ReportingContext.from_settings(settings)
    with store.transaction() as session:
        handler = authorise_handler(session, context, handler_speaker(), "attachments")
        assert handler is not None
        listed = attachments_of(session, context, handler, reference)
        return [(info, open_attachment(session, context, handler, reference, info.n))
                for info in listed]


def every_row_as_text(session: Session) -> str:
    """Every value of every row of both databases, as one text to search."""
    parts = []
    for metadata, routed in ((Base.metadata, Person), (VaultBase.metadata, Report)):
        for table in metadata.sorted_tables:
            for row in session.execute(table.select(), bind_arguments={"mapper": routed}):
                for value in row:
                    if isinstance(value, bytes | bytearray | memoryview):
                        parts.append(bytes(value).decode("latin-1"))
                    elif isinstance(value, dict | list):
                        parts.append(json.dumps(value, default=str))
                    else:
                        parts.append(str(value))
    return "\n".join(parts)


def files_under(home: Path, settings: Settings) -> str:
    """Every file under PROBITY_HOME as text, the spool's sealed entries opened too."""
    context = ReportingContext.from_settings(settings)
    parts = [path.read_bytes().decode("latin-1") for path in home.rglob("*") if path.is_file()]
    parts += [json.dumps(entry.body) + str(entry.day) for entry in context.spool.entries()]
    return "\n".join(parts)
