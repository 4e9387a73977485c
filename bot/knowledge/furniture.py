"""Page furniture: the text around a policy that is not the policy, found and removed.

Forces publish policies as web pages with cookie banners and navigation, and as PDFs with
contents pages, page numbers and running headers. Left in, that text becomes passages that
match nothing useful, and dilutes (by BM25's length normalisation) the passage it sits in.
What is furniture is told mostly by repetition, not by a list of phrases: a line at the top
or foot of most pages of a PDF, a line that recurs across several documents. Two shapes
are recognised directly: contents lines ending in dot leaders and a page number, and bare
page numbers. Consent banners are recognised by what they are about (cookies and the
consent to them), since a force's site shows its banner once per page.

Hyphenation is mended where the document itself can tell: "organisa-" + "tion" becomes
"organisation" when the document uses "organisation" elsewhere, or the halves are not
words it uses; "self-employed" stays as it is.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence

_TOC_LINE = re.compile(r"(?:\.\s*){4,}\s*\d{1,4}\s*$|(?:\s_{4,}|\s-{4,}|\s·{4,})\s*\d{1,4}\s*$")
_PAGE_NUMBER = re.compile(
    r"^\s*(?:page\s+)?\d{1,4}(?:\s*(?:of|/)\s*\d{1,4})?\s*$|^\s*-\s*\d{1,4}\s*-\s*$",
    re.IGNORECASE)
#: A contents entry's page number: after a space, or glued to the entry's last word or
#: closing punctuation as PDF extraction leaves it ("Discounts and Concessions7").
_PAGE_AT_END = re.compile(r"(?:(?<=\s)|(?<=[A-Za-z)?’'”]))\d{1,3}\s*$")
_LEADERS = re.compile(r"(?:\s*\.){4,}\s*|\s_{4,}\s*|\s·{4,}\s*")
#: What document-hosting sites print around a re-hosted PDF: view and download counters,
#: the uploader, the upload date, and "transcript" / "continue reading" labels.
_HOST = re.compile(
    r"^\s*(?:\d[\d,]*\s+(?:views?|downloads?|pages?)|upload(?:ed)?(?:\s+by)?\s*:.*|"
    r"post(?:ed)?\s+on\s+\S+|category\s*:|documents|transcript(?:\s+of\b.*)?|"
    r"continue\s+reading|page\s+created\s+by\b.*|download\s+(?:pdf|now|report)|"
    r"report\s+this\s+(?:link|document)|page\s+\d{1,4}\s*:.*|"
    r"(?:views?|downloads?)\s*:\s*[\d,]+(?:\s+times?)?|date\s+post(?:ed)?\s*:.*|"
    r"share\s+this\s+(?:document|page|article)\b.*|\+?\s*all\s+categories)\s*$",
    re.IGNORECASE)
#: A breadcrumb trail: "Home > Documents > Notifiable Associations SOP".
_BREADCRUMB = re.compile(r"^\s*[^>\n]{1,60}(?:\s[>›»]\s[^>›»\n]{1,120}){2,}$")
_WORD = re.compile(r"[A-Za-z]+")
_HYPHEN_BREAK = re.compile(r"([A-Za-z]{2,})-\n\s*([a-z]{2,})")
#: A paragraph about cookies and consent to them: the shape of a consent banner.
_COOKIE = re.compile(r"\bcookies?\b", re.IGNORECASE)
_CONSENT = re.compile(
    r"\b(accept|consent|reject|preferences|analytics|necessary|essential|settings|"
    r"browsing|experience|third[- ]party|tracking)\b", re.IGNORECASE)
#: The furniture of public-sector web pages and documents: skip and quick-exit links, and
#: Government Security Classification markings printed at the top of every page.
_NAVIGATION = re.compile(
    r"^\s*(?:skip\s+to\s+(?:main\s+)?content|skip\s+to\s+main|quickly\s+exit\s+this\s+site\b.*|"
    r"leave\s+(?:this\s+)?site(?:\s+skip\s+to\s+(?:main\s+)?content)?|exit\s+this\s+site|"
    r"back\s+to\s+top|print\s+this\s+page|share\s+this\s+page|you\s+are\s+here:?.*|"
    r"breadcrumb.*|menu|options|search\s+this\s+site|accessibility(?:\s+tools?)?|"
    r"text\s+size\b.*|english|cymraeg|"
    # a page-feedback widget and share links
    r"page\s+feedback|(?:was|is)\s+this\s+page\s+(?:useful|helpful)\b.*|"
    r"what\s+best\s+describes\s+the\s+reason\s+for\s+your\s+visit\b.*|"
    r"report\s+a\s+problem\s+with\s+this\s+page|yes\s*/?\s*no|"
    r"share(?:\s+(?:on|via|to))?(?:\s+(?:facebook|twitter|x|linkedin|email|whatsapp))*|"
    r"facebook|twitter|linkedin|print)\s*$", re.IGNORECASE)
_MARKING = re.compile(
    r"^\s*(?:not\s+protectively\s+marked|official(?:[- ]sensitive)?|unclassified|restricted|"
    r"protect|protectively\s+marked)\s*$", re.IGNORECASE)
#: A line seen at the top or foot of at least this share of a PDF's pages (and on three
#: pages or more) is a running header or footer.
RUNNING_SHARE = 0.5
#: How many lines at each end of a page may be running heads or feet.
EDGE_LINES = 3
#: A line found this many times in one document is a running head or foot.
REPEATED_LINES = 3
#: ...when it is no longer than this many words (a running head is a short line).
RUNNING_WORDS = 20
#: A line found in at least this many documents is shared furniture (a site's banner or
#: footer, a report's running header) rather than any one policy's text.
SHARED_DOCUMENTS = 3


def is_contents_line(line: str) -> bool:
    """A table-of-contents entry: "4. Gifts ........ 12"."""
    return bool(_TOC_LINE.search(line))


def is_page_number(line: str) -> bool:
    """A line that is only a page number: "12", "Page 3 of 10", "- 4 -"."""
    return bool(_PAGE_NUMBER.match(line))


def is_consent_banner(paragraph: str) -> bool:
    """A paragraph about cookies and accepting them (two signs at least, one of them
    'cookie'), short enough to be a banner rather than a policy about cookies."""
    if not _COOKIE.search(paragraph) or len(paragraph.split()) > 150:
        return False
    return len(set(m.lower() for m in _CONSENT.findall(paragraph))) >= 2 or len(
        _COOKIE.findall(paragraph)) >= 3


def is_furniture_line(line: str) -> bool:
    """A line that is page furniture on its own: a page number, a skip or quick-exit link, a
    protective marking, a document host's counters and labels, or a sentence of a consent
    banner. (Contents entries are not: see contents_lines.)"""
    return bool(is_page_number(line) or _NAVIGATION.match(line) or _MARKING.match(line)
                or _HOST.match(line) or _BREADCRUMB.match(line)
                or (len(line.split()) <= 60 and is_consent_banner(line)))


def contents_lines(lines: Sequence[str]) -> set[int]:
    """The indices of `lines` that are entries of a table of contents.

    A line with dot leaders and a page number is one on its own. Without leaders, an entry
    is a short line ending in a page number ("Introduction 10", "3.11 Discounts7"), and it
    counts only among others of its kind (two of its four nearest non-blank neighbours are
    entries too), so "Regulation 3" or "Police Act 1996" in running text is not one. A short
    line between two entries ("2 Applicability", a part with no page of its own) belongs to
    the contents too.
    """
    filled = [index for index, line in enumerate(lines) if line.strip()]
    shaped = [bool(_TOC_LINE.search(lines[i]) or _entry_shape(lines[i])) for i in filled]
    found: set[int] = set()
    for position, index in enumerate(filled):
        if _TOC_LINE.search(lines[index]):
            found.add(index)
        elif shaped[position]:
            near = shaped[max(0, position - 2):position] + shaped[position + 1:position + 3]
            if sum(near) and 2 * sum(near) >= len(near):
                found.add(index)
    for position in range(1, len(filled) - 1):
        index = filled[position]
        if (index not in found and filled[position - 1] in found
                and filled[position + 1] in found and len(lines[index].split()) <= 8
                and not lines[index].rstrip().endswith((".", ";", ","))):
            found.add(index)
    return found


def _entry_shape(line: str) -> bool:
    stripped = line.strip()
    return bool(_PAGE_AT_END.search(stripped)) and len(stripped.split()) <= 25 and not (
        stripped.endswith((".", ";", ",")))


def contents_title(line: str) -> str:
    """A contents entry without its leaders and page number: what it names."""
    return _PAGE_AT_END.sub("", _LEADERS.sub(" ", line)).strip()


def tidy_contents(line: str) -> str:
    """A contents entry with its dot leaders shortened to an ellipsis (its words unchanged)."""
    return " ".join(_LEADERS.sub(" … ", line).split())


def strip_lines(lines: Iterable[str]) -> list[str]:
    """The lines that are not furniture (see is_furniture_line)."""
    return [line for line in lines if not is_furniture_line(line)]


def running_lines(pages: Sequence[str]) -> set[str]:
    """Lines that recur at the top or foot of most pages: running headers and footers.

    Digits are ignored when comparing ("Page 3", "Page 4"), so a numbered footer counts as
    one line.
    """
    if len(pages) < 3:
        return set()
    seen: Counter[str] = Counter()
    for page in pages:
        lines = [line.strip() for line in page.splitlines() if line.strip()]
        edges = set(lines[:EDGE_LINES] + lines[-EDGE_LINES:])
        seen.update({_shape(line) for line in edges})
    needed = max(3, int(RUNNING_SHARE * len(pages) + 0.999))
    return {shape for shape, count in seen.items() if count >= needed and shape}


def strip_running(pages: Sequence[str]) -> list[str]:
    """Each page without the running headers and footers the pages share."""
    running = running_lines(pages)
    if not running:
        return list(pages)
    cleaned = []
    for page in pages:
        lines = page.splitlines()
        filled = [number for number, line in enumerate(lines) if line.strip()]
        edges = set(filled[:EDGE_LINES] + filled[-EDGE_LINES:])
        cleaned.append("\n".join(line for number, line in enumerate(lines)
                                 if not (number in edges and _shape(line.strip()) in running)))
    return cleaned


#: A bullet, as text saved from a web page or a PDF marks a list item.
_BULLET = re.compile(r"^\s*[•●▪◦*\-–]\s+")
#: A run of at least this many short bullet items before a page's first sentence is its
#: navigation menu.
MENU_ITEMS = 5
#: ...each of at most this many words.
MENU_WORDS = 5
#: A line of at least this many words is a sentence of the page's own text.
SENTENCE_WORDS = 12


def menu_lines(lines: Sequence[str]) -> set[int]:
    """The indices of `lines` that are a site's menu: runs of MENU_ITEMS short bullet items
    or more ("• About", "• News", "• Careers") above the page's first sentence.

    A policy's own short lists come after its text begins, and are usually introduced by
    a sentence ending in ":", so only the lines above the first sentence are looked at.
    """
    found: set[int] = set()
    run: list[int] = []

    def close() -> None:
        if len(run) >= MENU_ITEMS:
            found.update(run)
        run.clear()

    for index, line in enumerate(lines):
        if len(line.split()) >= SENTENCE_WORDS:
            break
        if not line.strip():
            continue
        item = _BULLET.match(line)
        if item and len(line.split()) - 1 <= MENU_WORDS and not line.rstrip().endswith(
                (".", ":", ";")):
            run.append(index)
        else:
            close()
    close()
    return found


def repeated_lines(lines: Iterable[str]) -> set[str]:
    """Shapes of short lines (three to RUNNING_WORDS words, digits ignored) that recur
    REPEATED_LINES times or more in one document: the running heads of a PDF whose text lost
    its page breaks ("HMIC (2011) Without fear or favour: A review of police relationships 4"
    on every page). A rule is written once, and a sentence ending in a full stop repeated
    with other numbers ("Finding 2 is set out below.") is text, not a running head."""
    seen = Counter(_shape(line) for line in lines if 3 <= len(line.split()) <= RUNNING_WORDS
                   and not line.rstrip().endswith("."))
    return {shape for shape, count in seen.items() if count >= REPEATED_LINES}


def shape(line: str) -> str:
    """A line as running furniture is compared: lower case, spacing folded, digits as #."""
    return _shape(line)


