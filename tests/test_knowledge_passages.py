"""Documents into passages on pages nobody on the project wrote: headings found in every
format, page furniture left out by class, contents lists kept where they are the only
mention of a topic, words run together by PDF extraction still found (issue 18)."""

from __future__ import annotations

from pathlib import Path

from test_knowledge_support import write_pdf

from bot.knowledge import furniture
from bot.knowledge.chunking import MAX_PASSAGE_WORDS, OVERLAP_WORDS, WINDOW_WORDS, chunk, windows
from bot.knowledge.loaders import load_document, load_folder
from bot.knowledge.text import terms, words

FIXTURES = Path(__file__).parent / "fixtures" / "policy_pages"


def _passages(tmp_path: Path, name: str, text: str) -> list:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return chunk([load_document(path)])


def _all_text(passages: list) -> str:
    return "\n".join(p.text for p in passages)


# Contents lists ---------------------------------------------------------------------------

def test_contents_entries_without_leaders_are_text_not_headings(tmp_path: Path) -> None:
    passages = _passages(tmp_path, "report.txt", (
        "Integrity review\n\nContents\n\nIntroduction 4\n\nThe force in numbers 7\n\n"
        "Vetting of new recruits 9\n\nRecommendations 12\n\nIntroduction\n\n"
        "The review looked at how forces manage integrity.\n"))

    sections = [p.section for p in passages]
    assert "Recommendations 12" not in sections and "The force in numbers 7" not in sections
    contents = next(p for p in passages if p.section == "Contents")
    # the entry naming a section the document has is left to that section
    assert "Vetting of new recruits 9" in contents.text and "Introduction 4" not in contents.text
    assert next(p for p in passages if p.section == "Introduction").headings == ("Introduction",)


def test_a_contents_entry_is_kept_with_its_words_and_leaders_shortened(tmp_path: Path) -> None:
    passages = _passages(tmp_path, "review.txt", (
        "Literature review\n\nContents\n\n1. Understanding corruption ...... 3\n\n"
        "The 'Dirty Harry' problem ...... 9\n\n2. History ...... 11\n\n"
        "1. Understanding corruption\n\nThere is a sizeable literature on definitions.\n"))

    contents = next(p for p in passages if p.section == "Contents")

    assert contents.text.splitlines()[0] == "The 'Dirty Harry' problem … 9"
    assert "Understanding" not in contents.text  # its section answers for it
    assert [p.headings for p in passages if "sizeable" in p.text] == [
        ("1. Understanding corruption",)]


def test_a_line_that_ends_in_a_number_alone_is_not_a_contents_entry() -> None:
    lines = ["Regulation 3", "", "Officers are honest.", "", "Police Act 1996", "",
             "They act with integrity."]

    assert furniture.contents_lines(lines) == set()
    assert furniture.contents_lines(["Aim3", "2Applicability", "2.1 Inclusions3",
                                     "2.2 Exclusions3"]) == {0, 1, 2, 3}


# Headings -----------------------------------------------------------------------------------

def test_cover_lines_of_label_and_value_are_kept_as_text_not_headings(tmp_path: Path) -> None:
    passages = _passages(tmp_path, "gifts.html", (
        "Policy Details\n\nPOLICY TITLE: Gifts\n\nAUTHOR: Detective Chief Superintendent, PSD\n\n"
        "CONTACT DETAILS: 101 Ext. 49031\n\nDated: 31 Dec 2013\n\n"
        "A gift may be accepted where refusing it would cause offence.\n"))

    assert all(p.headings == () for p in passages)
    assert "AUTHOR: Detective Chief Superintendent, PSD" in _all_text(passages)
    # a label in capitals is no heading even over text
    vetting = _passages(tmp_path, "vetting.html", (
        "POLICY TITLE: Vetting of all staff\nVetting is renewed every ten years.\n"))
    assert [p.headings for p in vetting] == [()]
    assert "CONTACT DETAILS: 101 Ext. 49031" in _all_text(passages)


def test_a_heading_over_nothing_is_a_line_of_text(tmp_path: Path) -> None:
    passages = _passages(tmp_path, "principles.txt", (
        "Code of Ethics\n\nIntro text about the code runs here for a while.\n\n"
        "Accountability\n\nFairness\n\nHonesty\n\nStandards\n\n"
        "These standards reflect what the public expect.\n"))

    text = _all_text(passages)
    assert "Accountability" in text and "Fairness" in text and "Honesty" in text
    assert [p.section for p in passages if "public expect" in p.text] == ["Standards"]


def test_a_title_case_line_opening_a_paragraph_heads_it(tmp_path: Path) -> None:
    passages = _passages(tmp_path, "standards.txt", (
        "Standards of behaviour\n\nHonesty and Integrity\nYou will not abuse your position.\n\n"
        "Use of Force\nYou will only use force that is necessary.\n\n"
        "You will act with fairness\nand impartiality at all times.\n"))

    assert [(p.section, p.text.split()[0]) for p in passages][:2] == [
        ("Honesty and Integrity", "You"), ("Use of Force", "You")]
    assert "You will act with fairness" in passages[-1].text


