"""The detector's ideas (detect/concepts.py): flags found from what a message is about when no
pattern lists its words, with the same guards as the patterns."""

from __future__ import annotations

import json
from pathlib import Path

import chatterbot_corpus  # type: ignore[import-untyped]
import pytest
import yaml
from hypothesis import example, given, settings
from hypothesis import strategies as st
from test_detect import _conv

from tipline.detect import concepts, lexicon, prefilter
from tipline.detect.engine import scan
from tipline.detect.normalise import normalise


@pytest.fixture
def ideas_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """The first stage without its patterns: only the ideas can find a flag."""
    for languages in lexicon.BY_LANGUAGES:
        monkeypatch.setitem(lexicon.BY_LANGUAGES, languages, [])


# Wordings the patterns do not list, each the flag's idea in other words; the lines before set
# the scene the guards ask for (a sexual context before a trade or a demand for more).
CASES = [
    ("social_media_reconnaissance", ("congrats on the tournament, your team was unreal",)),
    ("social_media_reconnaissance", ("felicidades por el partido, tu equipo jugo increible",)),
    ("rapid_sexual_request", ("lemme see you with the hoodie off",)),
    ("rapid_sexual_request", ("enseñame algo picante solo para mi",)),
    ("platform_migration", ("this app reads everything, hop on telegram",)),
    ("platform_migration", ("aqui nos leen, mejor por wsp",)),
    ("reciprocation", ("send nudes", "no", "fair trade, one for one")),
    ("reciprocation", ("mandame fotos desnuda", "no", "intercambiamos, trato?")),
    ("fake_modeling_agency", ("you have the look, our agency books new models",)),
    ("fake_modeling_agency", ("tienes el perfil, podrias ser modelo de la marca",)),
    ("relationship_building", ("you deserve better, your parents are too strict",)),
    ("relationship_building", ("te mereces algo mejor, tus papas son muy estrictos",)),
    ("multiple_identities", ("unblock me, this is my alt",)),
    ("multiple_identities", ("mi otra cuenta, no me ignores",)),
    ("account_compromise", ("hacked your icloud lol",)),
    ("account_compromise", ("dime la clave de tu correo",)),
    ("deepfake_threat", ("one click and a nudify tool does the rest",)),
    ("deepfake_threat", ("nadie va a saber que la foto es falsa",)),
    ("sextortion_threat", ("screenshotted your contact list",)),
    ("sextortion_threat", ("guarde captura de tus contactos",)),
    ("financial_demand", ("$150 in steam cards tonight",)),
    ("financial_demand", ("cuanta lana tienes",)),
    ("content_demand", ("send nudes", "ok", "that's not enough")),
    ("content_demand", ("mandame fotos desnuda", "ok", "no es suficiente, quiero mas")),
]


@pytest.mark.usefixtures("ideas_only")
@pytest.mark.parametrize(("flag", "lines"), CASES)
def test_ideas_find_each_flag_in_new_words(flag: str, lines: tuple[str, ...]) -> None:
    result = scan(_conv(*lines), scorer=None)
    found = {f["flag"]: f for f in result["flags"]}
    assert flag in found, result
    # The reviewer sees which words carried each idea, in the rule's order.
    assert found[flag]["message_index"] == len(lines) - 1
    words = found[flag]["evidence"].split(" … ")
    norm = normalise(lines[-1]).replace("'", "")
    assert all(w in norm for w in words)


@pytest.mark.usefixtures("ideas_only")
def test_the_childs_panic_in_new_words() -> None:
    result = scan(_conv("pay or everyone sees it", "estoy temblando, no hay salida"), None)
    assert result["victim_distress"] is True


@pytest.mark.usefixtures("ideas_only")
@pytest.mark.parametrize(
    "lines",
    [
        # Reported speech, education, a benign context, a negation: the same guards as patterns.
        ("some guy told me he screenshotted my contact list",),
        ("if someone says they screenshotted your contact list, report it",),
        ("can u venmo me 12 for the pizza tonight",),
        ("never send your login code to anyone",),
    ],
)
def test_the_guards_hold_for_ideas(lines: tuple[str, ...]) -> None:
    assert scan(_conv(*lines), scorer=None)["level"] == "none"


def test_emoji_do_not_carry_ideas_alone() -> None:
    # The normaliser turns 💰 into "money" and 😭 into "crying" for the patterns; emoji are
    # sprinkled over every kind of chat, so no idea rests on them.
    assert concepts.read(normalise("send me a pic 💰 😭 😈")) == {
        "ASK": "send",
        "IMAGE": "pic",
    }


