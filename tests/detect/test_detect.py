"""The red-flag detector: each flag in English and Spanish, the chat-style tricks, each kind of
hard negative, streaming, the CLI and the API (shared/RED-FLAGS.md)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from accounts import make_org
from tipline import detect as detector
from tipline.detect import FLAGS, features, model, training
from tipline.detect.engine import explain, scan
from tipline.detect.evaluate import evaluate
from tipline.detect.normalise import normalise
from tipline.evidence.models import EvidenceFile
from tipline.reports import service as reports

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "data" / "detect"


def _conv(*lines: str) -> dict[str, object]:
    """Alternate speakers: even lines are the suspect's, odd lines the child's."""
    return {
        "id": "t",
        "messages": [
            {"sender": "s" if i % 2 == 0 else "c", "text": t} for i, t in enumerate(lines)
        ],
    }


def _flags(result: dict[str, object]) -> dict[str, int]:
    return {f["flag"]: f["message_index"] for f in result["flags"]}  # type: ignore[attr-defined, index]


CASES = [
    (
        "social_media_reconnaissance",
        "en",
        "saw on your instagram that you play for the westside team",
    ),
    ("social_media_reconnaissance", "es", "vi tus fotos de insta, juegas en el equipo de futbol"),
    ("rapid_sexual_request", "en", "send me a pic without your shirt"),
    ("rapid_sexual_request", "es", "mandame una foto sin ropa"),
    ("platform_migration", "en", "add me on snapchat, this app is not private"),
    ("platform_migration", "es", "pasemos a whatsapp mejor"),
    ("reciprocation", "en", "i'll show you mine first if you show me yours nudes"),
    ("reciprocation", "es", "intercambiemos fotos desnudas"),
    ("fake_modeling_agency", "en", "i'm a scout for a modeling agency"),
    ("fake_modeling_agency", "es", "soy de una agencia de modelos"),
    ("relationship_building", "en", "you are so mature for your age"),
    ("relationship_building", "es", "eres muy madura para tu edad"),
    ("multiple_identities", "en", "you blocked me so this is my new account"),
    ("multiple_identities", "es", "me bloqueaste, esta es mi nueva cuenta"),
    ("account_compromise", "en", "what's your password"),
    ("account_compromise", "es", "pasame el codigo que te llego"),
    ("deepfake_threat", "en", "i can make fake nudes of you with ai"),
    ("deepfake_threat", "es", "pongo tu cara en un video porno"),
    ("sextortion_threat", "en", "i will send it to all your followers"),
    ("sextortion_threat", "es", "lo voy a mandar a todos tus amigos"),
    ("financial_demand", "en", "send $300 on cash app"),
    ("financial_demand", "es", "mandame 300 dolares ya"),
]


@pytest.mark.parametrize(("flag", "lang", "line"), CASES)
def test_each_flag_in_both_languages(flag: str, lang: str, line: str) -> None:
    found = _flags(scan(_conv("hey", "hola" if lang == "es" else "hi", line)))
    assert found.get(flag) == 2, found


@pytest.mark.parametrize(
    ("child_line", "lang"),
    [
        ("i want to die, there's no way out", "en"),
        ("no way out", "en"),  # too short to tell its language: both are tried
        ("me quiero morir, no hay salida", "es"),
    ],
)
def test_the_childs_distress_and_the_suspects_demand(child_line: str, lang: str) -> None:
    result = scan(_conv("i will post it to your followers unless you pay", child_line))
    assert result["victim_distress"] is True
    assert _flags(result)["victim_distress"] == 1
    assert result["level"] == "extortion"


def test_content_demand_needs_a_first_request_before_it() -> None:
    first = _flags(scan(_conv("send me nudes", "ok i sent it", "send more or else")))
    assert first == {"rapid_sexual_request": 0, "content_demand": 2}
    # Without a first request, "send more" is not yet a demand for more.
    assert "content_demand" not in _flags(scan(_conv("hey", "hi", "send more")))


@pytest.mark.parametrize(
    ("lines", "flag", "index"),
    [
        (("send me nudes", "ok i sent it", "send another one now"), "content_demand", 2),
        (("mandame fotos desnuda", "ya te la mande", "manda mas ahora"), "content_demand", 2),
        (("hi", "you said you were 15 but your voice sounds old"), "identity_misrepresentation", 1),
        (("hola", "esa no eres tu en la foto"), "identity_misrepresentation", 1),
        (("i will post it everywhere", "tengo mucho miedo"), "victim_distress", 1),
        (("hola", "jaja", "la edad es solo un numero"), "relationship_building", 2),
        (("hola", "jaja", "te compro robux si me hablas"), "relationship_building", 2),
        (("hola", "jaja", "vamonos a privado"), "platform_migration", 2),
        (("ya tengo tu foto", "no", "te voy a exponer"), "sextortion_threat", 2),
        (("hey", "hi", "i'll buy you robux if you keep talking to me"), "relationship_building", 2),
        (("hey", "hi", "let's go private, this chat is monitored"), "platform_migration", 2),
    ],
)
def test_the_other_flags_in_both_languages(lines: tuple[str, ...], flag: str, index: int) -> None:
    assert _flags(scan(_conv(*lines))).get(flag) == index


def test_a_persona_relays_what_the_other_says_and_a_retelling_stays_quiet() -> None:
    """Someone speaking for another ("this is sam's brother") passes on a request: "he says
    send him..." is the request itself, not reported speech. A teen retelling what some guy
    said stays quiet."""
    relayed = scan(
        _conv(
            "this is sam's brother, he lost his phone so he's using mine to talk to you",
            "oh ok",
            "he says send him that pic you promised",
        )
    )
    assert _flags(relayed) == {"multiple_identities": 0, "rapid_sexual_request": 2}
    retold = scan(_conv("hey", "some guy says send him that pic you promised lol", "block him"))
    assert retold["flags"] == []


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        # A trade offered, then its kind named: the request is marked where the kind is.
        (
            (
                "wanna swap some pics? i'll go first",
                "what kind",
                "the kind u keep in ur hidden folder",
            ),
            {"rapid_sexual_request": 2, "reciprocation": 0},
        ),
        (
            ("mándame unas fotos", "¿de qué?", "en traje de baño, solo para mí"),
            {"rapid_sexual_request": 2},
        ),
        # A picture of a puppy, then a word of clothing about something else, stays quiet.
        (("send me a pic of the puppy", "ok", "lol he's wearing my hoodie"), {}),
        # Friends choosing outfit and beach photos name a kind too.
        (
            (
                "send me pics of the outfits you're trying on",
                "ok one sec",
                "the swimsuit one too for the beach trip",
            ),
            {},
        ),
        (
            (
                "can you send me the pic from the pool party",
                "which one",
                "the one where we're all in bikinis lol",
            ),
            {},
        ),
        # Naming the kind long after the asking is not the same request.
        (("send me a pic of the puppy", "a", "b", "c", "d", "e", "in a swimsuit lol"), {}),
    ],
)
def test_a_picture_asked_for_then_its_kind_named_is_a_request(
    lines: tuple[str, ...], expected: dict[str, int]
) -> None:
    assert _flags(scan(_conv(*lines))) == expected


@pytest.mark.parametrize(
    ("lines", "expected", "alert"),
    [
        # A picture asked for in words no pattern knows; the child's refusal tells what it was.
        (
            ("hey", "hi", "take a pic for me rn, just how you are", "you're a creep, i'm only 13"),
            {"rapid_sexual_request": 2},
            3,
        ),
        (
            ("hola", "hola", "mándame una tuya de ahorita", "qué asco, no mando eso"),
            {"rapid_sexual_request": 2},
            3,
        ),
        # Teasing, an ordinary "no", and a refusal with nothing asked stay quiet.
        (("send me a pic of your crush", "you creep lol"), {}, None),
        (("send me a pic of your haircut", "no way it's awful"), {}, None),
        (("how was school", "you're a creep"), {}, None),
    ],
)
def test_a_refusal_tells_what_was_asked(
    lines: tuple[str, ...], expected: dict[str, int], alert: int | None
) -> None:
    result = scan(_conv(*lines))
    assert _flags(result) == expected
    assert result["first_alert_index"] == alert


@pytest.mark.parametrize(
    "line",
    [
        "send me the code so i can see your pics",
        "give me your password, i want to see your private pics",
        "i can make anyone look naked with this app, want me to show you",
    ],
)
def test_a_break_in_or_a_fake_is_not_also_a_request(line: str) -> None:
    flags = _flags(scan(_conv("hey", "hi", line)))
    assert {"account_compromise", "deepfake_threat"} & flags.keys()
    assert "rapid_sexual_request" not in flags
    assert "social_media_reconnaissance" not in flags


def test_identity_slip_is_marked_where_it_happens() -> None:
    result = scan(_conv("i'm 15 too", "cool", "ugh my boss kept me late at work", "what?"))
    assert _flags(result) == {"identity_misrepresentation": 2}


@pytest.mark.parametrize(
    "text",
    [
        "s3nd me n u d e s",
        "send me nud\u0435s",  # a Cyrillic e
        "SEND ME NUUUDES",
        "send me n.u.d.e.s 🍑",
        "".join(chr(ord(c) + 0xFEE0) if c.isalpha() else c for c in "send me nudes"),  # fullwidth
        "plz send me noodz",
        "s e n d   n u d e s   now",  # wider gaps between the spaced words
        "s.e.n.d n.u.d.e.s",
        "s3nd m3 nud3",  # a digit closing a word
    ],
)
def test_chat_tricks_are_seen_through(text: str) -> None:
    assert "rapid_sexual_request" in _flags(scan(_conv(text)))


HARD_NEGATIVES = {
    "counselor": ["a red flag is when someone asks for nudes and wants to move to snapchat"],
    "parent_news": [
        "did you see the news about the scammer who threatened to send pics to the kid's followers",
        "if anyone ever asks you for money like that, tell me",
    ],
    "reported": ["some account told me to add her on snap lol", "then he asked for nudes"],
    "pets": ["send me a pic of the puppy!!", "i'll send you one of mine too"],
    "bill": ["venmo me $12 for the pizza", "sending on cash app now"],
    "gamers": ["add me on discord for the raid tonight", "whats your discord"],
    "adults": ["had fun at drinks after work", "send me a cute pic ;) you're so hot"],
    "modeling": [
        "this is the agency confirming your shoot, a parent must attend and sign the contract",
        "our office address and license number are on the website",
    ],
    "hyperbole": ["this homework is killing me", "i'm dying lol"],
    "moderators": ["flagged as sextortion in the queue, escalate to trust and safety"],
    "surprise": ["don't tell mom about the surprise party", "our secret!"],
    "spanish_bill": ["pasame 150 pesos de la pizza", "te lo transfiero ya"],
}


@pytest.mark.parametrize("kind", sorted(HARD_NEGATIVES))
def test_quiet_on_what_merely_sounds_alike(kind: str) -> None:
    result = scan(_conv(*HARD_NEGATIVES[kind]))
    assert result["level"] == "none", result["flags"]
    assert result["first_alert_index"] is None


def test_the_childs_everyday_reply_is_not_distress() -> None:
    """The model alone once took "i'm so bored" for distress, after a request: it needs a word
    of feeling now. Real panic in new words still counts."""
    bored = scan(_conv("send me a nude pic", "wanna facetime? i'm so bored"))
    assert bored["victim_distress"] is False
    panic = scan(_conv("i'll post it everywhere", "i'm shaking, i can't stop crying"))
    assert panic["victim_distress"] is True


def test_pleading_is_not_a_threat_and_sender_names_carry_nothing() -> None:
    plea = scan(_conv("hi", "please don't send it to my friends"))
    assert plea["flags"] == []
    named = {
        "id": "n",
        "messages": [{"sender": "predator_69", "text": "how was school"}],
    }
    assert scan(named)["flags"] == []


def test_streaming_verdicts_use_only_the_messages_so_far() -> None:
    lines = [
        "hey",
        "hi",
        "you're so mature for your age",
        "thanks",
        "send me a pic without your shirt",
        "no",
        "i have your follower list, i'll send it to all of them",
    ]
    full = scan(_conv(*lines))
    assert full["first_alert_index"] == 2  # the flattery of grooming, long before the threat
    for k in range(1, len(lines) + 1):
        prefix = scan(_conv(*lines[:k]))
        expected = {f: i for f, i in _flags(full).items() if i < k}
        assert _flags(prefix) == expected


# Small talk that lets each side send four lines, so that what follows is past the opening.
_CHATTED = ("hey", "hi", "what's up", "nm", "same", "lol", "ok", "yeah")


@pytest.mark.parametrize(
    ("lines", "alert"),
    [
        # A stranger who opens with details of the child's profile: NCMEC's first red flag.
        (("saw on your insta you play for the lincoln team", "yeah"), 0),
        (("hola", "vi en tu insta que juegas en el equipo de tu escuela", "si"), 1),
        # The same detail deep in a chat is common between friends, and so is a move to another
        # app: either alone stays under the alert.
        ((*_CHATTED, "saw on your insta you play for the lincoln team", "yeah"), None),
        (("add me on snap", "ok"), None),
        # Both from the same person: an alert at the second.
        (
            (
                *_CHATTED,
                "saw on your insta you play for the lincoln team",
                "yeah",
                "add me on snap",
            ),
            10,
        ),
        # Secrecy or flattery of maturity alone is grooming's core: an alert.
        (("hey", "hi", "don't tell your parents we talk"), 2),
    ],
)
def test_the_alert_waits_for_enough_signs(lines: tuple[str, ...], alert: int | None) -> None:
    assert scan(_conv(*lines))["first_alert_index"] == alert


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["a", "b"]), st.text(max_size=200)), max_size=12))
def test_any_text_gives_a_well_formed_result(messages: list[tuple[str, str]]) -> None:
    result = scan({"id": "h", "messages": [{"sender": s, "text": t} for s, t in messages]})
    assert 0.0 <= result["risk"] <= 1.0
    assert result["level"] in ("none", "grooming", "extortion")
    assert {f["flag"] for f in result["flags"]} <= set(FLAGS)
    assert all(0 <= f["message_index"] < len(messages) for f in result["flags"])


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_normalise_is_lower_case_and_settles(text: str) -> None:
    once = normalise(text)
    assert once == once.lower()
    assert "  " not in once
    assert normalise(once) == normalise(normalise(once))


def test_held_out_split_holds_its_ground() -> None:
    """The generated held-out split, whose phrasings neither the patterns nor the ideas were
    written from. Asserted as targets: macro F1 at least 0.9, false alarms on hard negatives at
    most 2%, early warning at least 0.9, distress recall at least 0.95 (data/detect/README.md)."""

    rows = [json.loads(line) for line in (DATA / "heldout.jsonl").read_text().splitlines()]
    figures = evaluate((row["labels"], scan(row)) for row in rows)
    assert figures["hard_negative_false_alarm_rate"] <= 0.02
    assert figures["victim_distress_recall"] >= 0.95
    assert figures["macro_f1"] >= 0.9
    assert figures["early_warning_rate"] >= 0.9


def _cli(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tipline", *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_cli_scans_files_and_evaluates(tmp_path: Path) -> None:
    source = tmp_path / "in.jsonl"
    source.write_text(
        json.dumps(_conv("send me nudes", "no", "i'll post it to your followers"))
        + "\n"
        + json.dumps(_conv("how was practice"))
        + "\n"
    )
    out = tmp_path / "out.jsonl"
    done = _cli("scan", str(source), "-o", str(out))
    assert done.returncode == 0, done.stderr
    results = [json.loads(line) for line in out.read_text().splitlines()]
    assert [r["level"] for r in results] == ["extortion", "none"]
    figures = _cli("scan", "--evaluate", str(DATA / "handwritten.jsonl"), "--json")
    assert figures.returncode == 0, figures.stderr
    assert json.loads(figures.stdout)["conversations"] == 32
    bad = _cli("scan", "-", stdin="{not json\n")
    assert bad.returncode == 2
    assert bad.stderr.startswith("error: - line 1: not JSON")
    assert bad.stderr.count("\n") == 1


def test_explained_message_by_message_for_a_reviewer(tmp_path: Path) -> None:
    """The risk after each message, what each raised (a request the child's refusal revealed is
    raised at the refusal and marked at the asking), the alert where it fired; the same in the
    CLI's table and its JSON."""

    lines = ("hey", "hi", "take a pic for me rn, just how you are", "you're a creep, i'm only 13")
    explained = explain(_conv(*lines))
    steps, result = explained["messages"], explained["result"]
    assert [s["index"] for s in steps] == [0, 1, 2, 3]
    assert [s["raised"] for s in steps[:3]] == [[], [], []]
    assert steps[3]["raised"][0]["flag"] == "rapid_sexual_request"
    assert steps[3]["raised"][0]["message_index"] == 2
    assert [s["alert"] for s in steps] == [False, False, False, True]
    assert steps[-1]["risk"] == result["risk"] == scan(_conv(*lines))["risk"]
    # The CLI explains with the detector as shipped (the learned model over these rules).
    source = tmp_path / "in.jsonl"
    source.write_text(json.dumps(_conv(*lines)) + "\n")
    table = _cli("scan", str(source), "--explain")
    assert table.returncode == 0, table.stderr
    # (The table wraps to the terminal's width: check the parts.)
    assert "risk" in table.stdout
    assert "take a pic for me" in table.stdout
    as_json = _cli("scan", str(source), "--explain", "--json")
    assert json.loads(as_json.stdout) == detector.explain(_conv(*lines))