def test_dates_copyright_and_isbn_lines_are_not_headings(tmp_path: Path) -> None:
    passages = _passages(tmp_path, "inspection.txt", (
        "Police integrity\n\nNovember 2014\n\n© HMIC 2014\n\nISBN: 978-1-78246-581-2\n\n"
        "22 April 2020\n\nThe force has made progress on integrity.\n"))

    assert all(p.headings == () for p in passages)


def test_bullets_over_paragraphs_are_headings_and_a_bulleted_list_is_a_list() -> None:
    passages = chunk([load_document(FIXTURES / "standards-bullets.html")])

    assert [p.section for p in passages] == ["Honesty and Integrity", "Discreditable Conduct"]
    assert "• officers" in passages[-1].text and "• special constables" in passages[-1].text


def test_numbered_sections_nest_under_the_page_title_not_beside_it() -> None:
    passages = chunk([load_document(FIXTURES / "pcc-site.html")])

    assert [p.headings for p in passages if "line manager" in p.text] == [
        ("Confidential Reporting Policy", "2. Reporting to a line manager")]


def test_pdf_headings_are_found_from_bold_type(tmp_path: Path) -> None:
    path = write_pdf(tmp_path / "debt.pdf", [
        "Debt procedure", "Telling your manager", "An officer in serious debt tells their",
        "line manager within 7 days.", "Getting help", "The welfare team can advise on",
        "budgeting and repayment plans."], bold=frozenset({"Telling your manager",
                                                           "Getting help"}))

    document = load_document(path)

    assert [s.headings for s in document.sections] == [("Telling your manager",),
                                                        ("Getting help",)]


# Furniture ------------------------------------------------------------------------------

def test_a_document_hosts_counters_and_labels_are_furniture() -> None:
    for line in ["16 views", "1,204 views", "0 download", "Upload: someuser",
                 "Post on 12-Mar-2020", "Category:", "TRANSCRIPT", "CONTINUE READING",
                 "Page 2: gifts and hospitality procedure - …€¦ · offers", "View: 0 times",
                 "Download: 12 times", "Share this document with a friend",
                 "Date post: 24-Aug-2020", "+ All Categories",
                 "Home > Documents > Notifiable Associations SOP", "Home › About › Policies"]:
        assert furniture.is_furniture_line(line), line
    for line in ["Documents you must keep", "Page 2 of the form is signed by a manager.",
                 "Transcripts of interviews are kept for six years.",
                 "Gifts of £25 / £50 / £100 need approval", "Share the box with the team."]:
        assert not furniture.is_furniture_line(line), line


def test_a_rehosted_pdf_keeps_its_rules_and_loses_the_hosts_furniture() -> None:
    passages = chunk([load_document(FIXTURES / "rehosted-pdf.txt")])
    text = _all_text(passages)

    for noise in ("views", "Upload", "TRANSCRIPT", "Page 1:", "Page 3:",
                  "NOT PROTECTIVELY MARKED", "Procedure 3"):
        assert noise not in text, noise
    assert {"1. PURPOSE", "2. RECORDING OFFERS", "3. TOKENS OF APPRECIATION"} <= {
        p.section for p in passages}
    contents = next(p for p in passages if p.section == "TABLE OF CONTENTS")
    assert contents.text.splitlines() == ["4 Raffles and prize draws5", "5 Who to contact6"]
    # the rule's words are as the document has them, and still found by search terms
    assert "2.1Every offer, accepted or declined," in text


def test_a_sites_menu_toggles_and_banner_are_left_out() -> None:
    passages = chunk([load_document(FIXTURES / "pcc-site.html")])
    text = _all_text(passages)

    for noise in ("Text size", "Accessibility", "English", "Careers", "Newsletters",
                  "cookies", "Escape key", "Menu"):
        assert noise not in text, noise
    assert "AUTHOR: Head of Professional Standards" in text


def test_a_page_feedback_widget_and_share_links_are_furniture() -> None:
    for line in ["Page feedback", "Was this page useful? *", "Is this page helpful?",
                 "What best describes the reason for your visit today?", "Share on Facebook",
                 "Share", "Twitter", "Print", "Yes / No", "Report a problem with this page"]:
        assert furniture.is_furniture_line(line), line
    for line in ["Feedback from line managers", "Share the chocolates with the team.",
                 "Print media enquiries go to the press office."]:
        assert not furniture.is_furniture_line(line), line


def test_a_short_list_after_the_text_begins_is_not_a_menu() -> None:
    lines = ["Gifts policy", "This policy applies to every officer and member of staff in "
             "the force.", "Never accept:", "• Cash", "• Vouchers", "• Gift cards", "• Loans",
             "• Tickets", "• Discounts"]

    assert furniture.menu_lines(lines) == set()
    assert furniture.menu_lines(["Site", "• About", "• News", "• Careers", "• Contact",
                                 "• Search", "Gifts policy"]) == {1, 2, 3, 4, 5}


