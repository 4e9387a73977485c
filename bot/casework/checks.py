"""Cross-checks over the registers: the patterns inspectors found nobody was looking for.

Each finding names the records involved and says in plain words why it was raised, so an
officer can judge it; a finding is a prompt to look, not a conclusion.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, cast

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from bot.casework.followup import COMPLIANCE_STATUSES
from bot.casework.names import (
    NameIndex,
    NameMatch,
    best_matches,
    name_parts,
    normalise_organisation,
    similarity,
)
from bot.casework.queries import CLOSED_STATUSES, register_date, register_day
from bot.casework.registers import pounds
from bot.casework.rules import CaseworkRules
from bot.messages import say
from bot.store.models import (
    Declaration,
    DeclarationKind,
    DeclarationStatus,
    Person,
    Supplier,
)

APPROVED_STATUSES = frozenset({
    DeclarationStatus.APPROVED, DeclarationStatus.APPROVED_WITH_CONDITIONS,
})


@dataclass(frozen=True)
class Finding:
    """One thing the cross-checks want a person to look at."""

    check: str
    severity: str  # "high" or "medium"
    records: tuple[str, ...]
    why: str
    people: tuple[str, ...] = ()
    contract: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "records": list(self.records), "people": list(self.people)}


@dataclass
class CheckInputs:
    """What the checks read, gathered once."""

    gifts: list[Declaration]
    interests: list[Declaration]
    suppliers: list[Supplier]
    people: list[dict[str, Any]] = field(default_factory=list)


def run_checks(session: Session, rules: CaseworkRules, today: dt.date,
               directory: Sequence[dict[str, Any]] = (), indexed: bool = True) -> list[Finding]:
    """Every cross-check, high severity first. `directory` adds staff who never used Probity.

    `indexed=False` compares organisation names pair by pair, the plain way; it finds the
    same things much more slowly and is kept as the reference the index is tested against.
    """
    live = checked_records(session)
    inputs = CheckInputs(
        gifts=[d for d in live if d.kind == DeclarationKind.GIFT_HOSPITALITY],
        interests=[d for d in live if d.kind == DeclarationKind.BUSINESS_INTEREST],
        suppliers=list(session.scalars(select(Supplier).order_by(Supplier.id))),
        people=_people(session, directory),
    )
    findings = [
        *supplier_gifts(inputs, rules, indexed),
        *repeated_offers(inputs, rules, today, indexed),
        *over_limit_without_approval(inputs, rules),
        *silent_senior_ranks(inputs, rules, today),
        *compliance_checks_overdue(inputs, today),
    ]
    order = {"high": 0, "medium": 1}
    return sorted(findings, key=lambda f: (order.get(f.severity, 2), f.check, f.records))


@dataclass(slots=True)
class CheckedPerson:
    """The declarant fields the checks read."""

    id: int
    display_name: str
    rank_or_grade: str | None
    team: str | None


@dataclass(slots=True)
class CheckedRecord:
    """A live declaration as the checks read it: the columns they use, from one query.

    Shaped like Declaration (same attribute names), so every check reads either; building
    50,000 of these from rows is several times cheaper than loading ORM objects with their
    relationships, and holds no decisions or histories, which the checks never read.
    """

    id: int
    reference: str
    kind: str
    status: str
    person_id: int
    person: CheckedPerson
    value_pence: int | None
    counterparty_name: str | None
    counterparty_organisation: str | None
    counterparty_relationship: str | None
    outcome: str | None
    occurred_on: dt.date | None
    submitted_at: dt.datetime
    answers: dict[str, Any]
    compliance_check_due: dt.date | None


def checked_records(session: Session) -> list[Declaration]:
    """Every live declaration (closed ones left out in SQL), oldest first, as CheckedRecords."""
    people: dict[int, CheckedPerson] = {}
    columns = (Declaration.id, Declaration.reference, Declaration.kind, Declaration.status,
               Declaration.person_id, Declaration.value_pence, Declaration.counterparty_name,
               Declaration.counterparty_organisation, Declaration.counterparty_relationship,
               Declaration.outcome, Declaration.occurred_on, Declaration.submitted_at,
               Declaration.answers, Declaration.compliance_check_due,
               Person.display_name, Person.rank_or_grade, Person.team)
    records = []
    # Plain tuples, unpacked: reading seventeen attributes off 50,000 rows by name costs
    # more than the query.
    for (number, reference, kind, status, person_id, value, name, organisation, relationship,
         outcome, occurred_on, submitted_at, answered, due, display_name, rank,
         team) in session.execute(
            select(*columns).join(Person, Person.id == Declaration.person_id)
            .where(Declaration.status.not_in([str(s) for s in CLOSED_STATUSES]))
            .order_by(Declaration.submitted_at, Declaration.id)).tuples():
        person = people.get(person_id)
        if person is None:
            person = people[person_id] = CheckedPerson(person_id, display_name, rank, team)
        records.append(CheckedRecord(
            number, reference, kind, status, person_id, person, value, name, organisation,
            relationship, outcome, occurred_on, submitted_at, answered or {}, due))
    # The checks are written against Declaration's attributes, which these share.
    return cast(list[Declaration], records)


def _who(declaration: Declaration) -> str:
    person = declaration.person
    rank = f"{person.rank_or_grade} " if person.rank_or_grade else ""
    return f"{rank}{person.display_name}"


def _money(pence: int | None) -> str:
    return f"£{pounds(pence)}" if pence is not None else say("casework_checks.unstated_value")


def _during(supplier: Supplier, day: dt.date) -> bool:
    return (supplier.starts_on is None or supplier.starts_on <= day) and \
        (supplier.ends_on is None or day <= supplier.ends_on)


def _supplier_key(supplier: Supplier) -> str:
    # From the name, not the stored normalised_name: an import made before the rules for
    # normalising improved still matches by today's rules.
    return normalise_organisation(supplier.name)


def match_suppliers(inputs: CheckInputs, rules: CaseworkRules, indexed: bool = True
                    ) -> list[list[NameMatch[Supplier]]]:
    """For each gift in `inputs`, the suppliers its donor organisation matches, best first."""
    donors = [gift.counterparty_organisation for gift in inputs.gifts]
    if indexed:
        # Each distinct name is matched once: people type the same firm the same way often.
        index = NameIndex(inputs.suppliers, _supplier_key, rules.match_threshold)
        distinct = list(dict.fromkeys(donors))
        found = dict(zip(distinct, index.match_many(distinct), strict=True))
        return [list(found[donor]) for donor in donors]
    return [best_matches(donor, inputs.suppliers, key=_supplier_key,
                         threshold=rules.match_threshold) if donor else []
            for donor in donors]


def _matched(typed: str, match: NameMatch[Supplier]) -> str:
    supplier = match.candidate
    named = say("casework_checks.matches_supplier", typed=repr(typed),
                supplier=repr(supplier.name))
    if match.kind == "part":
        return say("casework_checks.matches_supplier_part", named=named)
    return named if match.score >= 100 else say(
        "casework_checks.matches_supplier_similar", named=named, score=f"{match.score:.0f}")


def declared_tender(gift: Declaration, rules: CaseworkRules) -> bool | None:
    """The declarant's answer to "is a tender running?": True, False, or None if not asked."""
    answer = (gift.answers or {}).get(rules.tender_field)
    if isinstance(answer, bool):
        return answer
    if isinstance(answer, str) and answer.strip().lower() in ("yes", "no", "true", "false"):
        return answer.strip().lower() in ("yes", "true")
    return None


