"""Reading policy documents of every format a force keeps: Markdown, text, PDF, Word and HTML.

Each loader turns a file into a Document: a title, a version and a list of sections, each
with its heading path. A file that cannot be read raises UnreadableDocument; load_folder
reports it by name and carries on, because one bad PDF must not take the answers down.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from bot.yamlio import YAMLError, load_yaml

log = logging.getLogger(__name__)

#: The file types Probity reads from a policies folder, by suffix.
SUPPORTED_SUFFIXES = (".md", ".markdown", ".txt", ".pdf", ".docx", ".html", ".htm")


class UnreadableDocument(Exception):
    """A policy file Probity could not read; the message says why in plain words."""


@dataclass(frozen=True)
class Section:
    """A run of text under a heading path such as ("11. Commonly disputed jobs", "11.1 Taxi")."""

    headings: tuple[str, ...]
    text: str


@dataclass(frozen=True)
class Document:
    """A policy document: where it came from, what it is called, and its sections in order."""

    name: str  # the file name without its directory, as citations show it
    title: str
    version: str | None
    sections: tuple[Section, ...]
    metadata: dict[str, str] = field(default_factory=dict)


def load_folder(folder: Path) -> tuple[list[Document], list[str]]:
    """Every readable document in `folder` (sorted by name) and a problem line per bad file."""
    documents: list[Document] = []
    problems: list[str] = []
    for path in policy_files(folder):
        try:
            documents.append(load_document(path))
        except UnreadableDocument as error:
            log.warning("Skipped policy file %s: %s", path.name, error)
            problems.append(f"{path.name}: {error}")
    return documents, problems


def policy_files(folder: Path) -> list[Path]:
    """The files in `folder` (and below) that Probity can read, in a stable order."""
    if not folder.is_dir():
        return []
    return sorted(
        path for path in folder.rglob("*")
        if path.is_file() and path.suffix.lower() in SUPPORTED_SUFFIXES
        and not path.name.startswith((".", "~$"))
    )


def load_document(path: Path) -> Document:
    """Read one file with the loader for its suffix; raise UnreadableDocument if it cannot."""
    loader = _LOADERS.get(path.suffix.lower())
    if loader is None:
        raise UnreadableDocument(f"Probity does not read {path.suffix or 'extensionless'} files")
    try:
        document = loader(path)
    except UnreadableDocument:
        raise
    except Exception as error:  # each library fails in its own way on a damaged file
        raise UnreadableDocument(f"could not be read ({type(error).__name__}: {error})") from error
    if not any(section.text.strip() for section in document.sections):
        raise UnreadableDocument("no text could be found in it (a scanned image?)")
    return document


def _humanised_stem(path: Path) -> str:
    return re.sub(r"[-_]+", " ", path.stem).strip().capitalize() or path.name


# Markdown -------------------------------------------------------------------------------

_FRONT_MATTER = re.compile(r"\A---\s*\n(.*?)\n---\s*(?:\n|\Z)", re.DOTALL)
_MD_HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")


def load_markdown(path: Path) -> Document:
    """Markdown with optional YAML front matter (id, title, version, effective_date, ...)."""
    text = path.read_text(encoding="utf-8")
    metadata: dict[str, str] = {}
    match = _FRONT_MATTER.match(text)
    if match:
        try:
            front = load_yaml(match.group(1)) or {}
        except YAMLError as error:
            raise UnreadableDocument(f"its front matter is not valid YAML ({error})") from error
        if isinstance(front, dict):
            metadata = {str(key): str(value) for key, value in front.items() if value is not None}
        text = text[match.end():]
    lines = []
    for line in text.splitlines():
        heading = _MD_HEADING.match(line)
        lines.append((len(heading.group(1)), heading.group(2)) if heading else (0, line))
    title, sections = _sections_from_lines(lines, top_level_is_title=True)
    return Document(
        name=path.name,
        title=metadata.get("title") or title or _humanised_stem(path),
        version=metadata.get("version"),
        sections=tuple(sections),
        metadata=metadata,
    )


def _sections_from_lines(
    lines: Iterable[tuple[int, str]], top_level_is_title: bool
) -> tuple[str | None, list[Section]]:
    """Group (heading level or 0, text) lines into sections under their heading paths.

    With `top_level_is_title`, the first level-1 heading is the document's title rather than
    a section of it (Markdown's usual "# Title" then "## 1. Section").
    """
    title: str | None = None
    path: list[tuple[int, str]] = []
    sections: list[Section] = []
    body: list[str] = []

    def flush() -> None:
        joined = "\n".join(body).strip()
        if joined:
            sections.append(Section(tuple(text for _, text in path), joined))
        body.clear()

    for level, text in lines:
        if level == 0:
            body.append(text)
            continue
        if top_level_is_title and level == 1 and title is None and not path:
            flush()
            title = text.strip()
            continue
        flush()
        while path and path[-1][0] >= level:
            path.pop()
        path.append((level, text.strip()))
    flush()
    return title, sections


# Plain text and PDF ---------------------------------------------------------------------

_NUMBERED_HEADING = re.compile(r"^(?:section\s+)?\d+(?:\.\d+)*\.?\s+\S", re.IGNORECASE)
_METADATA_LINE = re.compile(
    r"^(version|effective date|review date|owner|id)\s*:\s*(.+)$", re.IGNORECASE
)


def load_text(path: Path) -> Document:
    """Plain text: headings are guessed from short numbered, capitalised or standalone lines."""
    return _document_from_plain_text(path, path.read_text(encoding="utf-8", errors="replace"))


def load_pdf(path: Path) -> Document:
    """A PDF's extracted text, read like plain text; encrypted or image-only PDFs are refused."""
    from pypdf import PdfReader

    reader = PdfReader(str(path))
    if reader.is_encrypted:
        try:
            reader.decrypt("")
        except Exception as error:
            raise UnreadableDocument("it is password-protected") from error
    pages = [page.extract_text() or "" for page in reader.pages]
    document = _document_from_plain_text(path, "\n\n".join(pages))
    info_title = (reader.metadata.title if reader.metadata else None) or None
    if info_title and document.title == _humanised_stem(path):
        document = Document(document.name, str(info_title), document.version,
                            document.sections, document.metadata)
    return document


def _heading_level(line: str, alone: bool) -> int:
    """1-3 if a line of plain text looks like a heading, else 0.

    Numbered lines ("4. Gifts you must never accept", "11.2 Bar work") nest by their
    number; short capitalised lines standing alone between blank lines are headings too.
    """
    stripped = line.strip()
    if not stripped or len(stripped) > 90 or len(stripped.split()) > 12:
        return 0
    if stripped[-1] in ".,;:!?" or stripped.startswith(("-", "*", "•")):
        return 0
    if _NUMBERED_HEADING.match(stripped):
        number = stripped.split()[0] if not stripped.lower().startswith("section") else "1"
        return min(2 + number.rstrip(".").count("."), 4)
    letters = [c for c in stripped if c.isalpha()]
    if letters and all(c.isupper() for c in letters) and len(letters) > 2:
        return 2
    if alone and stripped[0].isupper():
        return 2
    return 0


def _document_from_plain_text(path: Path, text: str) -> Document:
    raw_lines = [line.rstrip() for line in text.splitlines()]
    metadata: dict[str, str] = {}
    lines: list[tuple[int, str]] = []
    title: str | None = None
    paragraph_number = 0
    for index, line in enumerate(raw_lines):
        meta = _METADATA_LINE.match(line.strip())
        if meta and index < 15:
            metadata[meta.group(1).lower().replace(" ", "_")] = meta.group(2).strip()
            continue
        before_blank = index == 0 or not raw_lines[index - 1].strip()
        after_blank = index + 1 >= len(raw_lines) or not raw_lines[index + 1].strip()
        nothing_yet = not any(text.strip() for _, text in lines)
        # The first short line of a document is its title even when a PDF's extracted text
        # has no blank line after it.
        level = _heading_level(line, alone=(before_blank and after_blank) or (
            nothing_yet and title is None))
        if (level and title is None and nothing_yet
                and not _NUMBERED_HEADING.match(line.strip())):
            title = line.strip()
            continue
        lines.append((level, line))
    has_headings = any(level for level, _ in lines)
    if not has_headings:
        # No headings at all: each paragraph becomes a section named by its position, so a
        # citation still tells the reader where to look.
        numbered: list[tuple[int, str]] = []
        previous_blank = True
        for _, line in lines:
            if line.strip() and previous_blank:
                paragraph_number += 1
                numbered.append((2, f"Paragraph {paragraph_number}"))
            numbered.append((0, line))
            previous_blank = not line.strip()
        lines = numbered
    _, sections = _sections_from_lines(lines, top_level_is_title=False)
    return Document(
        name=path.name,
        title=metadata.get("title") or title or _humanised_stem(path),
        version=metadata.get("version"),
        sections=tuple(sections),
        metadata=metadata,
    )


# Word -----------------------------------------------------------------------------------

_STYLE_LEVEL = re.compile(r"^heading\s*(\d)$", re.IGNORECASE)


def load_docx(path: Path) -> Document:
    """A Word document: headings come from paragraph styles (Title, Heading 1, Heading 2...)."""
    import docx

    word = docx.Document(str(path))
    title = (word.core_properties.title or "").strip() or None
    version = (word.core_properties.version or "").strip() or None
    lines: list[tuple[int, str]] = []
    for paragraph in word.paragraphs:
        style = (paragraph.style.name if paragraph.style is not None else "") or ""
        text = paragraph.text.strip()
        if not text:
            lines.append((0, ""))
            continue
        if style.lower() == "title":
            title = title or text
            continue
        level = _STYLE_LEVEL.match(style)
        lines.append((int(level.group(1)) + 1, text) if level else (0, text))
        if not level and style.lower().startswith("list"):
            lines[-1] = (0, f"- {text}")
    for table in word.tables:
        for row in table.rows:
            lines.append((0, " | ".join(cell.text.strip() for cell in row.cells)))
    _, sections = _sections_from_lines(lines, top_level_is_title=False)
    return Document(path.name, title or _humanised_stem(path), version, tuple(sections))


# HTML -----------------------------------------------------------------------------------

_HTML_BLOCKS = ["h1", "h2", "h3", "h4", "h5", "h6", "p", "li", "td", "th", "pre", "blockquote",
                "dt", "dd"]


def load_html(path: Path) -> Document:
    """An HTML page: h1-h6 are headings, paragraphs and list items the text under them."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(path.read_bytes(), "html.parser")
    for hidden in soup(["script", "style", "nav", "header", "footer", "noscript"]):
        hidden.decompose()
    meta_version = soup.find("meta", attrs={"name": "version"})
    version = meta_version.get("content") if meta_version else None
    page_title = soup.title.get_text(" ", strip=True) if soup.title else None
    lines: list[tuple[int, str]] = []
    for element in soup.find_all(_HTML_BLOCKS):
        # Nested blocks (a <p> inside an <li>) would otherwise be read twice.
        if element.find_parent(_HTML_BLOCKS[6:]) is not None:
            continue
        text = element.get_text(" ", strip=True)
        if not text:
            continue
        if element.name[0] == "h" and element.name[1:].isdigit():
            lines.append((int(element.name[1]), text))
        else:
            lines.append((0, f"- {text}" if element.name == "li" else text))
            lines.append((0, ""))
    h1_title, sections = _sections_from_lines(lines, top_level_is_title=True)
    return Document(path.name, h1_title or page_title or _humanised_stem(path),
                    str(version) if version else None, tuple(sections))


_LOADERS: dict[str, Callable[[Path], Document]] = {
    ".md": load_markdown,
    ".markdown": load_markdown,
    ".txt": load_text,
    ".pdf": load_pdf,
    ".docx": load_docx,
    ".html": load_html,
    ".htm": load_html,
}
