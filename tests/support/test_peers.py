"""Peers: matched with both sides' consent, messages relayed (no numbers shared), ended by
either side at once, kept only as long as the retention setting says."""

from __future__ import annotations

import email
import email.policy
from datetime import date, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from accounts import PASSWORD, csrf, sign_in
from mail import serving
from tipline import builders
from tipline.audit import service as audit
from tipline.config import Settings
from tipline.db import Database, utcnow
from tipline.errors import BadInput, Conflict, Forbidden, NotFound
from tipline.support import directory as services
from tipline.support import notify, peers, referrals, service
from tipline.support.models import RelayMessage
from tipline.support.schemas import Channel, ConsentBy


def _matched(database: Database, **request_fields: object) -> tuple[str, str, str, str]:
    """A Spanish-speaking parent's request with a proposed match to a vetted peer:
    (request number, code, match id, peer email)."""
    advocate = builders.staff(database, role="advocate", email="adv@example.test")
    builders.peer(database, email="en-only@example.test", first_name="Pat", languages=("en",))
    peer = builders.peer(
        database,
        email="peer@example.test",
        first_name="Lucía",
        languages=("es", "en"),
        password=PASSWORD,
    )
    made = builders.support_request(
        database, language="es", who="parent", kinds=["peer"], **request_fields
    )
    with database.session() as db_session:
        request = service.get(db_session, number=made.request.number)
        found = peers.candidates(db_session, request=request)
        # Only a peer who speaks the family's language is offered.
        assert [c.profile.first_name for c in found] == ["Lucía"]
        match = peers.propose(db_session, request=request, peer_id=peer.id, user_id=advocate.id)
        return made.request.number, made.code, match.id, "peer@example.test"


def test_both_say_yes_then_they_talk_through_the_relay(
    client: TestClient, database: Database
) -> None:
    number, code, match_id, peer_email = _matched(database)
    # The family says yes on its follow-up page.
    page = client.get("/support/follow-up")
    keys = {"csrf_token": csrf(page), "number": number, "code": code}
    shown = client.post("/support/follow-up", data=keys)
    assert "Lucía" in shown.text
    early = client.post(
        "/support/follow-up/message", data={**keys, "match": match_id, "text": "hola"}
    )
    assert early.status_code == 409  # not before both have said yes
    client.post("/support/follow-up/consent", data={**keys, "match": match_id})
    # The peer accepts in the portal and writes.
    peer_client = TestClient(client.app)
    sign_in(peer_client, peer_email)
    home = peer_client.get("/peer")
    assert home.status_code == 200
    assert match_id in home.text
    answer = peer_client.post(
        f"/peer/matches/{match_id}/accept", data={"csrf_token": csrf(home)}, follow_redirects=False
    )
    assert answer.status_code == 303
    sent = peer_client.post(
        f"/peer/matches/{match_id}/message",
        data={"csrf_token": csrf(home), "text": "Hola, soy Lucía. Aquí estoy para escucharte."},
    )
    assert "Aquí estoy para escucharte" in sent.text
    # The family reads it and answers; the peer sees the answer, never a number or an email.
    family = client.post("/support/follow-up", data=keys)
    assert "Aquí estoy para escucharte" in family.text
    client.post(
        "/support/follow-up/message", data={**keys, "match": match_id, "text": "Gracias, Lucía."}
    )
    conversation = peer_client.get(f"/peer/matches/{match_id}")
    assert "Gracias, Lucía." in conversation.text
    assert "+15125550199" not in conversation.text
    assert "+15125550199" not in home.text
    # Either side ends it at once: nothing more goes through.
    client.post("/support/follow-up/end", data={**keys, "match": match_id})
    refused = peer_client.post(
        f"/peer/matches/{match_id}/message", data={"csrf_token": csrf(home), "text": "¿sigues ahí?"}
    )
    assert refused.status_code == 409


def test_a_peer_sees_only_their_own_match(client: TestClient, database: Database) -> None:
    number, _, match_id, _ = _matched(database)
    other = builders.peer(
        database, email="other@example.test", languages=("es",), password=PASSWORD
    )
    assert other.id
    sign_in(client, "other@example.test")
    assert client.get(f"/peer/matches/{match_id}").status_code == 404
    assert client.get(f"/console/support/{number}").status_code == 403
    assert client.get("/console").status_code == 403