def supplier_gifts(inputs: CheckInputs, rules: CaseworkRules, indexed: bool = True
                   ) -> list[Finding]:
    """Offers from a supplier or bidder, worst during a tender.

    A tender is running when the supplier list shows the donor tendering on the day, or when
    the declarant said so: they may know of a bid that procurement has not listed yet. A
    "no" from the declarant does not outweigh the supplier list, which they may not know.
    """
    findings = []
    for gift, matches in zip(inputs.gifts, match_suppliers(inputs, rules, indexed),
                             strict=True):
        said = declared_tender(gift, rules)
        if not matches and not said:
            continue  # most offers: nothing to word
        day = register_date(gift)
        severity = "high" if gift.outcome != "declined" else "medium"
        offer = say("casework_checks.offer", who=_who(gift), value=_money(gift.value_pence),
                    day=day, outcome=gift.outcome or say("casework_checks.no_outcome"))
        donor = (gift.counterparty_organisation or gift.counterparty_name
                 or say("casework_checks.a_donor"))
        tender_found = False
        for match in matches if gift.counterparty_organisation else ():
            supplier = match.candidate
            named = _matched(gift.counterparty_organisation or "", match)
            contract = supplier.contract or say("casework_checks.unnamed_contract")
            if supplier.status == "tendering" and _during(supplier, day):
                tender_found = True
                besides = "" if said is None else \
                    say("casework_checks.declarant_also_said_tender") if said else \
                    say("casework_checks.declarant_denied_tender")
                findings.append(Finding(
                    "gift_from_bidder_during_tender", severity, (gift.reference,),
                    say("casework_checks.gift_from_bidder_during_tender", offer=offer,
                        named=named, contract=contract, besides=besides),
                    (gift.person.display_name,), supplier.contract))
            elif supplier.status == "awarded" and supplier.starts_on and day < supplier.starts_on:
                findings.append(Finding(
                    "gift_from_supplier_before_award", severity, (gift.reference,),
                    say("casework_checks.gift_from_supplier_before_award", offer=offer,
                        named=named, contract=contract, starts_on=supplier.starts_on),
                    (gift.person.display_name,), supplier.contract))
            else:
                findings.append(Finding(
                    "gift_from_supplier", "medium", (gift.reference,),
                    say("casework_checks.gift_from_supplier", offer=offer, named=named,
                        contract=contract, status=supplier.status),
                    (gift.person.display_name,), supplier.contract))
        if said and not tender_found:
            listed = say("casework_checks.not_on_supplier_list") if not matches else \
                say("casework_checks.not_shown_tendering")
            findings.append(Finding(
                "gift_during_declared_tender", severity, (gift.reference,),
                say("casework_checks.gift_during_declared_tender", offer=offer, donor=donor,
                    listed=listed),
                (gift.person.display_name,)))
    return findings


