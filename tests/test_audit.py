"""The audit log is a hash chain: any edit, removal or insertion is found and named."""

from __future__ import annotations

import pytest
from sqlalchemy import delete, func, select, update

from bot.cli import main
from bot.store import Store
from bot.store.audit import GENESIS, record_event, verify_chain
from bot.store.history import set_declaration_status
from bot.store.models import AuditEvent, Declaration, Person, StatusChange
from bot.store.references import ReferenceKind, allocate_reference


def _write_events(store: Store, count: int) -> None:
    for number in range(count):
        with store.transaction() as session:
            record_event(session, "system", "test.event", f"S-{number}", {"n": number, "£": "ok"})


def test_events_link_to_the_one_before(store: Store) -> None:
    _write_events(store, 3)
    with store.session() as session:
        events = session.scalars(select(AuditEvent).order_by(AuditEvent.id)).all()
        assert events[0].prev_hash == GENESIS
        assert events[1].prev_hash == events[0].hash
        assert events[2].prev_hash == events[1].hash
        assert verify_chain(session).intact
        assert verify_chain(session, batch_size=2).checked == 3


def test_an_edited_event_is_named(store: Store) -> None:
    _write_events(store, 5)
    with store.transaction() as session:
        third = session.scalars(select(AuditEvent).order_by(AuditEvent.id).offset(2)).first()
        session.execute(update(AuditEvent).where(AuditEvent.id == third.id)
                        .values(details={"n": 99}))
    with store.session() as session:
        result = verify_chain(session)
    assert not result.intact
    assert result.broken_event_id == third.id
    assert result.checked == 2
    assert "changed" in result.problem


def test_a_removed_event_breaks_the_link_of_the_next(store: Store) -> None:
    _write_events(store, 4)
    with store.transaction() as session:
        ids = session.scalars(select(AuditEvent.id).order_by(AuditEvent.id)).all()
        session.execute(delete(AuditEvent).where(AuditEvent.id == ids[1]))
    with store.session() as session:
        result = verify_chain(session)
    assert result.broken_event_id == ids[2]
    assert "link" in result.problem


