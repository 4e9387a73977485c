"""The public register: the configured fields only, declined offers included, the outcome as
the integrity unit decided it, accessible HTML."""

from __future__ import annotations

import csv
import dataclasses
import io
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml
from fixtures.casework import factory
from fixtures.casework.factory import at

from bot.casework.errors import CaseworkError
from bot.casework.publication import (
    PublicationConfig,
    PublicationConfigError,
    parse_quarter,
    public_entries,
    render_public_html,
    write_public_csv,
)
from bot.casework.registers import csv_table, register_entries, write_json
from bot.casework.rules import CaseworkRules
from bot.casework.service import Casework
from bot.config import PROJECT_ROOT, Settings
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
         "Offered by", "Estimated value (£)", "Outcome", "Where it went"],
        ["2026-07-15", "PC", "", "Two tickets to the rugby", "Acme Security Ltd", "80.00",
         "Accepted, awaiting decision", ""],
        ["2026-08-01", "PC", "", "Bottle of wine <b>& card</b>", "Member of the public",
         "15.00", "Declined", ""],
        ["2026-09-02", "Fleet manager", "", "Calendar", "Supplier or bidder", "20.00",
         "Accepted, awaiting decision", ""],
        ["2026-09-10", "Chief Inspector", "", "Tin of biscuits", "Member of the public",
         "12.00", "Accepted, awaiting decision", "Shared with the team"],
        ["2026-09-30", "Chief Constable", "Alex Reed", "Gala dinner",
         "Northmoor Chamber of Commerce", "60.00", "Accepted, awaiting decision", ""],
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


@pytest.fixture
def decided(store: Store, settings: Settings) -> tuple[Casework, dict[str, str]]:
    """One gift in each standing: declined, approved, refused, refused then appeal
    dismissed, awaiting a decision, approved with conditions, and an appeal upheld. Every
    accepted one says it was shared with the team, and each carries the filing snapshot."""
    rules = CaseworkRules.from_settings(
        dataclasses.replace(settings, handlers=("psd.khan", "psd.okafor")))
    casework = Casework(store, settings, rules=rules)
    made: dict[str, str] = {}
    with store.transaction() as session:
        made["khan"] = str(factory.person(session, "psd.khan", "Sam Khan", rank="Inspector",
                                          team="PSD").id)
        made["okafor"] = str(factory.person(session, "psd.okafor", "Ada Okafor",
                                            rank="Chief Inspector", team="PSD").id)
        pc = factory.person(session, "pc.jones", "Chris Jones", rank="PC",
                            role="Response officer", team="Response North")
        made["pc"] = str(pc.id)
        for day, name, outcome in [
            ("2026-07-01", "declined", "declined"), ("2026-07-02", "approved", "accepted"),
            ("2026-07-03", "refused", "accepted"), ("2026-07-04", "dismissed", "accepted"),
            ("2026-07-05", "undecided", "accepted"), ("2026-07-06", "conditions", "accepted"),
            ("2026-07-07", "upheld", "accepted"),
        ]:
            gift = factory.gift(session, pc, "Acme Security Ltd", 3000, day, outcome=outcome,
                                description=f"Hamper ({name})")
            snapshot = {"name": "Chris Jones", "rank_or_grade": "PC", "staff_type": "officer",
                        "role": "Response officer", "team": "Response North"}
            gift.answers = {**gift.answers, "_declarant": snapshot,
                            "_precision": {"occurred_on": "day"},
                            **({"destination": "shared_with_team"}
                               if outcome == "accepted" else {})}
            made[name] = gift.reference
    khan, okafor, pc_id = int(made["khan"]), int(made["okafor"]), int(made["pc"])
    casework.decide(made["declined"], "noted", "Declined; recorded.", by=khan,
                    now=at("2026-07-10"))
    casework.decide(made["approved"], "approved", "Low value, no conflict.", by=khan,
                    now=at("2026-07-10"))
    casework.decide(made["conditions"], "approved_with_conditions", "Team event.", by=khan,
                    conditions="Shared at Oldtown station only", now=at("2026-07-10"))
    for name in ("refused", "dismissed", "upheld"):
        casework.decide(made[name], "refused", "Bidder in a live tender.", by=khan,
                        now=at("2026-07-10"))
    for name in ("dismissed", "upheld"):
        casework.lodge_appeal(made[name], "It was a thank-you.", by=pc_id, now=at("2026-07-11"))
    casework.decide_appeal(made["dismissed"], "dismissed", "The tender was live.", by=okafor,
                           now=at("2026-07-12"))
    casework.decide_appeal(made["upheld"], "upheld", "The tender had closed.", by=okafor,
                           now=at("2026-07-12"))
    return casework, made


def _published_rows(store: Store, config: PublicationConfig) -> list[list[str]]:
    stream = io.StringIO()
    with store.session() as session:
        write_public_csv(public_entries(session, config, Q3), config, stream)
    return list(csv.reader(io.StringIO(stream.getvalue())))


def _configured(tmp_path: Path, **changes: object) -> PublicationConfig:
    raw = yaml.safe_load(BUNDLED.read_text(encoding="utf-8"))
    raw["gifts"].update(changes)
    path = tmp_path / "publication.yaml"
    path.write_text(yaml.safe_dump(raw), encoding="utf-8")
    return PublicationConfig.load(path)


HEADER = ["Date offered", "Rank or role", "Name (chief officers only)", "What was offered",
          "Offered by", "Estimated value (£)", "Outcome", "Where it went"]