def test_a_running_head_repeated_through_one_document_is_dropped(tmp_path: Path) -> None:
    head = "HMIC (2011) Without fear or favour: A review of police relationships"
    findings = ["Gifts are recorded.", "Leaks are investigated.", "Vetting is renewed.",
                "Finding 4 is set out below."]
    body = "\n\n".join(f"{head} {page}\n\n{finding}\n\nFinding {page} is set out below."
                       for page, finding in enumerate(findings, start=2))
    passages = _passages(tmp_path, "review.txt", body + "\n")

    assert head not in _all_text(passages)
    assert all(finding in _all_text(passages) for finding in findings)
    assert _all_text(passages).count("is set out below.") == 5


def test_shared_lines_across_documents_still_dropped_and_within_one_kept_once(
        tmp_path: Path) -> None:
    banner = "This site is a beta, which means it's a work in progress."
    for topic in ("gifts", "debt", "vetting"):
        (tmp_path / f"{topic}.txt").write_text(
            f"{banner}\n\n1. Rule\nThe {topic} rule applies.\n", encoding="utf-8")

    documents, _ = load_folder(tmp_path)

    assert not any("beta" in p.text for p in chunk(documents))


# Words PDF extraction ran together ----------------------------------------------------------

def test_words_run_together_are_found_as_written_and_as_their_parts() -> None:
    assert {"policestaff", "police", "staff"} <= set(words("recruitment of PoliceStaff"))
    assert {"schedulestandards", "schedule", "standards"} <= set(words("SCHEDULEStandards"))
    assert {"concessions", "7"} <= set(words("Discounts and Concessions7"))
    assert "every" in words("2.1Every offer")
    # names and abbreviations are left whole
    assert words("PCSOs use TikTok and eBay") == ["pcsos", "use", "tiktok", "and", "ebay"]
    assert terms("forBetterPolicing")[1:] == terms("for better policing")


def test_a_clause_number_glued_to_a_heading_is_told_apart() -> None:
    assert furniture.unglue("A.1Aim of the SOP") == "A.1 Aim of the SOP"
    assert furniture.unglue("2Applicability") == "2 Applicability"
    assert furniture.unglue("2020 was a year") == "2020 was a year"


def test_ocr_hyphenation_is_mended_only_where_the_document_knows_the_word() -> None:
    text = ("Vetting is an organisational duty. The organi-\nsational view is final. "
            "A well-\nknown rule and a well known rule are both here.")

    mended = furniture.mend_hyphenation(text)

    assert "The organisational view" in mended and "well-known" in mended


# Windows -------------------------------------------------------------------------------------

def test_windows_are_bounded_and_overlap_by_a_short_paragraph() -> None:
    paragraphs = [("word " * 70).strip() if n % 3 else "Short rule carried over."
                  for n in range(15)]

    found = windows(paragraphs)

    assert sum(len(p.split()) for p in paragraphs) > MAX_PASSAGE_WORDS and len(found) > 1
    assert all(len(text.split()) <= WINDOW_WORDS + OVERLAP_WORDS for _, text in found)
    # each window after the first starts with the short paragraph that ended the one before
    for (_, before), (start, after) in zip(found, found[1:], strict=False):
        if len(paragraphs[start].split()) <= OVERLAP_WORDS:
            assert before.endswith(paragraphs[start]) and after.startswith(paragraphs[start])
    assert windows(["a few words"]) == [(0, "a few words")] and windows([]) == []


def test_a_menu_in_plain_list_markup_is_left_out_of_an_html_page(tmp_path: Path) -> None:
    items = "".join(f"<li><a href='/{n}'>{n.title()}</a></li>" for n in (
        "about", "news", "careers", "contact", "search", "privacy"))
    passages = _passages(tmp_path, "gifts.html", (
        f"<html><body><ul>{items}</ul><h1>Gifts</h1><h2>1. Declaring</h2>"
        "<p>Declare every gift within 28 days of the offer, whether or not you accept it."
        "</p><p>Never accept:</p><ul><li>cash</li><li>vouchers</li><li>loans</li>"
        "<li>tickets</li><li>discounts</li></ul></body></html>"))

    text = _all_text(passages)
    assert "Careers" not in text and "Privacy" not in text
    assert "- vouchers" in text and "- discounts" in text


def test_word_contents_entries_are_not_headings(tmp_path: Path) -> None:
    import docx

    word = docx.Document()
    styles = word.styles
    for name in ("TOC 1", "TOC 2"):
        if name not in [style.name for style in styles]:
            styles.add_style(name, 1)
    word.add_paragraph("1. Declaring\t2", style="TOC 1")
    word.add_paragraph("2. Raffles\t3", style="TOC 2")
    word.add_heading("1. Declaring", level=1)
    word.add_paragraph("Declare every gift within 28 days.")
    path = tmp_path / "gifts.docx"
    word.save(str(path))

    passages = chunk([load_document(path)])

    # the entry with a section of its own is left to it; the other stays, as text
    assert [(p.section, p.text) for p in passages] == [
        ("Gifts", "2. Raffles\t3"), ("1. Declaring", "Declare every gift within 28 days.")]