def test_phrases_are_read_as_the_messages_are() -> None:
    # Table entries go through the same cleaning: "dont want to live" is "do not want to live".
    assert "FEAR" in concepts.read(normalise("i DON'T want to live anymore"))
    assert concepts.read(normalise("so mature for 13"))["AGE"] == "13"


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200))
# A digit to str.isdigit that int() cannot read (found by this test in CI); a clock time.
@example("❶ ²³ 100")
@example("$200 by 10pm")
def test_any_text_reads_to_known_ideas_in_its_own_words(text: str) -> None:
    norm = normalise(text)
    found = concepts.read(norm)
    assert set(found) <= {*concepts.IDEAS, "AGE", "MONEY", "AMOUNT", "DOLLARS"}
    plain = f" {norm.replace(chr(39), '')} "
    assert all(f" {words} " in plain for words in found.values())
    for in_context in (False, True):
        for flag, phrases in concepts.proposals(found, in_context=in_context):
            assert flag in concepts.RULES
            assert phrases


@pytest.mark.parametrize(
    ("name", "at_least", "still_flagged"),
    [
        # Two still raise a flag, both through the patterns: a friend's "vi tu historia" and
        # "I'm literally shaking, I got the lead".
        ("everyday", 35, 2),
        # One: a friend's "i saw on ur story u got a puppy!!", which from a stranger would be
        # the first red flag; the words alone cannot tell them apart. (4 of 20 at first.)
        ("everyday-2", 20, 1),
        # Two (4 of 18 at first): "lets move our convo to imessage, my snap keeps logging me
        # out" (a groomer's excuse in the same words) and a coach's "you're so mature for a
        # freshman" (a groomer's words too; the platform knows who the coach is).
        ("everyday-4", 18, 2),
    ],
)
def test_everyday_chat_stays_quiet(name: str, at_least: int, still_flagged: int) -> None:
    """Conversations full of the ideas' words (photos, money, apps, secrets, school, love,
    codes, bedtimes) and no red flag (data/detect/everyday*.txt)."""

    path = Path(__file__).resolve().parents[2] / "data" / "detect" / f"{name}.jsonl"
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    flagged = [row["id"] for row in rows if scan(row)["flags"]]
    assert len(rows) >= at_least
    assert len(flagged) <= still_flagged, flagged


@pytest.mark.parametrize(
    "lines",
    [
        # The child's own story, and a friend's reply about it.
        (("a", "did you see my story from the game"), ("b", "yes!! your team killed it, congrats")),
        # A teacher's second example is still teaching.
        (
            ("a", "today's topic: red flags online"),
            ("a", "another is when someone wants you to move to a different app"),
        ),
        # A quoted message, retold; a real booking with a parent and a lawyer; a team's group.
        (
            ("a", 'my friend got a message saying "send nudes or i leak your pics"'),
            ("b", "good that she blocked him"),
        ),
        (
            ("a", "the agency photographer confirmed, your dad is coming, the lawyer has it"),
            ("b", "ok"),
        ),
        (("a", "pasemos al grupo de whatsapp del equipo"), ("b", "dale")),
        # Sharing with the family is not a threat.
        (
            ("a", "can i see the pics from the trip"),
            ("b", "i'll post them on the family group tonight"),
        ),
        # A retold hack, money for a jersey, an aunt's pride, a debt among friends.
        (("a", "someone logged into my account and messaged all my friends"), ("b", "ugh")),
        (("a", "i need 40 bucks by friday for the team jersey or i can't play"), ("b", "ok")),
        (("a", "you're so grown up now, starting high school!"), ("b", "stop lol")),
        (("a", "si no me devuelves mis 50 pesos le digo a tu mama jaja"), ("b", "ya")),
        # A parent asked for money, stretched laughter, secret santa, a sibling's prank.
        (("a", "mom i need $30 for the yearbook today or they sell out"), ("b", "ok")),
        (("a", "bro that meme is killing me"), ("b", "lmaooo i can't breathe")),
        (("a", "our secret santa rules: don't tell anyone who you got!"), ("b", "ok")),
        (("a", "lol my brother hacked my fortnite account"), ("b", "annoying")),
        # A game recording for the coach, nerves, an uncle's promise, 'more fun'.
        (("a", "bro i recorded the whole game, i'll send it to coach tonight"), ("b", "sick")),
        (("a", "i'm so scared for tryouts tomorrow, i might throw up"), ("b", "you got this")),
        (("a", "my uncle said he'd buy me robux if i get an A in math"), ("b", "lucky")),
        (("a", "it's more fun when we both study"), ("b", "true")),
        # Birthday money, a class album.
        (("a", "my grandma sends me 20 dollars every birthday"), ("b", "mine sends socks")),
        (("a", "mándame las fotos de la excursión, quiero subirlas al álbum de la clase"),),
    ],
)
def test_everyday_turns_stay_quiet(lines: tuple[tuple[str, str], ...]) -> None:
    """Turns between friends, families, teachers and teams that use the ideas' words and show no
    red flag (each case a false alarm once seen on a hand-written set, a probe or a fresh line)."""
    conversation = {"id": "t", "messages": [{"sender": s, "text": text} for s, text in lines]}
    assert scan(conversation)["flags"] == []