def _donor(gift: Declaration) -> str:
    return normalise_organisation(gift.counterparty_organisation or gift.counterparty_name)


def _donor_groups(gifts: Sequence[Declaration], threshold: float, indexed: bool = True
                  ) -> list[list[Declaration]]:
    """Gifts grouped by donor, with near-identical donor names counted as one donor.

    A gift joins the first group whose first donor name matches its own, or starts a group.
    """
    # A person's or a team's few offers are quicker compared pair by pair (the same
    # groups, tested against each other) than through an index built for thousands.
    if indexed and len(gifts) > 60:
        return _donor_groups_indexed(gifts, threshold)
    groups: list[tuple[str, list[Declaration]]] = []
    for gift in gifts:
        donor = _donor(gift)
        if not donor or not name_parts(donor).core:
            continue
        for name, members in groups:
            if similarity(name, donor) >= threshold:
                members.append(gift)
                break
        else:
            groups.append((donor, [gift]))
    return [members for _, members in groups]


def _donor_groups_indexed(gifts: Sequence[Declaration], threshold: float
                          ) -> list[list[Declaration]]:
    """`_donor_groups` with each distinct name compared once, against the index of names.

    A later gift with a name already seen joins the same group as before: the groups that
    formed since came later, so they cannot come first.
    """
    donors = [_donor(gift) for gift in gifts]
    distinct = list(dict.fromkeys(d for d in donors if d and name_parts(d).core))
    matches = NameIndex(distinct, lambda name: name, threshold).match_many(distinct)
    founders: dict[str, int] = {}  # a name that started a group -> that group's number
    group_of: dict[str, int] = {}
    for number, name in enumerate(distinct):
        joined = [founders[m.candidate] for m in matches[number] if m.candidate in founders]
        if joined:
            group_of[name] = min(joined)
        else:
            group_of[name] = founders[name] = len(founders)
    groups: list[list[Declaration]] = [[] for _ in founders]
    for gift, donor in zip(gifts, donors, strict=True):
        if donor in group_of:
            groups[group_of[donor]].append(gift)
    return groups


