"""Loading policy documents of each format, and skipping the ones that cannot be read."""

from __future__ import annotations

from pathlib import Path

from test_knowledge_support import write_docx, write_pdf

from bot.knowledge.chunking import WINDOW_WORDS, chunk
from bot.knowledge.loaders import load_document, load_folder

MARKDOWN = """---
id: NP-POL-099
title: Lost Property
version: "1.4"
effective_date: 2026-01-01
review_date: 2027-01-01
owner: Head of Estates
---
# Lost Property

## 1. Purpose
Property handed in at a front counter is recorded the same day.

## 2. Handling items
### 2.1 Cash
Cash is counted by two people and sealed in a bag.

### 2.2 Phones
Phones are switched off and bagged.
"""


def test_markdown_front_matter_gives_title_version_and_heading_paths(tmp_path: Path) -> None:
    path = tmp_path / "lost-property.md"
    path.write_text(MARKDOWN, encoding="utf-8")

    document = load_document(path)

    assert (document.name, document.title, document.version) == ("lost-property.md",
                                                                "Lost Property", "1.4")
    assert document.metadata["owner"] == "Head of Estates"
    assert [section.headings for section in document.sections] == [
        ("1. Purpose",), ("2. Handling items", "2.1 Cash"), ("2. Handling items", "2.2 Phones"),
    ]


def test_chunks_keep_the_deepest_heading_as_the_section_and_the_document_file_name(
        tmp_path: Path) -> None:
    path = tmp_path / "lost-property.md"
    path.write_text(MARKDOWN, encoding="utf-8")

    passages = chunk([load_document(path)])

    cash = passages[1]
    assert cash.section == "2.1 Cash"
    assert cash.headings == ("2. Handling items", "2.1 Cash")
    assert (cash.document, cash.title, cash.version) == ("lost-property.md", "Lost Property",
                                                         "1.4")
    assert cash.text == "Cash is counted by two people and sealed in a bag."


def test_plain_text_headings_are_found_from_numbered_and_capitalised_lines(tmp_path: Path) -> None:
    path = tmp_path / "canteen.txt"
    path.write_text(
        "Canteen Rules\nVersion: 3\n\n1. Opening hours\nThe canteen opens at 7am.\n\n"
        "PAYMENT\nCards only. No cash is taken.\n", encoding="utf-8")

    document = load_document(path)

    assert (document.title, document.version) == ("Canteen Rules", "3")
    assert [(s.headings, s.text) for s in document.sections] == [
        (("1. Opening hours",), "The canteen opens at 7am."),
        (("PAYMENT",), "Cards only. No cash is taken."),
    ]