def test_praise_for_seeming_older_is_flattery_not_a_lie_caught() -> None:
    result = scan(_conv("hey", "hi", "you're so pretty for 13, you seem older"))
    assert {f["flag"] for f in result["flags"]} == {"relationship_building"}


def test_a_demand_for_more_under_threat_needs_nothing_before_it() -> None:
    flags = {f["flag"] for f in scan(_conv("send another or i post the first one"))["flags"]}
    assert {"content_demand", "sextortion_threat"} <= flags


def _probes() -> list[tuple[str, str]]:
    path = Path(__file__).resolve().parents[2] / "data" / "detect" / "probes.txt"
    lines = path.read_text(encoding="utf-8").splitlines()
    return [tuple(line.split("|", 1)) for line in lines if line and not line.startswith("#")]  # type: ignore[misc]


def test_single_lines_in_other_words() -> None:
    """data/detect/probes.txt: lines written to probe the ideas, each showing one flag (all
    found), and everyday lines that must stay quiet (all quiet). Batches found 66 of 88, 17 of
    35, 33 of 46, 18 of 36 and 15 of 31 before their misses were mended; 11 of 40 everyday
    lines raised a flag before theirs were."""
    missed, noisy = [], []
    for marked, text in _probes():
        flag, _, marker = marked.partition("@")
        # A trade or a demand for more comes after a first request; a line marked '@held' after
        # someone says they hold the child's pictures; '@threatened', the child's reply to a
        # threat; the rest after a greeting.
        if marker == "held":
            before: tuple[str, ...] = ("i have the pics you sent me", "please no")
        elif marker == "threatened":
            before = ("i will post your pics to all your followers",)
        elif flag in ("content_demand", "reciprocation"):
            before = ("send nudes", "ok")
        else:
            before = ("hey", "hi")
        result = scan(_conv(*before, text))
        last = {f["flag"] for f in result["flags"] if f["message_index"] == len(before)}
        if flag == "none":
            noisy += [text] if result["flags"] else []
        elif flag not in last:
            missed.append((flag, text))
    assert missed == []
    assert noisy == []


_WORDS = st.sampled_from(
    [
        "send",
        "me",
        "a",
        "pic",
        "without",
        "your",
        "shirt",
        "or",
        "i",
        "post",
        "it",
        "to",
        "your",
        "followers",
        "$200",
        "tonight",
        "add",
        "me",
        "on",
        "snap",
        "i'll",
        "go",
        "first",
        "you",
        "blocked",
        "me",
        "nobody",
        "understands",
        "you",
        "like",
        "i",
        "do",
        "mandame",
        "fotos",
        "sin",
        "ropa",
        "te",
        "voy",
        "a",
        "subir",
        "a",
        "tu",
        "escuela",
        "tengo",
        "miedo",
        "no",
        "way",
        "out",
        "15",
        "años",
        "idk",
        "lol",
        "ü",
        "ß",
        "你好",
    ]
)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(_WORDS, max_size=14).map(" ".join), min_size=1, max_size=5))
def test_the_prefilter_changes_speed_not_answers(texts: list[str]) -> None:
    """RE2's one-pass prefilter (prefilter.py) names the patterns worth running; without it
    every flag's gate decides. The verdicts must be the same either way."""

    conversation = {
        "id": "p",
        "messages": [{"sender": "ab"[i % 2], "text": text} for i, text in enumerate(texts)],
    }
    fast = scan(conversation, scorer=None)
    saved = prefilter.PREFILTER._set
    try:
        prefilter.PREFILTER._set = None
        slow = scan(conversation, scorer=None)
    finally:
        prefilter.PREFILTER._set = saved
    assert prefilter.PREFILTER.active
    assert fast == slow


def test_a_trade_waits_for_what_it_trades() -> None:
    """A trade named before anything sexual counts once the request comes, at its own index;
    a trade of pictures of a puppy never does."""
    lines = ("lets swap, one for one", "of what", "send me one without your shirt")
    flags = {f["flag"]: f["message_index"] for f in scan(_conv(*lines))["flags"]}
    assert flags.get("reciprocation") == 0
    assert flags.get("rapid_sexual_request") == 2
    prefix = scan(_conv(*lines[:2]))
    assert prefix["flags"] == []  # streaming: nothing before the request shows it
    puppy = ("lets swap, one for one", "ok", "send me one of the puppy")
    assert "reciprocation" not in {f["flag"] for f in scan(_conv(*puppy))["flags"]}


