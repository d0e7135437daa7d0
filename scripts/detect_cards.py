"""The card grid for the red-flag detector's data (issue 23): each writer gets scenario cards
and nothing else (never the detector, its rules, its data or another writer's output).

A card says what to write, not how: a scenario (an extortion arc, a flag or a combination of
flags, or an everyday conversation that shares the detector's words), a language and region,
the young person's age, a platform, a style and a length. Half of every batch are hard negatives.
Cards are drawn from the grid below with a seed, so a batch is regenerable:

    .venv/bin/python scripts/detect_cards.py BATCH --count 40 --seed 7 [--writers 4]

writes data/detect/cards/BATCH.jsonl (and, with --writers N, one file of cards per writer,
BATCH-w1.jsonl ... so that no writer sees another's cards)."""

from __future__ import annotations

import argparse
import json
import random
from pathlib import Path

from tipline.detect.flags import FLAGS

OUT = Path(__file__).resolve().parent.parent / "data" / "detect" / "cards"

# Scenarios that should show red flags: the arcs of sextortion, and single flags and common
# combinations, so that every flag is written on its own as well as inside a story.
ARCS = {
    "financial_sextortion": "a stranger gets an image, then demands money (gift cards, Cash App, "
    "PayPal, crypto) under threat of sending it to the young person's followers, family or school",
    "content_extortion": "someone who has one image demands more images or a video call, under "
    "threat of sharing the first",
    "deepfake": "someone threatens to make or spread a fake sexual image of the young person "
    "(AI or an editing app, their face from public photos)",
    "account_takeover": "someone gets into the young person's account or cloud (a stolen code or "
    "password) and uses what they find to threaten",
    "fake_agency": "a supposed scout, agency or photographer offers modelling work, money or a "
    "contract and moves toward asking for images",
    "long_grooming": "a slow build over many messages: flattery, secrecy, gifts, moving apps, "
    "before any request",
    "several_identities": "the same person comes back under a new account or name after a block, "
    "or speaks through a 'friend's' account",
    "catfish_caught_out": "someone claiming to be a teen of the other sex slips (age, voice, "
    "details) and is caught out, before or during a request",
    "threat_and_distress": "a threat lands and the young person answers in panic or despair",
}
SINGLE_FLAGS = list(FLAGS)
COMBINATIONS = [
    ("social_media_reconnaissance", "relationship_building"),
    ("relationship_building", "platform_migration"),
    ("rapid_sexual_request", "reciprocation"),
    ("platform_migration", "rapid_sexual_request"),
    ("sextortion_threat", "financial_demand"),
    ("sextortion_threat", "content_demand"),
    ("deepfake_threat", "financial_demand"),
    ("account_compromise", "sextortion_threat"),
    ("fake_modeling_agency", "rapid_sexual_request"),
    ("multiple_identities", "sextortion_threat"),
    ("identity_misrepresentation", "rapid_sexual_request"),
    ("sextortion_threat", "victim_distress"),
]
# Everyday conversations that share the detector's words and show no red flag (RED-FLAGS.md:
# mentions, education, adults, families and friends in a plainly benign context).
NEGATIVES = {
    "family_money": "family members sorting out money: pocket money, paying back, a Venmo for "
    "groceries, a gift card for a birthday",
    "friends_photos": "friends swapping ordinary photos (a haircut, an outfit, a trip) and "
    "teasing each other",
    "gamers_moving_servers": "gamers moving their group to Discord or another server, sharing "
    "codes for a game lobby",
    "teen_hyperbole": "teenagers exaggerating ('I'm dying', 'my mom will kill me', 'I'll leak "
    "your embarrassing baby pic lol') about ordinary things",
    "parents_about_sextortion": "parents, or a parent and teen, talking about sextortion after a "
    "school assembly or a news story, naming the warning signs",
    "counsellor_explains": "a school counsellor or youth worker explaining the red flags to a "
    "student, with examples in quotes",
    "real_agency_with_guardian": "a real modelling or acting agency booking a teen, with the "
    "parent in the loop, a contract and a studio address",
    "retold_scam": "a teen telling a friend about a scam or a creepy account they ignored and "
    "blocked, quoting what it said",
    "adults_flirting": "two adults flirting or dating, moving to another app, sending selfies",
    "moderators": "trust and safety moderators or school staff talking shop about reports",
    "surprise_secret": "a family planning a surprise and keeping it secret from someone",
    "selling_online": "selling or buying something on a marketplace: photos of the item, "
    "payment apps, meeting up with a parent",
    "account_help": "a sibling or parent helping a teen recover a hacked account or set up "
    "two-factor codes, legitimately",
    "school_project": "students doing a group project on online safety or AI images",
    "sports_team": "a coach and a team or parents chat about photos from a game, a fundraiser, "
    "moving the group chat",
}
LANGUAGES = [
    ("en", "US English"),
    ("en", "UK English"),
    ("es", "Mexican Spanish"),
    ("es", "Spanish from Spain"),
    ("es", "Argentine Spanish (voseo)"),
    ("es", "Colombian Spanish"),
    ("es", "Spanglish (US Latino teens mixing English and Spanish)"),
]
PLATFORMS = [
    "Instagram DMs",
    "Snapchat",
    "Discord",
    "Roblox chat",
    "TikTok messages",
    "WhatsApp",
    "Telegram",
    "a Minecraft server chat",
    "Fortnite party chat",
    "Wizz",
    "Kik",
    "X (Twitter) DMs",
    "Facebook Messenger",
    "a dating app (adults only)",
]
STYLES = [
    "terse, lower case, few words per message",
    "typo-ridden and abbreviated (u, ur, rn, idk, q, xq, tmb)",
    "emoji-heavy",
    "voice-to-text: run-on sentences, no punctuation, misheard words",
    "plain and fairly correct",
    "slangy, current teen slang of the region",
]
LENGTHS = {"short": "4 to 8 messages", "medium": "9 to 16 messages", "long": "17 to 30 messages"}


