"""Policy files as untrusted input: limits checked before parsing, refusals remembered, and
page furniture (banners, contents lines, page numbers, running heads) left out of passages."""

from __future__ import annotations

import zipfile
from pathlib import Path

from test_knowledge_support import write_docx, write_pdf

from bot.config import Settings
from bot.knowledge import Knowledge, furniture
from bot.knowledge.cache import SkipList
from bot.knowledge.chunking import chunk
from bot.knowledge.limits import FileLimits, refusal
from bot.knowledge.loaders import load_document, load_folder


def _zip_bomb(path: Path, unpacked_mb: int) -> Path:
    """A .docx-shaped zip whose document.xml is megabytes of one repeated byte."""
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open("word/document.xml", "w") as member:
            block = b"a" * (1024 * 1024)
            for _ in range(unpacked_mb):
                member.write(block)
    return path


def test_a_decompression_bomb_is_refused_before_it_is_unpacked(tmp_path: Path) -> None:
    bomb = _zip_bomb(tmp_path / "bomb.docx", 30)

    reason = refusal(bomb)

    assert bomb.stat().st_size < 200_000
    assert reason is not None and "compressed" in reason and "word/document.xml" in reason


def test_size_member_and_page_limits_name_what_is_too_big(tmp_path: Path) -> None:
    big = tmp_path / "big.txt"
    big.write_bytes(b"x" * 3000)
    pdf = write_pdf(tmp_path / "long.pdf", ["Title", "1. One", "Text."])
    docx = write_docx(tmp_path / "ok.docx", "Policy", {"1. Scope": ["Applies to all."]})

    assert "limit" in refusal(big, FileLimits(max_file_bytes=1000))
    assert "pages" in refusal(pdf, FileLimits(max_pages=0))
    assert refusal(docx) is None and refusal(pdf) is None
    assert "limit" in refusal(docx, FileLimits(max_members=1))


def test_a_refused_file_is_named_once_and_not_opened_again(tmp_path: Path,
                                                           monkeypatch) -> None:
    policies = tmp_path / "policies"
    policies.mkdir()
    (policies / "dogs.md").write_text("# Dogs\n\n## 1. Dogs\nDogs stay in the yard.\n")
    _zip_bomb(policies / "bomb.docx", 30)
    skipped = SkipList(tmp_path / "cache")

    _, first = load_folder(policies, skipped)
    import bot.knowledge.loaders as loaders

    checked = refusal

    def bomb_not_opened(path: Path, limits: FileLimits) -> str | None:
        assert path.name != "bomb.docx", "the refused file was opened again"
        return checked(path, limits)

    monkeypatch.setattr(loaders, "refusal", bomb_not_opened)
    (policies / "dogs.md").write_text("# Dogs\n\n## 1. Dogs\nDogs stay at home.\n")
    _, again = load_folder(policies, SkipList(tmp_path / "cache"))

    assert len(first) == 1 and first[0].startswith("bomb.docx: ")
    assert again == first


def test_knowledge_lists_the_refused_file_and_still_answers(tmp_path: Path) -> None:
    policies = tmp_path / "policies"
    policies.mkdir()
    (policies / "dogs.md").write_text("# Dogs\n\n## 1. Dogs at work\nDogs stay in the yard.\n")
    _zip_bomb(policies / "bomb.docx", 30)

    knowledge = Knowledge.load(Settings(home=tmp_path / "home", policies_dir=policies))

    assert [problem.split(":")[0] for problem in knowledge.problems] == ["bomb.docx"]
    assert knowledge.answer("can my dog stay in the yard?").answered


def test_contents_lines_and_page_numbers_are_furniture() -> None:
    assert furniture.is_contents_line("4. Gifts and hospitality ............ 12")
    assert furniture.is_contents_line("Appendix A . . . . . . . 31")
    assert furniture.is_page_number("Page 3 of 10") and furniture.is_page_number("- 4 -")
    assert not furniture.is_contents_line("Gifts worth £25 or more must be approved.")
    assert not furniture.is_page_number("25 pounds")


