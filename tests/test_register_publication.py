"""The public register: the configured fields only, declined offers included, accessible HTML."""

from __future__ import annotations

import csv
import io
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml
from fixtures.casework import factory

from bot.casework.errors import CaseworkError
from bot.casework.publication import (
    PublicationConfig,
    PublicationConfigError,
    parse_quarter,
    public_entries,
    render_public_html,
    write_public_csv,
)
from bot.config import PROJECT_ROOT
from bot.store import Store

BUNDLED = PROJECT_ROOT / "knowledge" / "publication.yaml"
Q3 = parse_quarter("2026Q3")


@pytest.fixture
def seeded(store: Store) -> None:
    with store.transaction() as session:
        chief = factory.person(session, "cc.reed", "Alex Reed", rank="Chief Constable",
                               role="Chief Constable", team="Chief Officer Team")
        pc = factory.person(session, "pc.jones", "Chris Jones", rank="PC",
                            role="Response officer", team="Response North")
        staff = factory.person(session, "s.patel", "Mo Patel", rank=None,
                               role="Fleet manager", team="Estates", staff_type="staff")
        factory.gift(session, pc, "Acme Security Ltd", 8000, "2026-07-15",
                     description="Two tickets to the rugby", donor="Pat Acme")
        factory.gift(session, pc, None, 1500, "2026-08-01", outcome="declined",
                     relationship="public", donor="Mrs Edith Smith",
                     description="Bottle of wine <b>& card</b>")
        factory.gift(session, chief, "Northmoor Chamber of Commerce", 6000, "2026-09-30",
                     relationship="partner_agency", description="Gala dinner")
        factory.gift(session, staff, None, 2000, "2026-09-02", relationship="supplier_or_bidder",
                     description="Calendar")
        factory.gift(session, pc, "Out Of Quarter Ltd", 500, "2026-06-30",
                     description="Pen")
        promoted = factory.person(session, "supt.shaw", "Robin Shaw", rank="Superintendent",
                                  role="Head of Crime", team="Crime")
        # Filed when Shaw was a chief inspector: the register shows the rank held then.
        tin = factory.gift(session, promoted, None, 1200, "2026-09-10", relationship="victim",
                           description="Tin of biscuits")
        tin.answers = {**tin.answers, "destination": "shared_with_team",
                       "_declarant": {"name": "Robin Shaw", "rank_or_grade": "Chief Inspector",
                                      "role": "Detective chief inspector", "team": "CID"}}


def _entries(store: Store, config: PublicationConfig) -> list[dict[str, str]]:
    with store.session() as session:
        return [entry.cells for entry in public_entries(session, config, Q3)]


def test_the_bundled_configuration_publishes_what_the_policy_says(
    store: Store, seeded: None,
) -> None:
    config = PublicationConfig.load(BUNDLED)
    stream = io.StringIO()
    with store.session() as session:
        write_public_csv(public_entries(session, config, Q3), config, stream)
    rows = list(csv.reader(io.StringIO(stream.getvalue())))
    assert rows == [
        ["Date offered", "Rank or role", "Name (chief officers only)", "What was offered",
         "Offered by", "Estimated value (£)", "Accepted or declined", "Where it went"],
        ["2026-07-15", "PC", "", "Two tickets to the rugby", "Acme Security Ltd", "80.00",
         "Accepted", ""],
        ["2026-08-01", "PC", "", "Bottle of wine <b>& card</b>", "Member of the public",
         "15.00", "Declined", ""],
        ["2026-09-02", "Fleet manager", "", "Calendar", "Supplier or bidder", "20.00",
         "Accepted", ""],
        ["2026-09-10", "Chief Inspector", "", "Tin of biscuits", "Member of the public",
         "12.00", "Accepted", "Shared with the team"],
        ["2026-09-30", "Chief Constable", "Alex Reed", "Gala dinner",
         "Northmoor Chamber of Commerce", "60.00", "Accepted", ""],
    ]
    published = stream.getvalue()
    for private in ("Chris Jones", "Mo Patel", "Pat Acme", "Edith Smith", "Response North",
                    "Out Of Quarter", "Robin Shaw", "Superintendent"):
        assert private not in published