def _scenario(rng: random.Random) -> dict[str, object]:
    roll = rng.random()
    if roll < 0.5:
        arc = rng.choice(list(ARCS))
        return {"kind": "positive", "scenario": arc, "brief": ARCS[arc]}
    if roll < 0.8:
        flag = rng.choice(SINGLE_FLAGS)
        return {
            "kind": "positive",
            "scenario": f"flag:{flag}",
            "brief": f"a conversation in which {flag} shows (and possibly nothing else)",
        }
    combo = rng.choice(COMBINATIONS)
    return {
        "kind": "positive",
        "scenario": "flags:" + "+".join(combo),
        "brief": "a conversation in which these show: " + ", ".join(combo),
    }


def draw(batch: str, count: int, seed: int) -> list[dict[str, object]]:
    """`count` cards, half of them hard negatives, in a seeded order."""
    rng = random.Random(f"{batch}:{seed}")  # noqa: S311 - repeatable cards, not a secret
    cards = []
    for n in range(count):
        if n % 2:
            kind = rng.choice(list(NEGATIVES))
            scenario: dict[str, object] = {
                "kind": "negative",
                "scenario": f"negative:{kind}",
                "brief": NEGATIVES[kind],
            }
        else:
            scenario = _scenario(rng)
        lang, variety = rng.choice(LANGUAGES)
        adult = scenario["scenario"] in ("negative:adults_flirting", "negative:moderators")
        cards.append(
            {
                "card": f"{batch}-{n + 1:03d}",
                **scenario,
                "lang": lang,
                "variety": variety,
                "age": None if adult else rng.randint(11, 17),
                "platform": "a dating app (adults only)" if adult else rng.choice(PLATFORMS[:-1]),
                "style": rng.choice(STYLES),
                "length": rng.choice(list(LENGTHS)),
                "length_means": "",
            }
        )
        cards[-1]["length_means"] = LENGTHS[str(cards[-1]["length"])]
    rng.shuffle(cards)
    return cards


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("batch")
    parser.add_argument("--count", type=int, default=40)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--writers", type=int, default=1)
    args = parser.parse_args(argv)
    cards = draw(args.batch, args.count, args.seed)
    OUT.mkdir(parents=True, exist_ok=True)

    def write(path: Path, rows: list[dict[str, object]]) -> None:
        path.write_text(
            "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8"
        )

    write(OUT / f"{args.batch}.jsonl", cards)
    if args.writers > 1:
        for w in range(args.writers):
            write(OUT / f"{args.batch}-w{w + 1}.jsonl", cards[w :: args.writers])
    print(f"{len(cards)} cards in {OUT / args.batch}.jsonl")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