def test_vetting_that_ran_out_stops_a_peer(client: TestClient, database: Database) -> None:
    builders.peer(
        database,
        email="lapsed@example.test",
        languages=("en",),
        vetted_until=date.today() - timedelta(days=1),  # noqa: DTZ011
        password=PASSWORD,
    )
    made = builders.support_request(database, kinds=["peer"])
    with database.session() as db_session:
        request = service.get(db_session, number=made.request.number)
        assert peers.candidates(db_session, request=request) == []
    sign_in(client, "lapsed@example.test")
    page = client.get("/peer")
    assert page.status_code == 403
    assert "vetting ended" in page.text


def test_an_advocate_cannot_match_a_peer_who_is_not_a_candidate(database: Database) -> None:
    number, _, _, _ = _matched(database)
    with database.session() as db_session:
        request = service.get(db_session, number=number)
        english_only = builders.staff(db_session, role="analyst", email="x@example.test")
        with pytest.raises(BadInput, match="cannot take this match"):
            peers.propose(db_session, request=request, peer_id=english_only.id, user_id="a")


def test_messages_are_kept_only_as_long_as_the_setting(database: Database) -> None:
    number, code, match_id, _ = _matched(database)
    with database.session() as db_session:
        request = service.for_family(db_session, number=number, code=code)
        peers.family_consents(db_session, request=request, match_id=match_id)
        peer = db_session.scalar(
            select(peers.PeerProfile).where(peers.PeerProfile.first_name == "Lucía")
        )
        assert peer is not None
        account = db_session.get(peers.User, peer.user_id)
        assert account is not None
        peers.peer_accepts(db_session, user=account, match_id=match_id)
        match = peers.match_of_request(db_session, request=request, match_id=match_id)
        peers.send(db_session, match=match, side="family", text="hola", actor="family")
        with pytest.raises(BadInput, match="at most"):
            peers.send(db_session, match=match, side="family", text="x" * 2001, actor="family")
    with database.session() as db_session:
        assert peers.purge(db_session, retention_days=30) == 0
        assert peers.purge(db_session, retention_days=30, now=utcnow() + timedelta(days=31)) == 1
        assert db_session.scalar(select(func.count()).select_from(RelayMessage)) == 0


def test_the_family_sees_what_was_arranged_and_never_the_notes(
    client: TestClient, database: Database
) -> None:
    advocate = builders.staff(database, role="advocate", email="adv@example.test")
    made = builders.support_request(database)
    with database.session() as db_session:
        services.load(db_session, text=services.sample_local(), actor="t")
        request = service.get(db_session, number=made.request.number)
        service.add_note(
            db_session,
            request=request,
            user_id=advocate.id,
            text="Mother seemed afraid of the father",
        )
        counselling = services.search(db_session, region="US-TX", kind="counselling")[0]
        referrals.refer(
            db_session,
            request=request,
            service_id=counselling.id,
            user_id=advocate.id,
            consent=True,
            consent_by=ConsentBy.PARENT,
            consent_how=Channel.CALL,
            for_family="First appointment: Tuesday at 4 pm.",
        )
    page = client.get("/support/follow-up")
    status = client.post(
        "/support/follow-up",
        data={"csrf_token": csrf(page), "number": made.request.number, "code": made.code},
    )
    assert "Sample Youth Counselling Center" in status.text
    assert "First appointment: Tuesday at 4 pm." in status.text
    assert "afraid of the father" not in status.text


def test_a_closed_request_takes_no_new_match(database: Database) -> None:
    number, code, match_id, _ = _matched(database)
    with database.session() as db_session:
        request = service.for_family(db_session, number=number, code=code)
        with pytest.raises(NotFound):
            peers.family_consents(db_session, request=request, match_id="nope")
        peers.family_ends(db_session, request=request, match_id=match_id)
        with pytest.raises(Conflict):
            peers.family_consents(db_session, request=request, match_id=match_id)


def test_only_a_peer_account_has_a_peer_profile(database: Database) -> None:
    analyst = builders.staff(database, role="analyst", email="an@example.test")
    with database.session() as db_session, pytest.raises(BadInput, match="only a peer"):
        peers.save_profile(
            db_session,
            user=db_session.merge(analyst),
            first_name="A",
            languages=["en"],
            region="US",
            experiences=["survivor"],
            vetted_until=date.today(),  # noqa: DTZ011
            trained_on=None,
            actor="t",
        )
    with database.session() as db_session, pytest.raises(Forbidden):
        peers.vetted_profile(db_session, user=db_session.merge(analyst))