def test_fields_the_configuration_leaves_out_are_never_published(
    store: Store, seeded: None, tmp_path: Path,
) -> None:
    raw = yaml.safe_load(BUNDLED.read_text(encoding="utf-8"))
    raw["gifts"]["columns"] = [c for c in raw["gifts"]["columns"]
                               if c["field"] not in ("name", "donor")]
    raw["gifts"]["names_for_ranks"] = ["Chief Constable"]
    path = tmp_path / "publication.yaml"
    path.write_text(yaml.safe_dump(raw), encoding="utf-8")
    config = PublicationConfig.load(path)

    html = render_public_html(_entries_from(store, config), config, Q3)
    stream = io.StringIO()
    write_public_csv(_entries_from(store, config), config, stream)
    for published in (html, stream.getvalue()):
        assert "Alex Reed" not in published  # no name column, even for the chief
        assert "Acme Security" not in published and "Chamber of Commerce" not in published
        assert "Offered by" not in published


def _entries_from(store: Store, config: PublicationConfig):  # type: ignore[no-untyped-def]
    with store.session() as session:
        return public_entries(session, config, Q3)


def test_names_need_a_listed_rank_even_when_the_column_is_shown(
    store: Store, seeded: None, tmp_path: Path,
) -> None:
    raw = yaml.safe_load(BUNDLED.read_text(encoding="utf-8"))
    raw["gifts"]["names_for_ranks"] = []
    path = tmp_path / "publication.yaml"
    path.write_text(yaml.safe_dump(raw), encoding="utf-8")
    assert {cells["name"] for cells in _entries(store, PublicationConfig.load(path))} == {""}


def test_an_unknown_field_in_the_configuration_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "publication.yaml"
    path.write_text("gifts:\n  columns:\n    - field: counterparty_name\n", encoding="utf-8")
    with pytest.raises(PublicationConfigError, match="unknown column field 'counterparty_name'"):
        PublicationConfig.load(path)


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def test_the_html_page_is_accessible_and_escapes_text(store: Store, seeded: None) -> None:
    config = PublicationConfig.load(BUNDLED)
    html = render_public_html(_entries_from(store, config), config, Q3)
    page = _Page()
    page.feed(html)
    tags = [tag for tag, _ in page.tags]

    assert html.startswith("<!DOCTYPE html>")
    assert ("html", {"lang": "en-GB"}) in page.tags
    assert tags.count("table") == 1 and "caption" in tags and "thead" in tags
    headers = [attrs for tag, attrs in page.tags if tag == "th"]
    assert len(headers) == 8 and all(attrs == {"scope": "col"} for attrs in headers)
    assert "Gifts and hospitality offered, 1 July 2026 to 30 September 2026" in page.text
    assert "<b>" not in html and "Bottle of wine &lt;b&gt;&amp; card&lt;/b&gt;" in html
    assert '<time datetime="2026-08-01">1 August 2026</time>' in html
    assert "5 entries, 1 declined." in html


def test_an_empty_quarter_says_so(store: Store) -> None:
    config = PublicationConfig.load(BUNDLED)
    html = render_public_html([], config, parse_quarter("2025Q1"))
    assert "No offers of gifts or hospitality were declared in this period." in html
    assert "<table>" not in html


@pytest.mark.parametrize(("text", "scheme", "first", "last"), [
    ("2026Q3", "calendar", "2026-07-01", "2026-09-30"),
    ("2026-Q4", "calendar", "2026-10-01", "2026-12-31"),
    ("Q1 2026", "financial", "2026-04-01", "2026-06-30"),
    ("2026Q4", "financial", "2027-01-01", "2027-03-31"),
])
def test_quarters(text: str, scheme: str, first: str, last: str) -> None:
    quarter = parse_quarter(text, scheme)
    assert (quarter.start.isoformat(), quarter.end.isoformat()) == (first, last)


def test_a_bad_quarter_is_explained() -> None:
    with pytest.raises(CaseworkError, match="write it like 2026Q3"):
        parse_quarter("2026Q5")