def test_plain_text_without_headings_is_cut_into_overlapping_paragraph_windows(
        tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    paragraphs = [f"Paragraph about topic {n} " + "word " * 60 + "ends." for n in range(12)]
    paragraphs[5] = "A short rule carried over."
    path.write_text("\n\n".join(paragraphs) + "\n", encoding="utf-8")

    document = load_document(path)
    passages = chunk([document])

    assert document.title == "Notes" and len(document.sections) == 1
    assert 1 < len(passages) < 12
    assert all(len(p.text.split()) <= WINDOW_WORDS + 70 for p in passages)
    assert passages[0].section == "Paragraph 1"
    # every paragraph is in some window, and the short one ends one window and starts the next
    assert all(any(p.split()[4] in w.text for w in passages) for p in paragraphs)
    assert sum("A short rule carried over." in w.text for w in passages) == 2


def test_a_short_text_without_headings_is_one_passage_named_by_its_title(
        tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("The first paragraph runs on.\nIt has two lines.\n\nThe second one.\n",
                    encoding="utf-8")

    passages = chunk([load_document(path)])

    assert [(p.section, p.headings) for p in passages] == [("Notes", ())]


def test_pdf_text_is_read_with_its_numbered_headings(tmp_path: Path) -> None:
    path = write_pdf(tmp_path / "parking.pdf", [
        "Parking Policy", "Version: 1.2", "1. Where to park",
        "Staff park in the rear yard after 6pm.", "2. Permits",
        "A permit is issued by Facilities.",
    ])

    document = load_document(path)

    assert (document.title, document.version) == ("Parking Policy", "1.2")
    assert [s.headings for s in document.sections] == [("1. Where to park",), ("2. Permits",)]
    assert "rear yard" in document.sections[0].text


def test_docx_headings_come_from_paragraph_styles(tmp_path: Path) -> None:
    path = write_docx(tmp_path / "fleet.docx", "Fleet Vehicles", {
        "1. Pool cars": ["Book a pool car through the fleet desk."],
        "2. Fuel cards": ["Fuel cards stay in the vehicle."],
    })

    document = load_document(path)

    assert (document.title, document.version) == ("Fleet Vehicles", "2.0")
    assert [(s.headings, s.text) for s in document.sections] == [
        (("1. Pool cars",), "Book a pool car through the fleet desk."),
        (("2. Fuel cards",), "Fuel cards stay in the vehicle."),
    ]


def test_html_headings_h1_to_h6_and_lists(tmp_path: Path) -> None:
    path = tmp_path / "radios.html"
    path.write_text(
        "<html><head><title>ignored</title><meta name='version' content='5'></head><body>"
        "<nav>Home | Policies</nav><h1>Radio Use</h1><h2>1. Call signs</h2>"
        "<p>Use your own call sign.</p><h3>1.1 Spare batteries</h3>"
        "<ul><li>Ask the control room.</li><li>Sign the log.</li></ul>"
        "<script>var x = 1;</script></body></html>", encoding="utf-8")

    document = load_document(path)

    assert (document.title, document.version) == ("Radio Use", "5")
    assert [s.headings for s in document.sections] == [
        ("1. Call signs",), ("1. Call signs", "1.1 Spare batteries")]
    assert "Ask the control room." in document.sections[1].text
    assert "var x" not in document.sections[1].text
    assert "Home" not in document.sections[0].text


def test_unreadable_files_are_skipped_and_reported_by_name(tmp_path: Path, caplog) -> None:
    (tmp_path / "good.md").write_text("# Good\n\n## 1. Fine\nReadable text.\n", encoding="utf-8")
    (tmp_path / "broken.pdf").write_bytes(b"this is not really a PDF")
    (tmp_path / "bad.docx").write_bytes(b"not a zip file either")
    write_pdf(tmp_path / "scanned.pdf", [])  # a page with no text, like a scan
    (tmp_path / "picture.png").write_bytes(b"\x89PNG")  # not a policy format: ignored quietly

    documents, problems = load_folder(tmp_path)

    assert [d.name for d in documents] == ["good.md"]
    assert [problem.split(":")[0] for problem in problems] == ["bad.docx", "broken.pdf",
                                                               "scanned.pdf"]
    assert "scan" in problems[2]
    assert "broken.pdf" in caplog.text


def test_word_headings_made_by_hand_are_recognised(tmp_path: Path) -> None:
    import docx

    word = docx.Document()
    word.add_paragraph("Gifts Procedure", style="Title")
    bold = word.add_paragraph()
    bold.add_run("Who may accept").bold = True
    word.add_paragraph("Only the officer offered the gift may accept it.")
    word.add_paragraph("3.2 Hospitality")
    word.add_paragraph("Hospitality is declared within 28 days.")
    emphasised = word.add_paragraph()
    emphasised.add_run("This whole sentence is bold but it is a rule, not a heading.").bold = True
    word.save(str(tmp_path / "gifts.docx"))

    document = load_document(tmp_path / "gifts.docx")

    assert [s.headings[-1] for s in document.sections] == ["Who may accept", "3.2 Hospitality"]
    assert "not a heading" in document.sections[1].text


def test_html_paragraphs_that_are_only_bold_are_headings(tmp_path: Path) -> None:
    page = tmp_path / "gifts.html"
    page.write_text(
        "<html><body><h1>Gifts</h1><p><strong>Who may accept</strong></p>"
        "<p>Only the officer offered the gift may accept it, <b>never</b> a colleague.</p>"
        "<nav><p>Home | Policies</p></nav></body></html>", encoding="utf-8")

    document = load_document(page)

    assert [(s.headings, s.text) for s in document.sections] == [
        (("Who may accept",),
         "Only the officer offered the gift may accept it, never a colleague.")]


def test_pdf_headings_are_found_from_their_larger_type(tmp_path: Path) -> None:
    path = write_pdf(tmp_path / "gifts.pdf", [
        "Gifts Procedure", "Who may accept", "Only the officer offered a gift may accept it",
        "and only after declaring it.", "Declining offers",
        "A declined offer is recorded too, with the reason",
    ], larger=frozenset({"Gifts Procedure", "Who may accept", "Declining offers"}))

    document = load_document(path)

    assert [s.headings for s in document.sections] == [("Who may accept",),
                                                        ("Declining offers",)]