def test_the_published_outcome_is_the_standing_decision_not_the_declarants_answer(
    store: Store, decided: tuple[Casework, dict[str, str]],
) -> None:
    rows = _published_rows(store, PublicationConfig.load(BUNDLED))
    assert rows == [
        HEADER,
        ["2026-07-01", "PC", "", "Hamper (declined)", "Acme Security Ltd", "30.00",
         "Declined", ""],
        ["2026-07-02", "PC", "", "Hamper (approved)", "Acme Security Ltd", "30.00",
         "Accepted with approval", "Shared with the team"],
        # Refused: never "Accepted", and the declarant's "shared with the team" is withheld.
        ["2026-07-03", "PC", "", "Hamper (refused)", "Acme Security Ltd", "30.00",
         "Refused: returned or surrendered", ""],
        ["2026-07-04", "PC", "", "Hamper (dismissed)", "Acme Security Ltd", "30.00",
         "Refused: returned or surrendered", ""],
        ["2026-07-05", "PC", "", "Hamper (undecided)", "Acme Security Ltd", "30.00",
         "Accepted, awaiting decision", "Shared with the team"],
        # PSD's conditions are not published by default.
        ["2026-07-06", "PC", "", "Hamper (conditions)", "Acme Security Ltd", "30.00",
         "Accepted with approval, subject to conditions", "Shared with the team"],
        ["2026-07-07", "PC", "", "Hamper (upheld)", "Acme Security Ltd", "30.00",
         "Accepted with approval", "Shared with the team"],
    ]
    assert "Oldtown" not in str(rows)


def test_conditions_and_a_refused_gifts_destination_are_published_only_when_configured(
    store: Store, decided: tuple[Casework, dict[str, str]], tmp_path: Path,
) -> None:
    config = _configured(tmp_path, publish_conditions=True, destination_when_refused=True,
                         outcome_labels={"declined": "Declined",
                                         "awaiting_decision": "Pending",
                                         "approved": "Approved", "noted": "Recorded",
                                         "approved_with_conditions": "Approved with conditions",
                                         "refused": "Refused"})
    outcomes = [(row[3], row[6], row[7]) for row in _published_rows(store, config)[1:]]
    assert outcomes == [
        ("Hamper (declined)", "Declined", ""),
        ("Hamper (approved)", "Approved", "Shared with the team"),
        ("Hamper (refused)", "Refused", "Shared with the team"),
        ("Hamper (dismissed)", "Refused", "Shared with the team"),
        ("Hamper (undecided)", "Pending", "Shared with the team"),
        ("Hamper (conditions)", "Approved with conditions: Shared at Oldtown station only",
         "Shared with the team"),
        ("Hamper (upheld)", "Approved", "Shared with the team"),
    ]


def test_the_decision_column_still_reads_the_bare_outcome(
    store: Store, decided: tuple[Casework, dict[str, str]], tmp_path: Path,
) -> None:
    config = _configured(tmp_path, columns=[{"field": "description", "heading": "What"},
                                            {"field": "decision", "heading": "Decision"}])
    assert _published_rows(store, config)[1:] == [
        ["Hamper (declined)", "noted"], ["Hamper (approved)", "approved"],
        ["Hamper (refused)", "refused"], ["Hamper (dismissed)", "appeal dismissed"],
        ["Hamper (undecided)", "awaiting decision"],
        ["Hamper (conditions)", "approved with conditions"],
        ["Hamper (upheld)", "appeal upheld"],
    ]


def test_the_html_count_of_declined_offers_does_not_depend_on_the_wording(
    store: Store, decided: tuple[Casework, dict[str, str]], tmp_path: Path,
) -> None:
    labels = {"declined": "Turned down", "awaiting_decision": "Pending", "approved": "Yes",
              "approved_with_conditions": "Yes*", "noted": "Noted", "refused": "No"}
    config = _configured(tmp_path, outcome_labels=labels)
    assert "7 entries, 1 declined." in render_public_html(_entries_from(store, config),
                                                          config, Q3)


@pytest.mark.parametrize(("labels", "problem"), [
    ({"declined": "Declined"}, "outcome_labels needs wording for awaiting_decision"),
    ({"declined": "D", "awaiting_decision": "A", "approved": "A", "noted": "N",
      "approved_with_conditions": "C", "refused": "R", "accepted": "X"},
     "unknown outcome_labels accepted"),
])
def test_outcome_wording_must_be_complete(tmp_path: Path, labels: dict[str, str],
                                          problem: str) -> None:
    with pytest.raises(PublicationConfigError, match=problem):
        _configured(tmp_path, outcome_labels=labels)


def test_internal_keys_are_not_exported_as_answers(
    store: Store, settings: Settings, decided: tuple[Casework, dict[str, str]],
) -> None:
    with store.session() as session:
        entries = register_entries(session, decided[0].rules, "gift_hospitality",
                                   now=at("2026-09-01"))
    header, _ = csv_table(entries)
    assert [column for column in header if column.startswith("answer:")] == [
        "answer:destination", "answer:donor_name", "answer:what"]
    stream = io.StringIO()
    write_json(entries, stream)
    assert "_declarant" not in stream.getvalue() and "_precision" not in stream.getvalue()
    assert entries[1]["answers"] == {"what": "Hamper (approved)", "donor_name": None,
                                     "destination": "shared_with_team"}


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
