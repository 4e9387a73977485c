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
from typing import Any, Protocol

from bot.knowledge import furniture
from bot.knowledge.limits import DEFAULT_LIMITS, FileLimits, file_digest, refusal
from bot.messages import say
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


class SkippedFiles(Protocol):
    """Where reasons for skipping a file are remembered by content hash (see cache.SkipList)."""

    def reason(self, digest: str) -> str | None: ...

    def remember(self, digest: str, reason: str) -> None: ...


def load_folder(folder: Path, skipped: SkippedFiles | None = None,
                limits: FileLimits = DEFAULT_LIMITS) -> tuple[list[Document], list[str]]:
    """Every readable document in `folder` (sorted by name) and a problem line per bad file.

    A file is checked against `limits` before any parser sees it. With `skipped`, a file
    already refused (same bytes) is not opened again: its earlier reason is reused.
    """
    documents: list[Document] = []
    problems: list[str] = []
    for path in policy_files(folder):
        digest = file_digest(path, limits) if skipped is not None else None
        known = skipped.reason(digest) if skipped is not None and digest else None
        if known is not None:
            problems.append(f"{path.name}: {known}")
            continue
        try:
            documents.append(load_document(path, limits))
        except UnreadableDocument as error:
            log.warning("Skipped policy file %s: %s", path.name, error)
            problems.append(f"{path.name}: {error}")
            if skipped is not None and digest:
                skipped.remember(digest, str(error))
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


def load_document(path: Path, limits: FileLimits = DEFAULT_LIMITS) -> Document:
    """Read one file with the loader for its suffix; raise UnreadableDocument if it cannot.

    The file is checked against `limits` first (size, zip members, pages), so a
    decompression bomb is refused before a parser unpacks it.
    """
    loader = _LOADERS.get(path.suffix.lower())
    if loader is None:
        raise UnreadableDocument(say("knowledge.file_type_unread",
                                     suffix=path.suffix or "extensionless"))
    try:
        refused = refusal(path, limits)
    except OSError as error:
        raise _unreadable(error) from error
    if refused:
        raise UnreadableDocument(refused)
    try:
        document = loader(path)
    except UnreadableDocument:
        raise
    except Exception as error:  # each library fails in its own way on a damaged file
        raise _unreadable(error) from error
    if not any(section.text.strip() for section in document.sections):
        raise UnreadableDocument(say("knowledge.file_no_text"))
    return document


def _unreadable(error: Exception) -> UnreadableDocument:
    return UnreadableDocument(say("knowledge.file_unreadable", kind=type(error).__name__,
                                  error=str(error)))


def humanised_stem(name: str | Path) -> str:
    """A file name as a title: "gifts-and-hospitality.pdf" -> "Gifts and hospitality"."""
    path = Path(name)
    return re.sub(r"[-_]+", " ", path.stem).strip().capitalize() or path.name


# Markdown -------------------------------------------------------------------------------

_FRONT_MATTER = re.compile(r"\A---\s*\n(.*?)\n---\s*(?:\n|\Z)", re.DOTALL)
_MD_HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")


def front_matter(text: str) -> tuple[dict[str, Any], str]:
    """A Markdown file's YAML front matter as read (nested values kept, for readers such as
    a campaign's check question) and the text after it."""
    match = _FRONT_MATTER.match(text)
    if not match:
        return {}, text
    try:
        front = load_yaml(match.group(1)) or {}
    except YAMLError as error:
        raise UnreadableDocument(say("knowledge.front_matter_invalid",
                                     error=str(error))) from error
    return (front if isinstance(front, dict) else {}), text[match.end():]


