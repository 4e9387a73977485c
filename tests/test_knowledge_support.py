"""Helpers for the knowledge tests: writing small PDF and Word policy documents on the fly."""

from __future__ import annotations

from pathlib import Path


def write_pdf(path: Path, lines: list[str], title: str | None = None,
              larger: frozenset[str] = frozenset(), bold: frozenset[str] = frozenset()) -> Path:
    """Write a one-page PDF showing `lines` of text, by hand: enough for pypdf to extract.

    Lines in `larger` are set in 16 pt instead of 11 (a heading exported from Word), lines
    in `bold` in Helvetica-Bold at the body's size."""

    def escape(text: str) -> str:
        return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")

    stream_lines = ["BT", "/F1 11 Tf", "14 TL", "50 780 Td"]
    for line in lines:
        if line in larger:
            stream_lines.append(f"/F1 16 Tf ({escape(line)}) Tj T* /F1 11 Tf")
        elif line in bold:
            stream_lines.append(f"/F2 11 Tf ({escape(line)}) Tj T* /F1 11 Tf")
        else:
            stream_lines.append(f"({escape(line)}) Tj T*")
    stream_lines.append("ET")
    stream = "\n".join(stream_lines).encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 4 0 R /F2 6 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold >>",
    ]
    if title:
        objects.append(b"<< /Title (" + escape(title).encode("latin-1") + b") >>")
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    trailer = b"<< /Size %d /Root 1 0 R" % (len(objects) + 1)
    if title:
        trailer += b" /Info %d 0 R" % len(objects)
    out += b"trailer\n" + trailer + b" >>\nstartxref\n%d\n%%%%EOF\n" % xref
    path.write_bytes(bytes(out))
    return path


def write_docx(path: Path, title: str, sections: dict[str, list[str]]) -> Path:
    """Write a Word document with a Title paragraph and a Heading 1 per section."""
    import docx

    document = docx.Document()
    document.core_properties.title = title
    document.core_properties.version = "2.0"
    document.add_paragraph(title, style="Title")
    for heading, paragraphs in sections.items():
        document.add_heading(heading, level=1)
        for paragraph in paragraphs:
            document.add_paragraph(paragraph)
    document.save(str(path))
    return path
