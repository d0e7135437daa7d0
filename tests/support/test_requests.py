"""A family asks for support; advocates work the request; the family follows up."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from accounts import csrf, make_user, sign_in
from tipline import builders
from tipline.audit.models import Event, PendingEvent
from tipline.db import Database, utcnow
from tipline.errors import BadInput, NotFound
from tipline.stats import service as stats
from tipline.support import directory as services
from tipline.support import referrals, service
from tipline.support.models import SupportRequest
from tipline.support.schemas import Channel, CloseReason, ConsentBy, Outcome

# Words of despair as families write them, in both languages: each must put a request first.
DESPAIR = [
    ("en", "my son says he wants to die because of the pictures"),
    ("en", "I can't take this anymore, there is no way out"),
    ("es", "mi hija dice que quiere morir por las fotos"),
    ("es", "ya no aguanto más, no hay salida"),
]


def _form(**fields: object) -> dict[str, object]:
    return {
        "who": "child",
        "asker": "parent",
        "kinds": ["talk_now", "counselling"],
        "language": "en",
        "region": "US-TX",
        "channel": "text",
        "contact": "+15125550123",
        "safe_times": "after 6 pm",
        "no_voicemail": "yes",
        "self_harm": "no",
        **fields,
    }


def _ask(
    client: TestClient, headers: dict[str, str] | None = None, **fields: object
) -> tuple[str, str, str]:
    page = client.get("/support", headers=headers)
    answer = client.post(
        "/support", data={"csrf_token": csrf(page), **_form(**fields)}, headers=headers
    )
    assert answer.status_code == 200, answer.text
    number = re.search(r'id="case-number">([^<]+)<', answer.text)
    code = re.search(r'id="follow-up-token">([^<]+)<', answer.text)
    assert number, "the done page shows the request number"
    assert code, "the done page shows the code"
    return number.group(1), code.group(1), answer.text


def test_a_parent_asks_and_checks_back(client: TestClient, database: Database) -> None:
    number, code, done = _ask(client)
    assert number.startswith("SR-")
    assert "we show the code only once" in done
    page = client.get("/support/follow-up")
    status = client.post(
        "/support/follow-up", data={"csrf_token": csrf(page), "number": number, "code": code}
    )
    assert status.status_code == 200
    assert "Someone to talk to now" in status.text
    wrong = client.post(
        "/support/follow-up", data={"csrf_token": csrf(page), "number": number, "code": "X" * 20}
    )
    assert wrong.status_code == 404
    assert "No request matches" in wrong.text
    with database.session() as db_session:
        stored = db_session.scalar(select(SupportRequest).where(SupportRequest.number == number))
        assert stored is not None
        assert stored.no_voicemail
        assert stored.channel == "text"
        assert stored.urgency == 2
        # The event says what the numbers need; never the contact or the family's words.
        events = [e.data for e in db_session.scalars(select(PendingEvent))] + [
            e.data for e in db_session.scalars(select(Event))
        ]
        assert not any("+15125550123" in str(d) for d in events)


def test_the_family_page_reloads_without_posting_again(
    client: TestClient, database: Database
) -> None:
    """After the number and code, the page is a GET that a reload only reads: adding to the
    request redirects there, the code is in no cookie, link or page, and the page closes."""
    number, code, _ = _ask(client)
    page = client.get("/support/follow-up")
    opened = client.post(
        "/support/follow-up",
        data={"csrf_token": csrf(page), "number": number, "code": code},
        follow_redirects=False,
    )
    assert opened.status_code == 303
    assert opened.headers["location"] == "/support/follow-up/status"
    cookie = opened.headers["set-cookie"]
    assert "HttpOnly" in cookie
    assert "Path=/support/follow-up" in cookie
    assert "samesite=strict" in cookie.lower()
    assert code not in cookie
    assert code.replace("-", "") not in cookie
    status = client.get("/support/follow-up/status")
    assert status.status_code == 200
    assert number in status.text
    assert code not in status.text
    added = client.post(
        "/support/follow-up/add",
        data={"csrf_token": csrf(status), "text": "He is doing a bit better today."},
        follow_redirects=False,
    )
    assert added.status_code == 303
    assert added.headers["location"] == "/support/follow-up/status?done=add"
    again = client.get("/support/follow-up/status?done=add")
    assert "An advocate will read what you added" in again.text
    for _ in range(2):  # reloading reads; it adds nothing
        client.get("/support/follow-up/status?done=add")
    with database.session() as db_session:
        stored = db_session.scalar(select(SupportRequest).where(SupportRequest.number == number))
        assert stored is not None
        family = service.log_of(db_session, request=stored)
        assert [e.text for e in family if e.kind == "family"] == ["He is doing a bit better today."]
    # Closing the page on a shared phone: the next person sees the number-and-code form.
    client.post("/support/follow-up/leave", data={"csrf_token": csrf(again)})
    closed = client.get("/support/follow-up/status")
    assert closed.status_code == 404
    assert "This page has closed" in closed.text
    assert "doing a bit better" not in closed.text


def test_a_family_pass_expires_and_cannot_be_altered(database: Database) -> None:
    key = b"k" * 32
    now = utcnow()
    made = builders.support_request(database)
    with database.session() as db_session:
        value = service.family_pass(key, request=made.request, now=now)
        assert service.by_family_pass(db_session, key, value=value, now=now).id == made.request.id
        later = now + service.FAMILY_PASS + timedelta(seconds=1)
        number, expires, signature = value.split(".")
        for forged in (
            f"{number}.{int(expires) + 3600}.{signature}",  # a longer life
            f"{number}.{expires}.{'0' * 64}",
            "SR-0000-0000." + expires + "." + signature,
            "",
            "...",
        ):
            with pytest.raises(NotFound):
                service.by_family_pass(db_session, key, value=forged, now=now)
        with pytest.raises(NotFound):
            service.by_family_pass(db_session, key, value=value, now=later)
        with pytest.raises(NotFound):  # a pass made with another installation's key
            service.by_family_pass(db_session, b"o" * 32, value=value, now=now)


def test_the_form_keeps_what_was_typed_and_names_the_problem(client: TestClient) -> None:
    page = client.get("/support")
    answer = client.post(
        "/support",
        data={"csrf_token": csrf(page), **_form(channel="call", contact="", kinds=[])},
    )
    assert answer.status_code == 400
    assert 'href="#kinds-error"' in answer.text
    assert "after 6 pm" in answer.text  # what was typed is still there
    answer = client.post("/support", data={"csrf_token": csrf(page), **_form(contact="")})
    assert answer.status_code == 400
    assert 'id="contact-error"' in answer.text
    answer = client.post("/support", data={"csrf_token": csrf(page), **_form(region="XX")})
    assert answer.status_code == 400
    assert 'id="region-error"' in answer.text


@pytest.mark.parametrize(("lang", "words"), DESPAIR)
def test_despair_puts_a_request_first_and_shows_the_crisis_steps(
    client: TestClient, database: Database, lang: str, words: str
) -> None:
    builders.support_request(database, kinds=["counselling"])  # older, routine
    number, _, done = _ask(client, headers={"Accept-Language": lang}, language=lang, message=words)
    assert 'href="tel:988"' in done
    with database.session() as db_session:
        first = service.queue(db_session)["items"][0]
        assert first.number == number
        assert first.self_harm
        assert first.urgency == 1
    sign_in(client, make_user(database, "advocate"))
    page = client.get(f"/console/support/{number}")
    assert 'id="crisis-steps"' in page.text
    queue = client.get("/console/support")
    assert queue.text.index(number) < queue.text.index("Routine")


def test_saying_yes_to_the_self_harm_question_is_enough(database: Database) -> None:
    made = builders.support_request(database, kinds=["counselling"], self_harm=True)
    assert made.request.urgency == 1


def test_words_added_later_raise_a_request(database: Database) -> None:
    made = builders.support_request(database, kinds=["counselling"])
    with database.session() as db_session:
        request = service.for_family(db_session, number=made.request.number, code=made.code)
        service.family_adds(db_session, request=request, text="ya no quiero vivir")
        assert request.urgency == 1
        assert request.self_harm


def test_an_advocate_works_a_request_through(database: Database) -> None:
    advocate = builders.staff(database, role="advocate", email="adv@example.test")
    made = builders.support_request(database)
    with database.session() as db_session:
        services.load(db_session, text=services.national(), actor="t")
        request = service.get(db_session, number=made.request.number)
        service.claim(db_session, request=request, user_id=advocate.id)
        service.log_contact(
            db_session,
            request=request,
            user_id=advocate.id,
            channel=Channel.TEXT,
            outcome=Outcome.NO_MESSAGE,
            note="phone answered by someone else; hung up as asked",
        )
        assert not request.reached
        service.log_contact(
            db_session,
            request=request,
            user_id=advocate.id,
            channel=Channel.TEXT,
            outcome=Outcome.REACHED,
        )
        assert request.reached
        with pytest.raises(BadInput, match="consent"):
            referrals.refer(
                db_session,
                request=request,
                service_id="x",
                user_id=advocate.id,
                consent=False,
                consent_by=ConsentBy.PARENT,
                consent_how=Channel.CALL,
            )
        lifeline = services.search(db_session, kind="crisis", language="es")[0]
        referral = referrals.refer(
            db_session,
            request=request,
            service_id=lifeline.id,
            user_id=advocate.id,
            consent=True,
            consent_by=ConsentBy.BOTH,
            consent_how=Channel.CALL,
            for_family="Text 988 any time; we set up a call on Tuesday.",
        )
        assert referral.consent_by == "both"
        service.schedule_check_in(
            db_session, request=request, user_id=advocate.id, at=utcnow() + timedelta(days=2)
        )
        assert request.status == "waiting"
        assert service.queue(db_session)["total"] == 0
        # The job puts it back when the day comes, marked as a due check-in.
        assert service.surface_due_check_ins(db_session, now=utcnow() + timedelta(days=3)) == 1
        back = service.queue(db_session)["items"]
        assert [r.number for r in back] == [made.request.number]
        assert back[0].check_in_due
        service.close(
            db_session, request=request, user_id=advocate.id, reason=CloseReason.SUPPORTED
        )
        assert service.queue(db_session)["total"] == 0


def test_check_ins_must_be_ahead(database: Database) -> None:
    made = builders.support_request(database)
    with database.session() as db_session:
        request = service.get(db_session, number=made.request.number)
        with pytest.raises(BadInput, match="future"):
            service.schedule_check_in(
                db_session, request=request, user_id="u", at=utcnow() - timedelta(hours=1)
            )
        with pytest.raises(BadInput, match="180 days"):
            service.schedule_check_in(
                db_session, request=request, user_id="u", at=utcnow() + timedelta(days=400)
            )


def test_a_wrong_code_and_a_wrong_number_look_the_same(database: Database) -> None:
    made = builders.support_request(database)
    with database.session() as db_session:
        for number, code in (
            (made.request.number, "0" * 20),
            ("SR-0000-0000", made.code),
            ("", ""),
        ):
            with pytest.raises(NotFound) as caught:
                service.for_family(db_session, number=number, code=code)
            assert caught.value.code == "no_match"
        # The code as a person types it back: lower case, no dashes, O for 0.
        typed = made.code.replace("-", "").lower().replace("0", "o")
        assert service.for_family(db_session, number=made.request.number.lower(), code=typed)


def test_the_api_gives_a_number_and_a_code(client: TestClient) -> None:
    answer = client.post(
        "/api/v1/support",
        json={
            "who": "child",
            "asker": "child",
            "kinds": ["peer"],
            "channel": "none",
            "language": "es",
            "message": "me quiero morir",
        },
    )
    assert answer.status_code == 201, answer.text
    body = answer.json()
    assert body["number"].startswith("SR-")
    assert body["urgent"] is True
    bad = client.post(
        "/api/v1/support", json={"who": "child", "asker": "child", "kinds": [], "channel": "call"}
    )
    assert bad.status_code == 422
    no_contact = client.post(
        "/api/v1/support",
        json={"who": "child", "asker": "child", "kinds": ["peer"], "channel": "call"},
    )
    assert no_contact.status_code == 400
    assert no_contact.json()["error"]["code"] == "contact_needed"


# How a parent or a friend writes of the child's despair, in the third person, and everyday
# phrases that share the words: the first must raise a request, the second must not.
THIRD_PERSON = [
    "my son says he wants to die because of the pictures",
    "she cut herself last night after the messages",
    "he doesn't want to live anymore",
    "my daughter keeps talking about ending her life",
    "mi hija dice que quiere morir por las fotos",
    "mi hijo se quiere matar",
    "se cortó los brazos anoche",
    "habla de quitarse la vida",
]
EVERYDAY = [
    "he is dying to play the new game lol",
    "she killed it at the recital",
    "se corta el pelo el sábado",
    "me muero de risa con sus memes",
]


@pytest.mark.parametrize("words", THIRD_PERSON)
def test_despair_written_of_the_child_is_read(database: Database, words: str) -> None:
    assert (
        builders.support_request(database, kinds=["counselling"], message=words).request.urgency
        == 1
    )


@pytest.mark.parametrize("words", EVERYDAY)
def test_everyday_words_are_not_despair(database: Database, words: str) -> None:
    assert (
        builders.support_request(database, kinds=["counselling"], message=words).request.urgency
        == 3
    )


def test_the_numbers_count_requests_reached_families_and_referrals(
    client: TestClient, database: Database
) -> None:
    advocate = builders.staff(database, role="advocate", email="adv@example.test")
    numbers = [builders.support_request(database).request.number for _ in range(12)]
    with database.session() as db_session:
        services.load(db_session, text=services.national(), actor="t")
        lifeline = services.search(db_session, kind="crisis")[0]
        for number in numbers[:11]:
            request = service.get(db_session, number=number)
            service.log_contact(
                db_session,
                request=request,
                user_id=advocate.id,
                channel=Channel.CALL,
                outcome=Outcome.REACHED,
            )
        for number in numbers[:3]:
            referrals.refer(
                db_session,
                request=service.get(db_session, number=number),
                service_id=lifeline.id,
                user_id=advocate.id,
                consent=True,
                consent_by=ConsentBy.PARENT,
                consent_how=Channel.CALL,
            )
    with database.session() as db_session:
        stats.refresh(db_session)
        public = stats.published(db_session, threshold=10)
        staff = stats.staff(db_session)
    assert public["totals"]["support_requests"] == {"count": 12, "suppressed": False}
    assert public["totals"]["support_reached"] == {"count": 11, "suppressed": False}
    # Three referrals: a small count is withheld from the public, exact for staff.
    assert public["totals"]["support_referrals"]["suppressed"] is True
    assert public["totals"]["support_referrals"]["count"] is None
    assert staff["totals"]["support_referrals"] == 3
    page = client.get("/numbers")
    assert 'data-figure="support_requests">12<' in page.text


def test_a_reporter_asks_for_support_from_the_report(
    client: TestClient, database: Database
) -> None:
    """From the report's confirmation (and its follow-up page): the support form, linked to the
    report, so the advocate sees the report's facts without the family telling it all again."""
    form = client.get("/report")
    done = client.post(
        "/report",
        data={
            "csrf_token": csrf(form),
            "reporter_role": "parent_guardian",
            "description": "Someone online is demanding money from my son or they post a photo.",
            "sextortion": "yes",
            "already_paid": "yes",
        },
    )
    assert done.status_code == 200
    assert 'id="ask-support"' in done.text
    case = re.search(r'name="case_number" value="([^"]+)"', done.text)
    token = re.search(r'name="token" value="([^"]+)"', done.text)
    assert case
    assert token
    linked = client.post(
        "/support/from-report",
        data={"csrf_token": csrf(done), "case_number": case.group(1), "token": token.group(1)},
    )
    assert case.group(1) in linked.text
    answer = client.post(
        "/support",
        data={
            "csrf_token": csrf(linked),
            **_form(),
            "case_number": case.group(1),
            "token": token.group(1),
        },
    )
    number = re.search(r'id="case-number">([^<]+)<', answer.text)
    assert number
    # A wrong token links nothing: the form says so and keeps what was typed.
    refused = client.post(
        "/support",
        data={"csrf_token": csrf(linked), **_form(), "case_number": case.group(1), "token": "x"},
    )
    assert refused.status_code == 404
    assert 'id="case_number-error"' in refused.text
    sign_in(client, make_user(database, "advocate"))
    page = client.get(f"/console/support/{number.group(1)}")
    assert 'id="linked-report"' in page.text
    assert case.group(1) in page.text
    # The advocate sees the facts, never the description or the files.
    assert "demanding money from my son" not in page.text
    assert "/console/files/" not in page.text