def test_a_service_address_longer_than_its_column_is_refused(database: Database) -> None:
    entry = {"id": "long-url", "name": "Long", "kind": "counselling", "url": "https://a.example/"}
    with database.session() as db_session:
        with pytest.raises(BadInput, match="at most 500 characters"):
            services.save(db_session, raw=[{**entry, "url": entry["url"] + "x" * 500}], actor="t")
        with pytest.raises(BadInput, match="with a host"):
            services.save(db_session, raw=[{**entry, "url": "https://user@/"}], actor="t")
        assert services.save(db_session, raw=[entry], actor="t") == 1


def _body(envelope: Any) -> str:
    message = email.message_from_bytes(envelope.content, policy=email.policy.default)
    return f"{message['Subject']}\n{message.get_body().get_content()}"  # type: ignore[union-attr]


def _talking(database: Database, **request_fields: object) -> tuple[str, str, str]:
    """A match both sides said yes to: (request number, code, match id)."""
    number, code, match_id, _ = _matched(database, **request_fields)
    with database.session() as db_session:
        request = service.for_family(db_session, number=number, code=code)
        peers.family_consents(db_session, request=request, match_id=match_id)
        peer = db_session.scalar(
            select(peers.PeerProfile).where(peers.PeerProfile.first_name == "Lucía")
        )
        assert peer is not None
        account = db_session.get(peers.User, peer.user_id)
        assert account is not None
        peers.peer_accepts(db_session, user=account, match_id=match_id)
    return number, code, match_id


def _send(database: Database, keys: tuple[str, str, str], side: str, text: str) -> None:
    number, code, match_id = keys
    with database.session() as db_session:
        request = service.for_family(db_session, number=number, code=code)
        match = peers.match_of_request(db_session, request=request, match_id=match_id)
        peers.send(db_session, match=match, side=side, text=text, actor=side)


def test_a_family_that_chose_email_is_told_a_message_waits_never_what_it_says(
    database: Database, settings: Settings
) -> None:
    number, code, match_id = _talking(database, channel="email", contact="family@example.test")
    secret = "Lo que pasó con tu hijo me pasó a mí también"
    _send(database, (number, code, match_id), "peer", secret)
    _send(database, (number, code, match_id), "peer", "Estoy aquí mañana.")
    with serving() as (box, port):
        configured = settings.model_copy(
            update={
                "smtp_url": f"smtp://127.0.0.1:{port}",
                "public_url": "https://help.example.test",
            }
        )
        with database.session() as db_session:
            assert notify.notify_waiting(db_session, settings=configured) == 1
        with database.session() as db_session:  # told once, however often the job runs
            assert notify.notify_waiting(db_session, settings=configured) == 0
        [mail] = box.messages
        assert mail.rcpt_tos == ["family@example.test"]
        text = _body(mail)
        assert "Tienes un mensaje nuevo" in text  # the family's language
        assert "https://help.example.test/support/follow-up" in text
        for private in (secret, "Estoy aqu", "Lucía", number, code, "sextortion"):
            assert private not in text
        # The family answers: the peer is told, at their staff address, in the same way.
        _send(database, (number, code, match_id), "family", "Gracias")
        with database.session() as db_session:
            assert notify.notify_waiting(db_session, settings=configured) == 1
        assert box.messages[-1].rcpt_tos == ["peer@example.test"]
        assert "Gracias" not in _body(box.messages[-1])
    with database.session() as db_session:
        request = service.get(db_session, number=number)
        kinds = [
            e.action
            for e in audit.timeline(db_session, subject_type=service.SUBJECT, subject_id=request.id)
        ]
        assert kinds.count("support.family_notified") == 1
        assert kinds.count("support.peer_notified") == 1


def test_a_family_that_chose_a_phone_gets_no_email_and_a_down_relay_is_retried(
    database: Database, settings: Settings
) -> None:
    number, code, match_id = _talking(database, channel="text", contact="+15125550100")
    _send(database, (number, code, match_id), "peer", "Hola")
    with database.session() as db_session:  # no relay configured: nothing sent, nothing lost
        assert notify.notify_waiting(db_session, settings=settings) == 0
    with serving() as (box, port):
        configured = settings.model_copy(update={"smtp_url": f"smtp://127.0.0.1:{port}"})
        with database.session() as db_session:
            assert notify.notify_waiting(db_session, settings=configured) == 0
        assert box.messages == []
        # The family writes; the relay refuses once; the next run tells the peer.
        _send(database, (number, code, match_id), "family", "Gracias")
        box.refuse_next = 1
        with database.session() as db_session:
            assert notify.notify_waiting(db_session, settings=configured) == 0
        with database.session() as db_session:
            assert notify.notify_waiting(db_session, settings=configured) == 1
        assert [m.rcpt_tos for m in box.messages] == [["peer@example.test"]]