def test_probity_audit_verify_reports_the_first_broken_event(
    store: Store, probity_env: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    _write_events(store, 3)
    assert main(["audit", "verify"]) == 0
    assert "intact: 3 events" in capsys.readouterr().out
    with store.transaction() as session:
        session.execute(update(AuditEvent).where(AuditEvent.subject == "S-1")
                        .values(actor="person:999"))
        edited = session.scalar(select(AuditEvent.id).where(AuditEvent.subject == "S-1"))
    assert main(["audit", "verify"]) == 1
    out = capsys.readouterr().out
    assert f"BROKEN at event {edited}" in out


def _new_declaration(session, person: Person) -> Declaration:  # type: ignore[no-untyped-def]
    return Declaration(
        reference=allocate_reference(session, ReferenceKind.GIFT_HOSPITALITY, 2026),
        kind="gift_hospitality", workflow="gift_hospitality", person=person,
        answers={"item": "Two rugby tickets"}, value_pence=9000,
    )


def test_a_status_change_writes_history_and_audit_together(store: Store) -> None:
    with store.transaction() as session:
        person = Person(surface="directory", surface_id="pc-jones", display_name="PC Jones")
        session.add(person)
        declaration = _new_declaration(session, person)
        set_declaration_status(session, declaration, "submitted", by=person)
        set_declaration_status(session, declaration, "approved", note="within policy")
    with store.session() as session:
        filed = session.scalars(select(Declaration)).one()
        assert [(c.from_status, c.to_status) for c in filed.history] == [
            (None, "submitted"), ("submitted", "approved")]
        events = session.scalars(select(AuditEvent).order_by(AuditEvent.id)).all()
        assert [e.details["to"] for e in events] == ["submitted", "approved"]
        assert events[0].actor == f"person:{filed.person_id}"
        assert events[1].actor == "system"
        assert all(e.subject == filed.reference for e in events)
        assert verify_chain(session).intact


def test_a_failed_transaction_leaves_neither_the_change_nor_its_audit_event(store: Store) -> None:
    with store.transaction() as session:
        person = Person(surface="directory", surface_id="pc-ali", display_name="PC Ali")
        declaration = _new_declaration(session, person)
        session.add(person)
        set_declaration_status(session, declaration, "submitted", by=person)
    with pytest.raises(RuntimeError), store.transaction() as session:
        declaration = session.scalars(select(Declaration)).one()
        set_declaration_status(session, declaration, "refused")
        raise RuntimeError("decision could not be saved")
    with store.session() as session:
        assert session.scalars(select(Declaration.status)).one() == "submitted"
        assert session.scalar(select(func.count()).select_from(StatusChange)) == 1
        assert session.scalar(select(func.count()).select_from(AuditEvent)) == 1


# -- keyed chain and anchored checkpoints (issue 13's audit-tail attacks) -------------------


def _plain_rechain(store: Store) -> None:
    """What an insider with database access could do before the chain was keyed: rewrite
    every link with plain SHA-256 over the same canonical body."""
    import hashlib

    from bot.store.audit import _event_body

    with store.transaction() as session:
        prev = GENESIS
        for event in session.scalars(select(AuditEvent).order_by(AuditEvent.id)):
            event.prev_hash = prev
            event.hash = prev = hashlib.sha256(_event_body(
                prev, event.at, event.actor, event.action, event.subject,
                event.details)).hexdigest()


def _checkpoint(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["audit", "checkpoint"]) == 0
    assert "Checkpoint written" in capsys.readouterr().out


def test_a_rewritten_and_rechained_event_is_found_without_the_key(
    store: Store, probity_env: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    _write_events(store, 5)
    with store.transaction() as session:
        session.execute(update(AuditEvent).where(AuditEvent.subject == "S-2")
                        .values(actor="person:999"))
    _plain_rechain(store)
    assert main(["audit", "verify"]) == 1
    out = capsys.readouterr().out
    assert "BROKEN at event" in out and "audit key" in out


def test_cutting_off_the_last_events_is_caught_by_the_checkpoint(
    store: Store, probity_env: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    _write_events(store, 12)
    _checkpoint(capsys)  # 12 events, and its own "audit.checkpointed" makes 13
    assert main(["audit", "verify"]) == 0
    assert "matches the checkpoint" in capsys.readouterr().out
    with store.transaction() as session:
        last_three = session.scalars(select(AuditEvent.id).order_by(AuditEvent.id.desc())
                                     .limit(3)).all()
        session.execute(delete(AuditEvent).where(AuditEvent.id.in_(last_three)))
    assert main(["audit", "verify"]) == 1
    assert "missing from the end" in capsys.readouterr().out


def test_deleting_every_event_is_caught_by_the_checkpoint(
    store: Store, probity_env: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    _write_events(store, 4)
    _checkpoint(capsys)
    with store.transaction() as session:
        session.execute(delete(AuditEvent))
    assert main(["audit", "verify"]) == 1
    assert "every event is gone" in capsys.readouterr().out


def test_a_forged_checkpoint_line_is_ignored_and_counted(
    store: Store, settings, probity_env: dict[str, str],  # type: ignore[no-untyped-def]
    capsys: pytest.CaptureFixture[str],
) -> None:
    import json

    from bot.store.anchor import anchor_files

    _write_events(store, 3)
    _checkpoint(capsys)
    anchor = anchor_files(settings)[0]
    assert oct(anchor.stat().st_mode & 0o777) == "0o600"
    # An insider deletes every event and appends a checkpoint claiming the log was empty.
    with store.transaction() as session:
        session.execute(delete(AuditEvent))
    with anchor.open("a") as handle:
        handle.write(json.dumps({"at": "2099-01-01T00:00:00+00:00", "events": 0,
                                 "head_id": None, "head": GENESIS, "mac": "0" * 64}) + "\n")
    assert main(["audit", "verify"]) == 1
    out = capsys.readouterr().out
    assert "1 line(s) in the anchor have a bad key signature" in out
    assert "every event is gone" in out


def test_an_unkeyed_chain_from_before_the_key_is_adopted_only_with_a_new_key(
    store: Store, settings,  # type: ignore[no-untyped-def]
) -> None:
    from bot.store.database import AUDIT_KEY_FILE

    _write_events(store, 3)
    _plain_rechain(store)  # as a store written before this release would be
    with store.session() as session:
        assert not verify_chain(session).intact
    # Restarting with the same key adopts nothing: that would re-key an insider's rechain.
    Store.open(settings).dispose()
    with store.session() as session:
        assert not verify_chain(session).intact
    # The first start of this release (no audit key yet) adopts the intact unkeyed chain.
    (settings.home / AUDIT_KEY_FILE).unlink()
    upgraded = Store.open(settings)
    with upgraded.session() as session:
        assert verify_chain(session).intact
        actions = session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert actions == ["test.event"] * 3 + ["audit.chain_keyed"]
    upgraded.dispose()


def test_the_checkpoint_is_a_function_the_job_runner_can_call(store: Store, settings) -> None:  # type: ignore[no-untyped-def]
    from bot.store.anchor import latest_checkpoint, write_checkpoint
    from bot.store.audit import audit_key_of

    _write_events(store, 2)
    with store.transaction() as session:
        written = write_checkpoint(session, settings)
        key = audit_key_of(session)
    found, bad = latest_checkpoint(settings, key)
    assert (found, bad) == (written, 0) and written.events == 2