def test_api_detects_and_opens_a_top_priority_report(
    http: httpx.Client,
    database,  # type: ignore[no-untyped-def]
) -> None:

    key = {"Authorization": f"Bearer {make_org(database, 'platform').api_key}"}
    body = {
        **_conv(
            "hey saw ur pic on the team page",
            "i still have the pic u sent me last night",
            "pay me $200 on cash app by tonight or i send it to ur whole school",
            "please no i cant do this anymore, i want to die",
        ),
        "open_report": True,
    }
    answer = http.post("/api/v1/detect", json=body, headers=key)
    assert answer.status_code == 200, answer.text
    result = answer.json()
    assert result["victim_distress"] is True
    assert result["report_case_number"]
    with database.session() as db_session:
        report = reports.get_report(db_session, ref=result["report_case_number"])
        assert report.source == "detector"
        assert report.self_harm_risk is True
        assert report.priority_tier == 1
        assert {"sextortion_threat", "financial_demand"} & set(report.annotations)

        files = db_session.scalars(select(EvidenceFile).where(EvidenceFile.report_id == report.id))
        assert [f.filename for f in files] == ["conversation-t.json"]
    quiet = http.post(
        "/api/v1/detect", json={**_conv("how was school"), "open_report": True}, headers=key
    )
    assert quiet.json()["report_case_number"] is None
    assert (
        http.post("/api/v1/detect", json={"id": "x", "messages": []}, headers=key).status_code
        == 422
    )
    assert http.post("/api/v1/detect", json=_conv("hi")).status_code == 401