def _donor_label(gifts: Sequence[Declaration]) -> str:
    first = gifts[0]
    return (first.counterparty_organisation or first.counterparty_name
            or say("casework_checks.one_donor"))


def repeated_offers(inputs: CheckInputs, rules: CaseworkRules, today: dt.date,
                    indexed: bool = True) -> list[Finding]:
    """Several offers from one donor to one person, or to several people in one team.

    Donor names are compared within one person's offers, and within one team's: only
    offers that share a person or a team can make a finding together, so comparing every
    donor with every other donor in the force (quadratic: minutes and gigabytes at 50,000
    offers) finds nothing more.
    """
    since = today - dt.timedelta(days=rules.repeat_window_days)
    recent = [g for g in inputs.gifts if since <= register_date(g) <= today]
    by_person: dict[int, list[Declaration]] = defaultdict(list)
    by_team: dict[str, list[Declaration]] = defaultdict(list)
    for gift in recent:
        by_person[gift.person_id].append(gift)
        if gift.person.team:
            by_team[gift.person.team].append(gift)
    findings = []
    for offers in by_person.values():
        if len(offers) < rules.repeat_person_threshold:
            continue
        for gifts in _donor_groups(offers, rules.match_threshold, indexed):
            if len(gifts) < rules.repeat_person_threshold:
                continue
            total = sum(g.value_pence or 0 for g in gifts)
            reaches = total >= rules.gift_limit_pence
            findings.append(Finding(
                "repeated_offers_to_person", "high" if reaches else "medium",
                tuple(g.reference for g in gifts),
                say("casework_checks.repeated_offers_to_person_over_limit" if reaches
                    else "casework_checks.repeated_offers_to_person",
                    donor=_donor_label(gifts), count=len(gifts), who=_who(gifts[0]),
                    days=rules.repeat_window_days, today=today, total=_money(total),
                    limit=_money(rules.gift_limit_pence)),
                (gifts[0].person.display_name,)))
    for team, offers in by_team.items():
        if len(offers) < rules.repeat_team_threshold:
            continue
        for gifts in _donor_groups(offers, rules.match_threshold, indexed):
            people = sorted({g.person.display_name for g in gifts})
            if len(gifts) < rules.repeat_team_threshold or len(people) < 2:
                continue
            findings.append(Finding(
                "repeated_offers_to_team", "medium", tuple(g.reference for g in gifts),
                say("casework_checks.repeated_offers_to_team", donor=_donor_label(gifts),
                    count=len(gifts), people=len(people), team=team,
                    days=rules.repeat_window_days, today=today,
                    total=_money(sum(g.value_pence or 0 for g in gifts))),
                tuple(people)))
    return findings


def over_limit_without_approval(inputs: CheckInputs, rules: CaseworkRules) -> list[Finding]:
    """Accepted offers at or above the value limit that no decision approved."""
    findings = []
    for gift in inputs.gifts:
        if gift.outcome != "accepted" or gift.value_pence is None:
            continue
        if gift.value_pence < rules.gift_limit_pence or gift.status in APPROVED_STATUSES:
            continue
        findings.append(Finding(
            "accepted_over_limit_without_approval", "high", (gift.reference,),
            say("casework_checks.accepted_over_limit_without_approval", who=_who(gift),
                value=_money(gift.value_pence), limit=_money(rules.gift_limit_pence),
                status=gift.status.replace("_", " ")),
            (gift.person.display_name,)))
    return findings


