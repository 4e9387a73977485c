"""Cross-checks on a seeded register with planted problems and near misses."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from fixtures.casework import factory
from fixtures.casework.seed import AS_OF, seed

from bot.casework.checks import Finding, run_checks
from bot.casework.names import NameIndex, best_matches, normalise_organisation
from bot.casework.rules import CaseworkRules
from bot.config import Settings
from bot.store import Store


@pytest.fixture
def rules(settings: Settings) -> CaseworkRules:
    return CaseworkRules.from_settings(dataclasses.replace(settings, handlers=("psd.khan",)))


@pytest.fixture
def seeded(store: Store, rules: CaseworkRules) -> tuple[dict[str, str], list[Finding]]:
    with store.transaction() as session:
        refs = seed(session, rules)
    with store.session() as session:
        findings = run_checks(session, rules, dt.date.fromisoformat(AS_OF))
    return refs, findings


def test_every_planted_problem_is_found_and_nothing_else(
    seeded: tuple[dict[str, str], list[Finding]],
) -> None:
    refs, findings = seeded
    found = {(f.check, f.severity, f.records, f.people) for f in findings}
    assert found == {
        ("gift_from_bidder_during_tender", "high", (refs["acme_tender"],), ("Chris Jones",)),
        ("accepted_over_limit_without_approval", "high", (refs["acme_tender"],),
         ("Chris Jones",)),
        ("gift_from_supplier_before_award", "medium", (refs["fleet_before_award"],),
         ("Pat Kim",)),
        ("gift_from_supplier", "medium", (refs["bluelight"],), ("Dana Lee",)),
        ("repeated_offers_to_person", "high", (refs["crown_1"], refs["crown_2"]),
         ("Chris Jones",)),
        ("repeated_offers_to_team", "medium",
         (refs["rotary_jones"], refs["rotary_lee"], refs["rotary_kim"]),
         ("Chris Jones", "Dana Lee", "Pat Kim")),
        ("senior_rank_without_declarations", "medium", (), ("Jo Morgan",)),
        ("senior_rank_without_declarations", "medium", (), ("Robin Shaw",)),
        ("compliance_check_overdue", "high", (refs["bi_overdue"],), ("Pat Kim",)),
    }
    assert [f.severity for f in findings] == sorted(
        (f.severity for f in findings), key=["high", "medium"].index)


def test_findings_say_why_and_name_the_contract(
    seeded: tuple[dict[str, str], list[Finding]],
) -> None:
    refs, findings = seeded
    by_check = {f.check: f for f in findings}
    tender = by_check["gift_from_bidder_during_tender"]
    assert tender.contract == "Custody suite CCTV maintenance 2026"
    assert "'ACME Security Limited' matches supplier 'Acme Security Ltd'" in tender.why
    assert "during a tender" in tender.why
    assert "£80.00, at or above the £25.00 limit" in \
        by_check["accepted_over_limit_without_approval"].why
    assert "worth £30.00 together, at or above the £25.00 limit" in \
        by_check["repeated_offers_to_person"].why
    assert "due on 2026-05-02, 122 days ago" in by_check["compliance_check_overdue"].why


def test_a_different_acme_is_not_taken_for_the_bidder(
    seeded: tuple[dict[str, str], list[Finding]],
) -> None:
    refs, findings = seeded
    assert not [f for f in findings if refs["acme_catering"] in f.records]


def test_the_limit_comes_from_configuration(
    store: Store, rules: CaseworkRules,
) -> None:
    with store.transaction() as session:
        refs = seed(session, rules)
    raised = dataclasses.replace(rules, gift_limit_pence=10_000)
    with store.session() as session:
        findings = run_checks(session, raised, dt.date.fromisoformat(AS_OF))
    checks = {(f.check, f.records) for f in findings}
    assert ("accepted_over_limit_without_approval", (refs["acme_tender"],)) not in checks
    repeated = next(f for f in findings if f.check == "repeated_offers_to_person")
    assert repeated.severity == "medium"


def test_which_ranks_are_senior_is_configuration(store: Store, rules: CaseworkRules) -> None:
    with store.transaction() as session:
        seed(session, rules)
    only_sergeants = dataclasses.replace(rules, senior_ranks=("sergeant",))
    with store.session() as session:
        findings = run_checks(session, only_sergeants, dt.date.fromisoformat(AS_OF))
    # The sergeant declared this year, so nobody senior is silent.
    assert not [f for f in findings if f.check == "senior_rank_without_declarations"]


def test_directory_staff_who_never_used_probity_are_checked(
    store: Store, rules: CaseworkRules,
) -> None:
    directory = [{"surface_id": "acc.ng", "display_name": "Sam Ng",
                  "rank_or_grade": "Assistant Chief Constable"}]
    with store.session() as session:
        findings = run_checks(session, rules, dt.date(2026, 9, 1), directory)
    assert [(f.check, f.people) for f in findings] == [
        ("senior_rank_without_declarations", ("Sam Ng",))]


# Names as a donor might type them against names on a supplier list: (typed, listed, same?).
NEAR_MISSES = [
    ("ACME Security Limited", "Acme Security Ltd", True),
    ("Acme Security Ltd.", "acme security", True),
    ("Acme Security Services", "Acme Security Ltd", True),  # a trading name
    ("Acme Security Group Holdings", "ACME Security (UK) Limited", True),
    ("Smith & Jones LLP", "Smith and Jones", True),
    ("J Smith & Sons", "J. Smith and Sons Ltd", True),
    ("The Crown Hotel", "Crown Hotel", True),
    ("Bluelight Events", "Blue Light Events PLC", True),
    ("Acme Securty Ltd", "Acme Security Limited", True),  # a typing slip
    ("G4S", "G4S Secure Solutions (UK) Ltd", True),  # the group's name for its subsidiary
    ("Serco", "Serco Ltd", True),
    # A name given short: every word of it is in the listed one. A prompt to look.
    ("Acme", "Acme Security Ltd", True),
    ("Acme Catering", "Acme Security Ltd", False),
    ("Acme Catering Services", "Acme Security Services", False),  # shared descriptor only
    ("Northgate Training", "Northgate Security", False),
    ("Northmoor Security", "Southmoor Security Ltd", False),  # 89 on shape alone
    # One letter off in a long word is a slip; in a four-letter name it is another word.
    ("Acme Securiyt", "Acme Security", True),
    ("Acne Security", "Acme Security", False),
    ("Northmoor Rotary Club", "Northmoor Fleet Services PLC", False),
    ("Crown Commercial Service", "The Crown Hotel", False),
    ("Limited", "Acme Security Ltd", False),
    # Descriptors alone are never part of another name, though a firm may be called that.
    ("Services Ltd", "Acme Services", False),
    ("UK Group Holdings", "Acme UK Group Holdings", False),
    ("Global Solutions International", "Global Solutions International Ltd", True),
    # Long names take another path through the index.
    ("Northmoor and District Police Federation Sports and Social Club Annual Committee",
     "Police Federation", True),
]


@pytest.mark.parametrize(("typed", "listed", "same"), NEAR_MISSES)
def test_near_miss_organisation_names(typed: str, listed: str, same: bool) -> None:
    assert bool(best_matches(typed, [listed], key=normalise_organisation)) is same
    assert bool(best_matches(listed, [typed], key=normalise_organisation)) is same


def test_the_index_matches_exactly_as_comparing_every_pair_does() -> None:
    listed = [listed for _, listed, _ in NEAR_MISSES]
    typed = [typed for typed, _, _ in NEAR_MISSES] + [None, ""]
    index = NameIndex(listed, normalise_organisation)
    assert index.match_many(typed) == [
        best_matches(name, listed, key=normalise_organisation) if name else []
        for name in typed]


def test_a_partial_name_is_reported_as_such() -> None:
    (match,) = best_matches("G4S", ["G4S Secure Solutions (UK) Ltd"],
                            key=normalise_organisation)
    assert (match.score, match.kind) == (100.0, "part")
    (slip,) = best_matches("Acme Securty", ["Acme Security Ltd"], key=normalise_organisation)
    assert slip.kind == "similar" and 90 <= slip.score < 100


def test_normalising_drops_legal_forms_punctuation_and_case() -> None:
    assert normalise_organisation("  A.C.M.E. Security (UK) Ltd. ") == "a c m e security uk"
    assert normalise_organisation("Smith & Jones Co.") == "smith jones"
    assert normalise_organisation("O'Brien's Taxis Limited") == "obriens taxis"
    assert normalise_organisation("Café Nero PLC") == "cafe nero"


def test_the_indexed_checks_find_what_the_pair_by_pair_checks_find(
    store: Store, rules: CaseworkRules,
) -> None:
    with store.transaction() as session:
        refs = seed(session, rules)
        extra = factory.person(session, "pc.ash", "Sam Ash", rank="PC", team="Response North")
        # Planted near misses both ways: a trading name, a short name, a different firm.
        for organisation, day in (
            ("Acme Security Services", "2026-07-01"), ("Acme", "2026-07-02"),
            ("Acme Catering Ltd", "2026-07-03"), ("Northmoor Fleet", "2026-07-04"),
            ("Crown Hotels", "2026-07-05"),
        ):
            factory.gift(session, extra, organisation, 1000, day)
    with store.session() as session:
        fast = run_checks(session, rules, dt.date.fromisoformat(AS_OF))
        slow = run_checks(session, rules, dt.date.fromisoformat(AS_OF), indexed=False)
    assert fast == slow
    assert len([f for f in fast if f.people == ("Sam Ash",)]) >= 4
    assert refs


def _checked(store: Store, rules: CaseworkRules, organisation: str, day: str,
             tender_running: bool | None, outcome: str = "accepted") -> list[Finding]:
    """Findings about one gift filed against the seeded supplier list."""
    with store.transaction() as session:
        seed(session, rules)
        who = factory.person(session, "pc.ash", "Sam Ash", rank="PC", team="Roads")
        reference = factory.gift(session, who, organisation, 1500, day, outcome=outcome,
                                 tender_running=tender_running).reference
    with store.session() as session:
        findings = run_checks(session, rules, dt.date.fromisoformat(AS_OF))
    return [f for f in findings if reference in f.records]


def test_a_tender_the_declarant_reports_is_a_finding_though_no_supplier_is_listed(
    store: Store, rules: CaseworkRules,
) -> None:
    (finding,) = _checked(store, rules, "Harbour Drones Ltd", "2026-07-10", True)
    assert (finding.check, finding.severity, finding.people) == (
        "gift_during_declared_tender", "high", ("Sam Ash",))
    assert "Harbour Drones Ltd is not on the supplier list" in finding.why
    assert "check the contracts register" in finding.why


def test_when_declarant_and_supplier_list_agree_there_is_one_finding(
    store: Store, rules: CaseworkRules,
) -> None:
    found = _checked(store, rules, "Acme Security Ltd", "2026-08-20", True,
                     outcome="declined")
    assert [(f.check, f.severity) for f in found] == [
        ("gift_from_bidder_during_tender", "medium")]
    assert "The declarant also said a tender was running." in found[0].why


def test_a_declared_tender_outside_the_listed_dates_is_still_a_finding(
    store: Store, rules: CaseworkRules,
) -> None:
    # Blue Light holds an awarded contract; the declarant says it is bidding for another.
    found = _checked(store, rules, "Blue Light Events", "2026-07-10", True)
    assert [f.check for f in found] == ["gift_during_declared_tender", "gift_from_supplier"]
    assert "is on the supplier list but not shown tendering on that day" in found[0].why


def test_the_supplier_list_overrides_a_declarants_no(store: Store, rules: CaseworkRules) -> None:
    (finding,) = _checked(store, rules, "Acme Security Services", "2026-06-01", False)
    assert (finding.check, finding.severity, finding.contract) == (
        "gift_from_bidder_during_tender", "high", "Custody suite CCTV maintenance 2026")
    assert "The declarant said no tender was running, but the supplier list shows one." \
        in finding.why


def test_a_no_with_no_tendering_supplier_raises_nothing(store: Store, rules: CaseworkRules) -> None:
    assert _checked(store, rules, "Harbour Drones Ltd", "2026-07-10", False) == []