def _shape(line: str) -> str:
    return re.sub(r"\d+", "#", " ".join(line.lower().split()))


def mend_hyphenation(text: str) -> str:
    """Join words a line break hyphenated, where the document shows they are one word."""
    if "-\n" not in text:
        return text
    known = Counter(word.lower() for word in _WORD.findall(text))

    def join(match: re.Match[str]) -> str:
        first, second = match.group(1), match.group(2)
        whole = (first + second).lower()
        if known[whole] or not (known[first.lower()] > 1 and known[second.lower()] > 1):
            return first + second
        return f"{first}-{second}"

    return _HYPHEN_BREAK.sub(join, text)


_GLUED_NUMBER = re.compile(r"^(\s*(?:[A-Z]\.)?\d{1,2}(?:\.\d{1,2})*\.?)(?=[A-Z][a-z])")


def unglue(line: str) -> str:
    """A line whose clause number PDF extraction glued to its first word ("1.1The policy",
    "2Applicability", "A.1Aim of the SOP") with the space put back."""
    return _GLUED_NUMBER.sub(r"\1 ", line)


def shared_lines(documents: Sequence[Iterable[str]]) -> set[str]:
    """Lines (normalised, three words or more) found in SHARED_DOCUMENTS documents or more.

    A force's site prints the same banner, beta notice and footer on every page, and a
    report's running header recurs through its chapters; a policy's own rule is written
    once. Counted per document, so a line repeated inside one document is not shared.
    """
    seen: Counter[str] = Counter()
    for lines in documents:
        seen.update({shape for shape in map(normalised, lines) if len(shape.split()) >= 3})
    return {line for line, count in seen.items() if count >= SHARED_DOCUMENTS}


def normalised(paragraph: str) -> str:
    return " ".join(word.lower() for word in _WORD.findall(paragraph))