def _people(session: Session, directory: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    # Plain rows, not Person objects: a large force has tens of thousands of staff.
    known = [
        {"id": p.id, "surface_id": p.surface_id, "display_name": p.display_name,
         "rank_or_grade": p.rank_or_grade}
        for p in session.execute(select(Person.id, Person.surface_id, Person.display_name,
                                        Person.rank_or_grade).order_by(Person.id))
    ]
    seen = {entry["surface_id"] for entry in known}
    extra = [{**entry, "id": None} for entry in directory if entry["surface_id"] not in seen]
    return known + extra


def silent_senior_ranks(inputs: CheckInputs, rules: CaseworkRules, today: dt.date
                        ) -> list[Finding]:
    """Senior people with no gift or hospitality declaration, accepted or declined, in a year."""
    since = today - dt.timedelta(days=rules.senior_silence_days)
    declared = {g.person_id for g in inputs.gifts if since <= register_date(g) <= today}
    findings = []
    for person in inputs.people:
        if not rules.is_senior(person["rank_or_grade"]) or person["id"] in declared:
            continue
        findings.append(Finding(
            "senior_rank_without_declarations", "medium", (),
            say("casework_checks.senior_rank_without_declarations",
                rank=person["rank_or_grade"], name=person["display_name"], since=since,
                today=today),
            (person["display_name"],)))
    return findings


def compliance_checks_overdue(inputs: CheckInputs, today: dt.date) -> list[Finding]:
    """Refused or conditional business interests whose compliance check date has passed."""
    findings = []
    for interest in inputs.interests:
        due = interest.compliance_check_due
        if interest.status not in COMPLIANCE_STATUSES or due is None or due >= today:
            continue
        refused = interest.status == DeclarationStatus.REFUSED
        what = say("casework_checks.interest_refused") if refused else \
            say("casework_checks.interest_conditional")
        findings.append(Finding(
            "compliance_check_overdue", "high" if refused else "medium",
            (interest.reference,),
            say("casework_checks.compliance_check_overdue", who=_who(interest), what=what,
                due=due, days=(today - due).days),
            (interest.person.display_name,)))
    return findings


def findings_for(session: Session, rules: CaseworkRules, declaration: Declaration,
                 today: dt.date) -> list[Finding]:
    """The cross-check findings that name `declaration`, for its case page.

    Only the records a finding about it could involve are read: for a gift, the gifts in
    the repeat window from its declarant or their team (a repeated-offer finding needs one
    of those), and the supplier list.
    """
    if declaration.status in CLOSED_STATUSES:
        return []
    inputs = CheckInputs(gifts=[], interests=[], suppliers=[])
    findings: list[Finding] = []
    if declaration.kind == DeclarationKind.GIFT_HOSPITALITY:
        since = today - dt.timedelta(days=rules.repeat_window_days)
        team = declaration.person.team
        # One list of people (the declarant and their team, by the team index), so the
        # offers are found through the declarant index, not by reading every offer.
        near = select(Person.id).where(
            (Person.id == declaration.person_id) | (Person.team == team) if team
            else Person.id == declaration.person_id)
        statement = select(Declaration).where(
            Declaration.person_id.in_(near),
            Declaration.kind == DeclarationKind.GIFT_HOSPITALITY,
            Declaration.status.not_in([str(s) for s in CLOSED_STATUSES]),
            register_day() >= since, register_day() <= today)
        nearby = list(session.scalars(statement.options(selectinload(Declaration.person))
                                      .order_by(Declaration.submitted_at, Declaration.id)))
        if declaration not in nearby:
            nearby.append(declaration)
        inputs.gifts = nearby
        inputs.suppliers = list(session.scalars(select(Supplier).order_by(Supplier.id)))
        own = CheckInputs([declaration], [], inputs.suppliers)
        findings += supplier_gifts(own, rules)
        findings += over_limit_without_approval(own, rules)
        findings += repeated_offers(inputs, rules, today)
    elif declaration.kind == DeclarationKind.BUSINESS_INTEREST:
        findings += compliance_checks_overdue(CheckInputs([], [declaration], []), today)
    return [finding for finding in findings if declaration.reference in finding.records]
