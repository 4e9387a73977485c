"""Limits checked before a policy file is parsed: size, zip members, compression ratio, pages.

A policies folder is content an organisation drops files into, so a file is untrusted input:
a 1.5 MB .docx (a zip) that expands to 1.5 GB took the parser to 3.2 GB of memory and 30 s
at every start. Each check reads only what it must (a stat, a zip's central directory, a
PDF's page tree) and says in plain words why a file is refused.
"""

from __future__ import annotations

import hashlib
import zipfile
from dataclasses import dataclass
from pathlib import Path

from bot.messages import say

_MB = 1024 * 1024


@dataclass(frozen=True)
class FileLimits:
    """The most Probity will parse from one policy file.

    Generous for real policies (the largest public force policy PDFs are a few MB and a few
    hundred pages) and far below what would exhaust a small server.
    """

    max_file_bytes: int = 50 * _MB
    #: Uncompressed size of any one member and of all members of a zip (.docx).
    max_member_bytes: int = 100 * _MB
    max_unpacked_bytes: int = 200 * _MB
    max_members: int = 2000
    #: Uncompressed / compressed size of a member; text XML compresses about 10:1, bombs
    #: 1000:1. Members under SMALL_MEMBER_BYTES are exempt (tiny files compress oddly).
    max_ratio: float = 100.0
    small_member_bytes: int = 1 * _MB
    max_pages: int = 2000
    #: Extracted text kept from one file: past this, the rest is not read.
    max_text_chars: int = 20_000_000


DEFAULT_LIMITS = FileLimits()


def refusal(path: Path, limits: FileLimits = DEFAULT_LIMITS) -> str | None:
    """Why `path` must not be parsed, in plain words, or None if it is within the limits."""
    size = path.stat().st_size
    if size > limits.max_file_bytes:
        return say("knowledge.file_too_large", size=_megabytes(size),
                   limit=_megabytes(limits.max_file_bytes))
    suffix = path.suffix.lower()
    if suffix == ".docx":
        return zip_refusal(path, limits)
    if suffix == ".pdf":
        return pdf_refusal(path, limits)
    return None


def zip_refusal(path: Path, limits: FileLimits = DEFAULT_LIMITS) -> str | None:
    """Check a zip's central directory (declared sizes) without unpacking anything.

    A member whose declared size lies cannot expand past it: zipfile stops reading at the
    declared size and fails the CRC check, so checking the declarations is enough.
    """
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError) as error:
        return say("knowledge.file_not_zip", error=str(error))
    if len(members) > limits.max_members:
        return say("knowledge.zip_too_many_members", count=len(members),
                   limit=limits.max_members)
    total = 0
    for member in members:
        total += member.file_size
        if member.file_size > limits.max_member_bytes:
            return say("knowledge.zip_member_too_large", member=member.filename,
                       size=_megabytes(member.file_size),
                       limit=_megabytes(limits.max_member_bytes))
        if (member.file_size > limits.small_member_bytes
                and member.file_size > limits.max_ratio * max(member.compress_size, 1)):
            return say("knowledge.zip_ratio", member=member.filename,
                       ratio=round(member.file_size / max(member.compress_size, 1)),
                       limit=round(limits.max_ratio))
    if total > limits.max_unpacked_bytes:
        return say("knowledge.zip_too_large", size=_megabytes(total),
                   limit=_megabytes(limits.max_unpacked_bytes))
    return None


def pdf_refusal(path: Path, limits: FileLimits = DEFAULT_LIMITS) -> str | None:
    """Count a PDF's pages from its page tree (no page is rendered or extracted)."""
    from pypdf import PdfReader

    try:
        pages = len(PdfReader(str(path)).pages)
    except Exception:  # a damaged PDF is reported by the loader with its own reason
        return None
    if pages > limits.max_pages:
        return say("knowledge.pdf_too_many_pages", pages=pages, limit=limits.max_pages)
    return None


def _megabytes(size: int) -> str:
    return f"{size / _MB:.1f} MB"


def file_digest(path: Path, limits: FileLimits = DEFAULT_LIMITS) -> str:
    """SHA-256 of a file's bytes; a file over the size limit (never parsed) is named by its
    size and modification time instead, so a 2 GB file is not read at every start."""
    stat = path.stat()
    if stat.st_size > limits.max_file_bytes:
        return f"oversize:{stat.st_size}:{stat.st_mtime_ns}"
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