def load_markdown(path: Path) -> Document:
    """Markdown with optional YAML front matter (id, title, version, effective_date, ...)."""
    front, text = front_matter(path.read_text(encoding="utf-8"))
    # Metadata holds the plain values; nested ones are read with front_matter().
    metadata = {str(key): str(value) for key, value in front.items()
                if value is not None and not isinstance(value, dict | list)}
    lines = []
    for line in text.splitlines():
        heading = _MD_HEADING.match(line)
        lines.append((len(heading.group(1)), heading.group(2)) if heading else (0, line))
    title, sections = _sections_from_lines(lines, top_level_is_title=True)
    return Document(
        name=path.name,
        title=metadata.get("title") or title or humanised_stem(path),
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
    lines = _without_furniture(lines)

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


def _without_furniture(lines: Iterable[tuple[int, str]]) -> list[tuple[int, str]]:
    """The lines without contents entries, page numbers and consent-banner paragraphs."""
    kept: list[tuple[int, str]] = []
    paragraph: list[tuple[int, str]] = []

    def close() -> None:
        text = " ".join(line for _, line in paragraph)
        if not furniture.is_consent_banner(text):
            kept.extend(paragraph)
        paragraph.clear()

    for level, line in lines:
        if furniture.is_furniture_line(line):
            continue
        if level or not line.strip():
            close()
            kept.append((level, line))
        else:
            paragraph.append((level, line))
    close()
    return kept


# Plain text and PDF ---------------------------------------------------------------------

_NUMBERED_HEADING = re.compile(r"^(?:section\s+)?\d+(?:\.\d+)*\.?\s+\S", re.IGNORECASE)
_METADATA_LINE = re.compile(
    r"^(version|effective date|review date|owner|id)\s*:\s*(.+)$", re.IGNORECASE
)


def load_text(path: Path) -> Document:
    """Plain text: headings are guessed from short numbered, capitalised or standalone lines."""
    return _document_from_plain_text(path, path.read_text(encoding="utf-8", errors="replace"))


def _pdf_pages(reader: Any, max_chars: int) -> tuple[list[str], set[str]]:
    """Each page's text (stopping once `max_chars` have been read), and the lines set in a
    larger type than the body: a PDF exported from Word keeps its headings' sizes, though
    not their styles."""
    pages: list[str] = []
    sizes: dict[str, float] = {}
    body: list[tuple[float, int]] = []
    total = 0

    def visit(text: str, cm: list[float], tm: list[float], font: object, size: float) -> None:
        scale = abs(tm[3]) if tm and tm[3] else 1.0
        effective = float(size or 0) * scale * (abs(cm[3]) if cm and cm[3] else 1.0)
        for line in text.splitlines():
            line = " ".join(line.split())
            if line and effective:
                sizes[line] = max(sizes.get(line, 0.0), effective)
                body.append((effective, len(line)))

    for page in reader.pages:
        try:
            text = page.extract_text(visitor_text=visit) or ""
        except TypeError:  # a pypdf without visitors: text only
            text = page.extract_text() or ""
        pages.append(text)
        total += len(text)
        if total > max_chars:
            break
    return pages, _larger_lines(sizes, body)


def _larger_lines(sizes: dict[str, float], body: list[tuple[float, int]]) -> set[str]:
    """Lines whose type is at least 15% larger than the body's (the size most characters
    are set in) and that are short enough to be headings."""
    if not body:
        return set()
    weight: dict[float, int] = {}
    for size, length in body:
        weight[round(size, 1)] = weight.get(round(size, 1), 0) + length
    body_size = max(weight, key=lambda size: weight[size])
    return {line for line, size in sizes.items()
            if size >= 1.15 * body_size and _heading_level(line, alone=True)}


def load_pdf(path: Path, limits: FileLimits = DEFAULT_LIMITS) -> Document:
    """A PDF's extracted text, read like plain text; encrypted or image-only PDFs are refused."""
    from pypdf import PdfReader

    reader = PdfReader(str(path))
    if reader.is_encrypted:
        try:
            reader.decrypt("")
        except Exception as error:
            raise UnreadableDocument(say("knowledge.pdf_password")) from error
    pages, larger = _pdf_pages(reader, limits.max_text_chars)
    document = _document_from_plain_text(path, "\n\n".join(furniture.strip_running(pages)),
                                         larger)
    info_title = (reader.metadata.title if reader.metadata else None) or None
    if info_title and document.title == humanised_stem(path):
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


def _document_from_plain_text(path: Path, text: str,
                              larger: set[str] | frozenset[str] = frozenset()) -> Document:
    raw_lines = [line.rstrip() for line in furniture.mend_hyphenation(text).splitlines()]
    # Furniture goes before the title is chosen: a page's first line is often "Skip to
    # main content" or a protective marking, not its title.
    raw_lines = ["" if furniture.is_furniture_line(line) else line for line in raw_lines]
    metadata: dict[str, str] = {}
    lines: list[tuple[int, str]] = []
    title: str | None = None
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
            nothing_yet and title is None) or " ".join(line.split()) in larger)
        if (level and title is None and nothing_yet
                and not _NUMBERED_HEADING.match(line.strip())):
            title = line.strip()
            continue
        lines.append((level, line))
    # Text with no headings at all stays one section; chunking cuts it into paragraph
    # windows, each cited by the paragraph it starts at.
    _, sections = _sections_from_lines(lines, top_level_is_title=False)
    return Document(
        name=path.name,
        title=metadata.get("title") or title or humanised_stem(path),
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
        if level:
            lines.append((int(level.group(1)) + 1, text))
        elif style.lower().startswith("list"):
            lines.append((0, f"- {text}"))
        else:
            lines.append((_docx_direct_heading(paragraph, text), text))
    for table in word.tables:
        for row in table.rows:
            lines.append((0, " | ".join(cell.text.strip() for cell in row.cells)))
    _, sections = _sections_from_lines(lines, top_level_is_title=False)
    return Document(path.name, title or humanised_stem(path), version, tuple(sections))


def _docx_direct_heading(paragraph: Any, text: str) -> int:
    """A heading level for a paragraph formatted as a heading without a Heading style.

    Word documents exported by forces often make headings by hand: an outline level set on
    the paragraph, every run bold, or a numbered short line ("3.2 Hospitality"). Body
    paragraphs are longer and end with a full stop, so length and punctuation keep
    emphasised sentences out.
    """
    outline = paragraph._p.find(".//" + _W_NS + "outlineLvl")
    if outline is not None:
        value = outline.get(_W_NS + "val")
        if value is not None and value.isdigit() and int(value) < 9:
            return int(value) + 2
    if _heading_level(text, alone=False) and _NUMBERED_HEADING.match(text.strip()):
        return _heading_level(text, alone=False)
    runs = [run for run in paragraph.runs if run.text.strip()]
    if runs and all(run.bold for run in runs) and _heading_level(text, alone=True):
        return 3
    return 0


_W_NS = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


# HTML -----------------------------------------------------------------------------------

_BANNER_ID = re.compile(r"cookie|consent|gdpr|skip-link|breadcrumb", re.IGNORECASE)
_MARKUP = re.compile(rb"<(?:html|body|head|p|div|h[1-6]|li|table|span|br|!doctype)\b", re.I)
_HTML_BLOCKS = ["h1", "h2", "h3", "h4", "h5", "h6", "p", "li", "td", "th", "pre", "blockquote",
                "dt", "dd"]


def _emphasised_whole(element: Any, text: str) -> bool:
    """Whether a paragraph is nothing but bold or strong text, short enough for a heading."""
    strong = " ".join(part.get_text(" ", strip=True) for part in element.find_all(["strong", "b"]))
    return bool(strong) and " ".join(strong.split()) == " ".join(text.split()) and bool(
        _heading_level(text, alone=True))


def load_html(path: Path) -> Document:
    """An HTML page: h1-h6 are headings, paragraphs and list items the text under them."""
    from bs4 import BeautifulSoup

    raw = path.read_bytes()
    if not _MARKUP.search(raw[:65536]):
        # A page saved as its visible text (a browser's "save as text", a copy-paste) keeps
        # the .html name but has no markup: read it as the plain text it is.
        return _document_from_plain_text(path, raw.decode("utf-8", errors="replace"))
    soup = BeautifulSoup(raw, "html.parser")
    for hidden in soup(["script", "style", "nav", "header", "footer", "noscript", "aside",
                        "form", "button"]):
        hidden.decompose()
    # Consent banners and skip links are furniture, whatever tag holds them.
    furniture_elements = [
        *soup.find_all(id=_BANNER_ID), *soup.find_all(class_=_BANNER_ID),
        *soup.find_all(role=re.compile(r"^(?:navigation|banner)$"))]
    for element in furniture_elements:
        if not element.decomposed:
            element.decompose()
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
        elif element.name == "p" and _emphasised_whole(element, text):
            # <p><strong>Who can accept gifts</strong></p>: a heading made by hand.
            lines.append((4, text))
        else:
            lines.append((0, f"- {text}" if element.name == "li" else text))
            lines.append((0, ""))
    h1_title, sections = _sections_from_lines(lines, top_level_is_title=True)
    return Document(path.name, h1_title or page_title or humanised_stem(path),
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
