"""The public gifts and hospitality register: only the fields the organisation chooses to publish.

What may be published is organisation content (knowledge/publication.yaml), read and checked
here; the code never adds a column the file does not list, and has no column at all for a
private donor's name.
"""

from __future__ import annotations

import csv
import datetime as dt
import html
import re
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field as default_field
from pathlib import Path
from typing import IO, Any, cast

from sqlalchemy import and_, select
from sqlalchemy.orm import Session

from bot.casework.errors import CaseworkError
from bot.casework.queries import current_decision, register_date, register_day
from bot.casework.registers import declarant_snapshot, pounds
from bot.messages import say
from bot.store.models import Decision, Declaration, DeclarationKind, Person
from bot.yamlio import YAMLError, load_yaml

#: Every field a public register may show; the configuration picks from these.
PUBLISHABLE_FIELDS = frozenset({
    "date", "recipient", "name", "team", "description", "donor", "relationship", "value",
    "outcome", "destination", "decision",
})
RIGHT_ALIGNED = frozenset({"value"})

#: Where an offer stands, each needing its published wording in publication.yaml.
OUTCOME_KEYS = ("declined", "awaiting_decision", "approved", "approved_with_conditions",
                "noted", "refused")
#: The standing a decision's outcome gives an accepted offer. An appeal's decision stands
#: in place of the refusal it answered: dismissed keeps it refused; upheld approves it.
_STANDING = {
    "approved": "approved",
    "approved_with_conditions": "approved_with_conditions",
    "noted": "noted",
    "refused": "refused",
    "appeal_dismissed": "refused",
}


class PublicationConfigError(CaseworkError):
    """publication.yaml cannot be used; the message names the file and the problem."""


@dataclass(frozen=True)
class Column:
    field: str
    heading: str


@dataclass(frozen=True)
class PublicationConfig:
    """What the public gifts register shows, as knowledge/publication.yaml declares it."""

    title: str
    introduction: str
    quarters: str
    columns: tuple[Column, ...]
    recipient: str
    names_for_ranks: tuple[str, ...]
    description_answers: tuple[str, ...]
    destination_answers: tuple[str, ...]
    donor_labels: dict[str, str]
    destination_labels: dict[str, str]
    donor_unknown: str
    withhold_statuses: tuple[str, ...]
    #: Published outcome wording by standing (see OUTCOME_KEYS); organisation content.
    outcome_labels: dict[str, str]
    #: Whether a refused gift's destination ("where it went") is published.
    destination_when_refused: bool
    #: Whether PSD's conditions are published with an approval, and how they read.
    publish_conditions: bool
    conditions_wording: str

    @classmethod
    def load(cls, path: Path) -> PublicationConfig:
        try:
            with path.open(encoding="utf-8") as handle:
                raw = (load_yaml(handle) or {}).get("gifts")
        except (OSError, YAMLError) as error:
            raise PublicationConfigError(
                say("publication.config_unreadable", path=path, error=error)) from error
        if not isinstance(raw, dict):
            raise PublicationConfigError(say("publication.config_no_gifts", path=path))
        columns = []
        for item in raw.get("columns") or []:
            field = item.get("field") if isinstance(item, dict) else None
            if field not in PUBLISHABLE_FIELDS:
                raise PublicationConfigError(
                    say("publication.config_unknown_column", path=path, field=repr(field),
                        choices=", ".join(sorted(PUBLISHABLE_FIELDS))))
            columns.append(Column(field, str(item.get("heading") or field)))
        if not columns:
            raise PublicationConfigError(say("publication.config_no_columns", path=path))
        quarters = str(raw.get("quarters", "calendar"))
        if quarters not in ("calendar", "financial"):
            raise PublicationConfigError(say("publication.config_bad_quarters", path=path))
        labels = raw.get("outcome_labels") or {}
        if not isinstance(labels, dict):
            raise PublicationConfigError(say("publication.config_labels_not_mapping", path=path))
        missing = [key for key in OUTCOME_KEYS if not labels.get(key)]
        if missing:
            # A wording the organisation has not chosen must not be invented here.
            raise PublicationConfigError(
                say("publication.config_labels_missing", path=path,
                    missing=", ".join(missing)))
        unknown = sorted(set(labels) - set(OUTCOME_KEYS))
        if unknown:
            raise PublicationConfigError(
                say("publication.config_labels_unknown", path=path, unknown=", ".join(unknown),
                    choices=", ".join(OUTCOME_KEYS)))
        conditions_wording = str(raw.get("conditions_wording") or "{outcome}: {conditions}")
        if "{conditions}" not in conditions_wording or "{outcome}" not in conditions_wording:
            raise PublicationConfigError(
                say("publication.config_bad_conditions_wording", path=path))
        recipient = str(raw.get("recipient", "rank_or_role"))
        if recipient not in ("rank_or_role", "rank", "role"):
            raise PublicationConfigError(say("publication.config_bad_recipient", path=path))
        return cls(
            title=str(raw.get("title") or say("publication.default_title")),
            introduction=str(raw.get("introduction") or ""),
            quarters=quarters,
            columns=tuple(columns),
            recipient=recipient,
            names_for_ranks=tuple(str(rank) for rank in raw.get("names_for_ranks") or ()),
            description_answers=tuple(raw.get("description_answers") or ()),
            destination_answers=tuple(raw.get("destination_answers") or ()),
            donor_labels={_key(k): str(v) for k, v in (raw.get("donor_labels") or {}).items()},
            destination_labels={_key(k): str(v)
                                for k, v in (raw.get("destination_labels") or {}).items()},
            donor_unknown=str(raw.get("donor_unknown") or "Not stated"),
            withhold_statuses=tuple(raw.get("withhold_statuses") or ()),
            outcome_labels={key: str(labels[key]) for key in OUTCOME_KEYS},
            destination_when_refused=bool(raw.get("destination_when_refused", False)),
            publish_conditions=bool(raw.get("publish_conditions", False)),
            conditions_wording=conditions_wording,
        )