def test_a_supervisor_sees_each_advocates_load_and_the_timeline(
    client: TestClient, database: Database
) -> None:
    """Who holds what: open, urgent and due per advocate, an idle advocate listed too, and what
    nobody has claimed; the request page lists every event."""
    busy = builders.staff(database, role="advocate", email="busy@example.test")
    builders.staff(database, role="advocate", email="idle@example.test")
    urgent = builders.support_request(database, self_harm=True)
    routine = builders.support_request(database, kinds=["counselling"])
    builders.support_request(database, self_harm=True)  # nobody has it yet
    with database.session() as db_session:
        for made in (urgent, routine):
            request = service.get(db_session, number=made.request.number)
            service.claim(db_session, request=request, user_id=busy.id)
        request = service.get(db_session, number=urgent.request.number)
        service.log_contact(
            db_session,
            request=request,
            user_id=busy.id,
            channel=Channel.CALL,
            outcome=Outcome.REACHED,
            note="",
        )
    with database.session() as db_session:
        load = service.workload(db_session)
    by_user = {c.user_id: c for c in load["advocates"]}
    assert (by_user[busy.id].open, by_user[busy.id].urgent) == (2, 1)
    assert sum(c.open for c in load["advocates"]) == 2  # the idle advocate is listed with 0
    assert len(load["advocates"]) == 2
    assert (load["unclaimed"], load["unclaimed_urgent"]) == (1, 1)

    sign_in(client, make_user(database, "advocate"))
    assert client.get("/console/support/workload").status_code == 403
    page = client.get(f"/console/support/{urgent.request.number}")
    events = page.text[page.text.index('id="support-events"') :]
    for seen in ("Support asked for", "Claimed", "Contact logged", "Reached"):
        assert seen in events
    client.cookies.clear()
    sign_in(client, make_user(database, "supervisor"))
    shown = client.get("/console/support/workload")
    assert shown.status_code == 200
    assert "busy@example.test" in shown.text
    assert "idle@example.test" in shown.text
    assert "with despair or self-harm" in shown.text