def test_a_consent_banner_is_furniture_but_a_rule_about_cookies_is_not() -> None:
    assert furniture.is_consent_banner(
        "We use cookies to improve your experience. Accept all cookies or manage your "
        "preferences in settings.")
    assert not furniture.is_consent_banner(
        "A box of cookies from a member of the public may be shared with the team.")


def test_running_headers_and_footers_are_dropped_from_pdf_pages() -> None:
    rules = ["Gifts are declared.", "Debts are reported.", "Tweets are careful.", "Be kind."]
    pages = [f"OFFICIAL - Northmoor Police\n{rule}\nPage {n} of 4"
             for n, rule in enumerate(rules, start=1)]

    cleaned = furniture.strip_running(pages)

    assert [page.strip() for page in cleaned] == rules
    assert all("OFFICIAL" not in page and "Page" not in page for page in cleaned)


def test_hyphenation_is_mended_where_the_document_shows_one_word() -> None:
    text = ("The organisation decides. Each organi-\nsation must declare. A self-\nemployed "
            "officer is self employed under this policy's self and employed rules.")

    mended = furniture.mend_hyphenation(text)

    assert "Each organisation must" in mended
    assert "self-employed" in mended


def test_a_banner_and_contents_page_do_not_become_passages(tmp_path: Path) -> None:
    page = tmp_path / "gifts.html"
    page.write_text(
        "<html><body><div id='cookie-banner'><p>We use cookies. Accept or reject "
        "analytics cookies in settings.</p></div><h1>Gifts</h1><p>Contents</p>"
        "<p>1. Declaring ........ 2</p><h2>1. Declaring</h2><p>Declare every gift within "
        "28 days.</p></body></html>", encoding="utf-8")

    passages = chunk([load_document(page)])

    assert [(p.section, p.text) for p in passages] == [
        ("Gifts", "Contents"), ("1. Declaring", "Declare every gift within 28 days.")] or [
        (p.section, p.text) for p in passages] == [
        ("1. Declaring", "Declare every gift within 28 days.")]
    assert not any("cookie" in p.text.lower() for p in passages)


def test_a_paragraph_repeated_across_most_documents_is_left_out(tmp_path: Path) -> None:
    footer = "Northmoor Police is committed to equality and diversity in all it does."
    for n, topic in enumerate(["gifts", "debt", "vetting", "media"]):
        (tmp_path / f"{topic}.md").write_text(
            f"# {topic}\n\n## 1. Rule\nThe {topic} rule number {n}.\n\n{footer}\n")

    documents, _ = load_folder(tmp_path)
    passages = chunk(documents)

    assert len(passages) == 4
    assert not any("equality" in p.text for p in passages)


def test_a_page_saved_as_text_with_an_html_name_is_read_as_text(tmp_path: Path) -> None:
    page = tmp_path / "kent-gifts.html"
    page.write_text("Skip to main content\nNOT PROTECTIVELY MARKED\nGifts and hospitality\n\n"
                    "1. Declaring\nDeclare every gift within 28 days.\n", encoding="utf-8")

    document = load_document(page)

    assert document.title == "Gifts and hospitality"
    assert [(s.headings, s.text) for s in document.sections] == [
        (("1. Declaring",), "Declare every gift within 28 days.")]


def test_a_line_every_page_of_a_site_shares_is_dropped_and_a_furniture_title_replaced(
        tmp_path: Path) -> None:
    beta = "This site is a beta, which means it's a work in progress."
    for topic in ("gifts", "debt", "vetting"):
        (tmp_path / f"kent-{topic}.txt").write_text(
            f"{beta}\n\n1. {topic.title()} rule\nThe {topic} rule applies to everyone.\n",
            encoding="utf-8")

    documents, _ = load_folder(tmp_path)
    passages = chunk(documents)

    assert [p.title for p in passages] == ["Kent debt", "Kent gifts", "Kent vetting"]
    assert not any("beta" in p.text for p in passages)