def test_gift_cards_are_money_even_where_gifts_are_benign() -> None:
    result = scan(
        _conv("ya tengo tus fotos. quiero 1000 pesos en tarjetas de regalo antes de mañana")
    )
    assert "financial_demand" in {f["flag"] for f in result["flags"]}


@pytest.mark.parametrize(
    ("lines", "flag"),
    [
        # "If you do not send" is the condition of a demand, not a refusal.
        (
            ("send nudes", "ok", "if u dont send 3 more by tmrw i'm posting this one"),
            "content_demand",
        ),
        # A trade with clothes coming off is also the request.
        (
            ("hi", "hey", "now one without ur shirt so we're even, i sent mine"),
            "rapid_sexual_request",
        ),
        (("si no me depositas 300 hoy, tus contactos van a ver tus fotos",), "financial_demand"),
        # Game money offered to the child buys trust; it is not money demanded of them.
        (
            ("hi", "hey", "i'll give u 5000 vbucks if u send a shirtless pic"),
            "relationship_building",
        ),
    ],
)
def test_conditions_trades_and_gifts(lines: tuple[str, ...], flag: str) -> None:
    assert flag in {f["flag"] for f in scan(_conv(*lines))["flags"]}


def test_a_gamer_tag_is_not_a_tag_and_offered_money_is_not_demanded() -> None:
    result = scan(_conv("u dont know me but i know ur gamer tag and ur school lol", "creepy"))
    assert "sextortion_threat" not in {f["flag"] for f in result["flags"]}
    offered = scan(_conv("hi", "hey", "i'll give u 5000 vbucks if u send a shirtless pic"))
    assert "financial_demand" not in {f["flag"] for f in offered["flags"]}


def test_holding_the_childs_picture_is_context_for_a_demand_for_more() -> None:
    lines = ("remember the pic you sent me last summer? i still have it", "delete it please")
    result = scan(_conv(*lines, "i'll delete it if you send me a new one, a better one"))
    assert "content_demand" in {f["flag"] for f in result["flags"]}


def test_a_hypothetical_audience_is_a_threat() -> None:
    result = scan(_conv("imagine if your coach saw the screen recording", "what do you want"))
    flags = {f["flag"] for f in result["flags"]}
    assert "sextortion_threat" in flags
    assert "social_media_reconnaissance" not in flags


def test_other_peoples_everyday_chat_stays_quiet() -> None:
    """The chatterbot corpus (other writers, English and Spanish small talk about money,
    emotions, sport, food...) holds no red flag. Under 1% of its 2,300 conversations raise one
    (0.5% measured in the sixth session, 11: questions about money in general, "I want to die
    peacefully in my sleep", "tengo miedo" with no one threatening)."""

    root = Path(chatterbot_corpus.__path__[0]) / "data"
    total = flagged = 0
    for path in sorted([*root.glob("english/*.yml"), *root.glob("spanish/*.yml")]):
        for lines in yaml.safe_load(path.read_text(encoding="utf-8")).get("conversations", []):
            messages = [{"sender": "ab"[i % 2], "text": str(t)} for i, t in enumerate(lines)]
            total += 1
            flagged += bool(scan({"id": path.stem, "messages": messages})["flags"])
    assert total > 2000
    assert flagged / total < 0.01, (flagged, total)


def test_a_threat_to_send_the_childs_nudes_is_not_a_request_for_them() -> None:
    result = scan(_conv("send me 100 on cash app or i'm sending ur nudes to ur girlfriend"))
    flags = {f["flag"] for f in result["flags"]}
    assert {"financial_demand", "sextortion_threat"} <= flags
    assert "rapid_sexual_request" not in flags


def test_feeling_like_dying_is_distress() -> None:
    lines = (
        "if u block me it goes to the whole group chat",
        "please i'm crying, i feel like dying",
    )
    assert scan(_conv(*lines))["victim_distress"] is True


@pytest.mark.parametrize(
    "text",
    [
        "see you at school tonight",
        "see you at school or the library",
        "the whole class saw it today lol",
        "get the notes from class today",
        "your team gets the trophy tonight",
        "mis amigos van a ver la película hoy",
        "ven a mi casa hoy, mis papás no están",
        "my mom will see it tonight and decide",
    ],
)
def test_being_seen_is_not_a_threat_without_one(text: str) -> None:
    """Words of being seen ('see', 'gets', 'van a ver') threaten only with a hard condition or a
    picture held; a bare 'or' or a time of day is not one."""
    assert scan(_conv("hey", "hi", text))["flags"] == []


def test_being_seen_with_a_hard_condition_is_a_threat() -> None:
    result = scan(_conv("pay me tonight or everyone at your school sees it"))
    assert "sextortion_threat" in {f["flag"] for f in result["flags"]}
