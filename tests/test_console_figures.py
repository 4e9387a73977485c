"""The dashboard's figures in SQL, the register date in SQL, and plain labels, on both
backends."""

from __future__ import annotations

import dataclasses
import datetime as dt
import secrets

from fixtures.casework import factory
from sqlalchemy import select

from bot.casework.decisions import decide
from bot.casework.figures import SUPPRESS_BELOW, compute_figures
from bot.casework.labels import AnswerLabels, plain, status_label, when
from bot.casework.queries import (
    DeclarationSearch,
    list_declarations,
    register_date,
    register_day,
    search_declarations,
)
from bot.casework.rules import CaseworkRules
from bot.config import Settings
from bot.store import Store
from bot.store.models import Declaration
from bot.store.vault.models import Report


def _report(session, category: str, day: str) -> None:
    received = dt.date.fromisoformat(day)
    session.add(Report(id=secrets.randbelow(2**31), reference=f"R-{secrets.token_hex(4)}",
                       mode="anonymous", category=category, receipt_hash="x",
                       sealed_content=b"x", received_on=received,
                       acknowledge_due=received + dt.timedelta(days=7),
                       feedback_due=received + dt.timedelta(days=90)))


def test_dashboard_figures_count_in_sql_and_suppress_small_report_counts(
        store: Store, settings: Settings) -> None:
    settings = dataclasses.replace(settings, handlers=("psd.khan",))
    rules = CaseworkRules.from_settings(settings)
    with store.transaction() as session:
        khan = factory.person(session, "psd.khan", "Sam Khan")
        jones = factory.person(session, "pc.jones", "Chris Jones", team="Response")
        for day, outcome in (("2026-06-03", "accepted"), ("2026-06-10", "declined"),
                             ("2026-07-01", "declined"), ("2026-07-02", "declined")):
            factory.gift(session, jones, "Acme", 1000, day, outcome=outcome)
        interest = factory.declaration(session, jones, "business_interest",
                                       submitted="2026-07-05",
                                       answers={"interest_type": "second_job"})
        reference = interest.reference
        for number in range(6):
            _report(session, "corruption", f"2026-07-{number + 1:02d}")
        _report(session, "bullying", "2026-07-09")
    with store.transaction() as session:
        decide(session, rules, reference, "approved", "Fine.", session.get(type(khan), khan.id),
               now=dt.datetime(2026, 8, 20, tzinfo=dt.UTC))
    with store.session() as session:
        figures = compute_figures(session, rules, "2026-07", dt.date(2026, 8, 31))
    assert figures.months[-2:] == ["2026-06", "2026-07"] and len(figures.months) == 12
    assert figures.by_kind["gift_hospitality"]["2026-06"] == 2
    assert figures.by_kind["business_interest"]["2026-07"] == 1
    assert figures.declined_share("2026-06") == 0.5 and figures.declined_share("2026-07") == 1
    assert figures.declined_share("2026-05") is None
    assert figures.decision_times.decided["2026-07"] == 1
    assert figures.decision_times.median_days["2026-07"] == 46  # 5 July to 20 August
    assert figures.decision_times.over_target["2026-07"] == 1
    assert figures.interests_by_type == {"second_job": 1}
    # Every gift is still waiting and past its target on 31 August.
    assert figures.late_by_kind == {"gift_hospitality": 4}
    corruption = figures.report_categories["corruption"]["2026 Q3"]
    bullying = figures.report_categories["bullying"]["2026 Q3"]
    assert corruption.shown == 6 and not corruption.suppressed
    assert bullying.count < SUPPRESS_BELOW and bullying.suppressed and bullying.shown is None


def test_register_dates_and_search_in_sql_agree_with_python(store: Store) -> None:
    with store.transaction() as session:
        lee = factory.person(session, "pc.lee", "Dana Lee")
        kim = factory.person(session, "ps.kim", "Pat Kim")
        factory.gift(session, lee, "Northmoor Fleet", 1000, "2026-03-31", submitted="2026-04-02")
        factory.gift(session, kim, "100% Catering_Ltd", 1000, "2026-04-01")
        factory.declaration(session, lee, "business_interest", submitted="2026-04-30")
        factory.declaration(session, kim, "business_interest", submitted="2026-05-01")
    with store.session() as session:
        everything = list(session.scalars(select(Declaration)))
        for start, end in ((dt.date(2026, 4, 1), dt.date(2026, 4, 30)),
                           (dt.date(2026, 3, 31), dt.date(2026, 3, 31))):
            expected = sorted(d.reference for d in everything
                              if start <= register_date(d) <= end)
            found = sorted(d.reference for d in list_declarations(session, start=start,
                                                                 end=end))
            assert found == expected
            assert sorted(session.scalars(select(Declaration.reference).where(
                register_day() >= start, register_day() <= end))) == expected
        # LIKE's wildcards typed in a search are plain characters.
        assert search_declarations(session, DeclarationSearch(organisation="100%")).total == 1
        assert search_declarations(session, DeclarationSearch(organisation="g%ltd")).total == 0
        assert search_declarations(session, DeclarationSearch(organisation="t_r")).total == 0
        assert search_declarations(session, DeclarationSearch(person="DANA")).total == 2
        paged = search_declarations(session, DeclarationSearch(), page=2, per_page=3)
        assert paged.total == 4 and paged.pages == 2 and len(paged.declarations) == 1


def test_plain_labels_for_codes_answers_and_instants(settings: Settings) -> None:
    zone = settings.zone
    labels = AnswerLabels.load(settings.workflows_dir)
    rows = dict(labels.rows("gift_hospitality", {
        "what": "Two tickets", "tender_running": False, "value": 4500,
        "relationship": "supplier_or_bidder", "offered_on": "2026-07-15"}, zone))
    assert rows["Tender running"] == "No"
    assert "False" not in rows.values() and "supplier_or_bidder" not in rows.values()
    assert any(value == "£45.00" for value in rows.values())
    assert when(dt.datetime(2026, 7, 15, 9, 30, tzinfo=dt.UTC), zone) == \
        "Wednesday 15 July 2026, 10:30"  # British Summer Time
    assert when(dt.datetime(2026, 12, 1, 9, 30, tzinfo=dt.UTC), zone).endswith("09:30")
    assert plain("2026-07-15T09:30:00+00:00", zone) == "Wednesday 15 July 2026, 10:30"
    assert status_label("information_requested") == "Waiting for the declarant's answer"