def _key(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", str(text).lower()).strip("_")


@dataclass(frozen=True)
class Quarter:
    label: str
    start: dt.date
    end: dt.date


def parse_quarter(text: str, scheme: str = "calendar") -> Quarter:
    """'2026Q3' (also '2026-Q3', 'Q3 2026') as its first and last day under `scheme`."""
    match = re.fullmatch(r"\s*(\d{4})\s*-?\s*[Qq]([1-4])\s*|\s*[Qq]([1-4])\s*-?\s*(\d{4})\s*", text)
    if not match:
        raise CaseworkError(say("publication.not_a_quarter", text=repr(text)))
    year = int(match.group(1) or match.group(4))
    number = int(match.group(2) or match.group(3))
    first_month = 3 * (number - 1) + 1 if scheme == "calendar" else 3 * number + 1
    start_year = year + (first_month > 12)
    first_month = (first_month - 1) % 12 + 1
    start = dt.date(start_year, first_month, 1)
    after = dt.date(start_year + (first_month + 3 > 12), (first_month + 2) % 12 + 1, 1)
    return Quarter(f"{year} Q{number}", start, after - dt.timedelta(days=1))


#: The free-text fields a redaction withholds; dates, values and outcomes stay published.
REDACTED_FIELDS = frozenset({"name", "description", "donor", "destination", "team"})
REDACT, HOLD = "redact", "hold"


@dataclass(frozen=True)
class PublicEntry:
    """One published row: field name to text, holding only the configured fields."""

    cells: dict[str, str]
    day: dt.date
    declined: bool = False
    #: The internal record it comes from; never a published column.
    reference: str = ""
    #: "redact" when its free text is withheld; held-back entries are not in the list.
    excluded: str | None = None


def public_entries(session: Session, config: PublicationConfig, quarter: Quarter,
                   exclusions: dict[str, str] | None = None, *, include_held: bool = False
                   ) -> list[PublicEntry]:
    """Every gift or hospitality offer in the quarter, accepted or declined.

    `exclusions` maps a reference to REDACT (published with REDACTED_FIELDS withheld) or
    HOLD (left out); `include_held=True` keeps held entries, marked, for a preview. Only
    the quarter's gifts are read, as plain rows with their decisions (`quarter_gifts`).
    """
    exclusions = exclusions or {}
    found = quarter_gifts(session, quarter, config.withhold_statuses)
    published = [d for d in found if include_held or exclusions.get(d.reference) != HOLD]
    published.sort(key=lambda d: (register_date(d), d.reference))
    wanted = [column.field for column in config.columns]
    entries = []
    for declaration in published:
        excluded = exclusions.get(declaration.reference)
        recipient = _recipient(declaration)
        cells = {field: _field(declaration, field, config, recipient) for field in wanted}
        if excluded == REDACT:
            cells = {field: say("publication.redacted") if field in REDACTED_FIELDS and text
                     else text for field, text in cells.items()}
        entries.append(PublicEntry(cells, register_date(declaration),
                                   declaration.outcome == "declined", declaration.reference,
                                   excluded))
    return entries


@dataclass(slots=True)
class _Recipient:
    display_name: str
    rank_or_grade: str | None
    role: str | None
    team: str | None


@dataclass(slots=True)
class _Decided:
    stage: str
    outcome: str
    conditions: str | None


@dataclass(slots=True)
class _QuarterGift:
    """A gift as publication reads it, shaped like Declaration (the same attribute names),
    from plain rows: a quarter of a large force is over ten thousand offers, and ORM objects
    with their relationships cost several times the rows."""

    id: int
    reference: str
    status: str
    answers: dict[str, Any]
    counterparty_organisation: str | None
    counterparty_relationship: str | None
    value_pence: int | None
    outcome: str | None
    occurred_on: dt.date | None
    submitted_at: dt.datetime
    person: _Recipient
    decisions: list[_Decided] = default_field(default_factory=list)


def quarter_gifts(session: Session, quarter: Quarter, withhold: Sequence[str] = ()
                  ) -> list[Declaration]:
    """The quarter's gifts not withheld, with their declarants and decisions, in two queries
    that compare the dates and statuses in SQL (see queries.register_day)."""
    chosen = and_(Declaration.kind == DeclarationKind.GIFT_HOSPITALITY,
                  register_day() >= quarter.start, register_day() <= quarter.end)
    if withhold:
        chosen = and_(chosen, Declaration.status.not_in(list(withhold)))
    gifts: dict[int, _QuarterGift] = {}
    for (number, reference, status, answers, organisation, relationship, value, outcome,
         occurred_on, submitted_at, name, rank, role, team) in session.execute(
            select(Declaration.id, Declaration.reference, Declaration.status,
                   Declaration.answers, Declaration.counterparty_organisation,
                   Declaration.counterparty_relationship, Declaration.value_pence,
                   Declaration.outcome, Declaration.occurred_on, Declaration.submitted_at,
                   Person.display_name, Person.rank_or_grade, Person.role, Person.team)
            .join(Person, Person.id == Declaration.person_id).where(chosen)
            .order_by(Declaration.submitted_at, Declaration.id)).tuples():
        gifts[number] = _QuarterGift(number, reference, status, answers or {}, organisation,
                                     relationship, value, outcome, occurred_on, submitted_at,
                                     _Recipient(name, rank, role, team))
    for number, stage, decided, conditions in session.execute(
            select(Decision.declaration_id, Decision.stage, Decision.outcome,
                   Decision.conditions)
            .join(Declaration, Declaration.id == Decision.declaration_id).where(chosen)
            .order_by(Decision.id)).tuples():
        gifts[number].decisions.append(_Decided(stage, decided, conditions))
    # Read through Declaration's attributes, which these share (as the cross-checks do).
    return cast(list[Declaration], list(gifts.values()))


def standing_of(declaration: Declaration) -> str:
    """Where the offer stands, one of OUTCOME_KEYS: the declarant's "declined" first (PSD
    noting a declined offer changes nothing), else the integrity unit's standing decision,
    so the register never says the force allowed what it refused."""
    if declaration.outcome == "declined":
        return "declined"
    decision = current_decision(declaration)
    if decision is None:
        return "awaiting_decision"
    if decision.outcome == "appeal_upheld":
        return "approved_with_conditions" if decision.conditions else "approved"
    # An outcome this table does not know is not published as an approval.
    return _STANDING.get(decision.outcome, "awaiting_decision")


def _outcome(declaration: Declaration, config: PublicationConfig) -> str:
    where = standing_of(declaration)
    label = config.outcome_labels[where]
    if where == "approved_with_conditions" and config.publish_conditions:
        decision = current_decision(declaration)
        conditions = (decision.conditions or "").strip() if decision else ""
        if conditions:
            return config.conditions_wording.format(outcome=label, conditions=conditions)
    return label


def _recipient(declaration: Declaration) -> dict[str, Any]:
    """The declarant as they were when they declared: filing keeps a snapshot, because the
    register must show the rank held at the time, not after a promotion."""
    snapshot = declarant_snapshot(declaration)
    person = declaration.person
    current = {"name": person.display_name, "rank_or_grade": person.rank_or_grade,
               "role": person.role, "team": person.team}
    return {**current, **{k: v for k, v in snapshot.items() if k in current and v}}


def _field(declaration: Declaration, field: str, config: PublicationConfig,
           recipient: dict[str, Any] | None = None) -> str:
    person = recipient if recipient is not None else _recipient(declaration)
    answers = declaration.answers or {}
    if field == "date":
        return register_date(declaration).isoformat()
    if field == "recipient":
        return _recipient_field(person, config)
    if field == "name":
        senior = {rank.casefold() for rank in config.names_for_ranks}
        return person["name"] if (person["rank_or_grade"] or "").casefold() in senior else ""
    if field == "team":
        return person["team"] or ""
    if field == "description":
        return _first_answer(answers, config.description_answers)
    if field == "donor":
        if declaration.counterparty_organisation:
            return declaration.counterparty_organisation
        return config.donor_labels.get(_key(declaration.counterparty_relationship or ""),
                                       config.donor_unknown)
    if field == "relationship":
        return (declaration.counterparty_relationship or "").replace("_", " ")
    if field == "value":
        return pounds(declaration.value_pence) or ""
    if field == "outcome":
        return _outcome(declaration, config)
    if field == "destination":
        return _destination(declaration, answers, config)
    if field == "decision":
        standing = current_decision(declaration)
        if standing is None:
            return say("publication.awaiting_decision")
        return standing.outcome.replace("_", " ")
    raise CaseworkError(say("publication.not_publishable", field=repr(field)))


def _recipient_field(person: dict[str, Any], config: PublicationConfig) -> str:
    rank, role = person["rank_or_grade"] or "", person["role"] or ""
    if config.recipient == "rank":
        return rank
    if config.recipient == "role":
        return role
    return rank or role


def _destination(declaration: Declaration, answers: dict[str, Any],
                 config: PublicationConfig) -> str:
    if declaration.outcome != "accepted":
        return ""
    if standing_of(declaration) == "refused" and not config.destination_when_refused:
        # The declarant's answer, e.g. "shared with the team", would read as allowed.
        return ""
    destination = _first_answer(answers, config.destination_answers)
    return config.destination_labels.get(_key(destination), destination)


def _first_answer(answers: dict[str, Any], keys: Sequence[str]) -> str:
    for key in keys:
        value = answers.get(key)
        if value not in (None, ""):
            return str(value)
    return ""


def write_public_csv(entries: Sequence[PublicEntry], config: PublicationConfig,
                     stream: IO[str]) -> None:
    writer = csv.writer(stream, lineterminator="\n")
    writer.writerow([column.heading for column in config.columns])
    for entry in entries:
        writer.writerow([_safe_cell(entry.cells[column.field]) for column in config.columns])


def _safe_cell(text: str) -> str:
    # Published files are opened in spreadsheets; free text must not become a formula.
    return "'" + text if text.startswith(("=", "+", "-", "@", "\t", "\r")) else text


def _long_date(day: dt.date) -> str:
    return f"{day.day} {day:%B %Y}"


_STYLE = """
body { font-family: Arial, Helvetica, sans-serif; font-size: 1rem; line-height: 1.5;
       color: #0b0c0c; background: #ffffff; margin: 0; }
main { max-width: 72rem; margin: 0 auto; padding: 1.5rem; }
h1 { font-size: 1.75rem; margin: 0 0 1rem; }
table { border-collapse: collapse; width: 100%; }
caption { text-align: left; font-weight: bold; font-size: 1.15rem; padding: 0.5rem 0; }
th, td { border: 1px solid #505a5f; padding: 0.5rem; text-align: left; vertical-align: top; }
thead th { background: #1d3557; color: #ffffff; }
tbody tr:nth-child(even) { background: #f3f2f1; }
td.number { text-align: right; font-variant-numeric: tabular-nums; }
@media (max-width: 40rem) { table { font-size: 0.9rem; } }
""".strip()


def render_public_html(entries: Sequence[PublicEntry], config: PublicationConfig,
                       quarter: Quarter) -> str:
    """A standalone, accessible page: one table with a caption and scoped headers."""
    esc = html.escape
    period = f"{_long_date(quarter.start)} to {_long_date(quarter.end)}"
    declined = sum(1 for entry in entries if entry.declined)
    lines = [
        "<!DOCTYPE html>",
        '<html lang="en-GB">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{esc(config.title)}: {esc(quarter.label)}</title>",
        f"<style>\n{_STYLE}\n</style>",
        "</head>",
        "<body>",
        "<main>",
        f"<h1>{esc(config.title)}</h1>",
    ]
    if config.introduction:
        lines.append(f"<p>{esc(config.introduction)}</p>")
    lines.append(f"<p>{esc(quarter.label)}: {esc(period)}. {len(entries)} "
                 f"{'entry' if len(entries) == 1 else 'entries'}, {declined} declined.</p>")
    if not entries:
        lines.append(f"<p>{esc(say('publication.none_declared'))}</p>")
    else:
        lines.append("<table>")
        lines.append(f"<caption>{esc(say('publication.table_caption', period=period))}</caption>")
        lines.append("<thead><tr>" + "".join(
            f'<th scope="col">{esc(column.heading)}</th>' for column in config.columns
        ) + "</tr></thead>")
        lines.append("<tbody>")
        for entry in entries:
            cells = []
            for column in config.columns:
                text = entry.cells[column.field]
                if column.field == "date":
                    cells.append(f'<td><time datetime="{esc(text)}">'
                                 f"{esc(_long_date(entry.day))}</time></td>")
                elif column.field in RIGHT_ALIGNED:
                    cells.append(f'<td class="number">{esc(text)}</td>')
                else:
                    cells.append(f"<td>{esc(text)}</td>")
            lines.append("<tr>" + "".join(cells) + "</tr>")
        lines.append("</tbody>")
        lines.append("</table>")
    lines += ["</main>", "</body>", "</html>", ""]
    return "\n".join(lines)