def test_the_second_stage_adds_what_the_patterns_miss_and_trains_the_same_twice() -> None:
    # A model taught that an invented word is a request, which no pattern knows.
    def sample(text: str, flags: set[str]) -> tuple[object, set[str]]:
        return features.features(normalise(text), "", from_suspect=True), flags

    samples = [sample("zorblat me tonight", {"rapid_sexual_request"})] * 40 + [
        sample(text, set()) for text in ("how was school", "lol ok", "see you tomorrow")
    ] * 40
    taught = training.train(samples, steps=100)  # type: ignore[arg-type]
    risky = _conv("you are so mature for your age", "haha", "zorblat me tonight")
    assert "rapid_sexual_request" not in _flags(scan(risky, scorer=None))
    assert _flags(scan(risky, scorer=taught)).get("rapid_sexual_request") == 2
    # Where the first stage sees no risk, the model is not even asked.
    assert _flags(scan(_conv("hola", "jaja", "zorblat me tonight"), scorer=taught)) == {}
    rows = [json.loads(line) for line in (DATA / "train.jsonl").read_text().splitlines()[:200]]
    trained = training.training_samples(rows)
    first, second = training.train(trained, steps=20), training.train(trained, steps=20)
    assert (first.weights == second.weights).all()
    assert model.default() is not None  # the shipped weights load
