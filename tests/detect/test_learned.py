"""The learned detector (issue 23): the model file says what it learned from, the verdict after a
message uses only the messages so far, each flag shows in both languages, everyday talk stays
quiet, the operating points order as their names say, training is one deterministic command,
and the history plot is drawn.

The per-flag figures here are read on the writers' conversations the model was trained on, so
they are fitted: they hold the pipeline, not a claim about new words (data/detect/README.md has
the first scores on fresh writers)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from tipline.detect import FLAGS, explain, learned, learning, new_state, scan
from tipline.detect.evaluate import evaluate

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "data" / "detect"
MODEL = learned.default()
pytestmark = pytest.mark.skipif(MODEL is None, reason="no learned model shipped")


def _rows(batch: str) -> list[dict[str, Any]]:
    path = DATA / "writers" / batch / f"{batch}.jsonl"
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def _training_rows() -> list[dict[str, Any]]:
    assert MODEL is not None
    batches = MODEL.meta["trained_on"]["writer_batches"]
    return [row for batch in batches for row in _rows(batch)]


def test_the_model_file_names_the_data_it_learned_from() -> None:
    """learned.json's hash is the hash of the training data as it is in the repository now: a
    label changed without retraining fails here."""
    sys.path.insert(0, str(ROOT / "scripts"))
    import train_detector  # noqa: PLC0415 - the script, as the one training command runs it

    assert MODEL is not None
    trained = MODEL.meta["trained_on"]
    rows, _ = train_detector.load(trained["writer_batches"], generated=trained["generated"])
    texts = [json.dumps(r, sort_keys=True, ensure_ascii=False) for r in rows]
    assert learning.data_hash(texts) == trained["data_sha256"]
    assert trained["conversations"] == len(rows)
    manifest = json.loads((DATA / "writers" / "MANIFEST.json").read_text(encoding="utf-8"))
    for batch in trained["writer_batches"]:
        assert manifest[batch]["used_for_training"], f"{batch} trained on but not marked so"


def test_operating_points_order_as_named() -> None:
    """Cross-validated by writer: the precision point flags no more hard negatives than the
    balanced one, which flags no more than the recall point; distress recall never pays."""
    assert MODEL is not None
    figures = MODEL.meta["cross_validated_by_writer"]
    rate = {p: figures[p]["hard_negative_false_alarm_rate"] for p in learned.OPERATING_POINTS}
    assert rate["precision"] <= rate["balanced"] <= rate["recall"]
    assert rate["balanced"] <= 0.05
    for point in learned.OPERATING_POINTS:
        assert figures[point]["victim_distress_recall"] >= 0.95


@settings(max_examples=25, deadline=None)
@given(st.data())
def test_the_verdict_after_a_message_uses_only_the_messages_so_far(data: st.DataObject) -> None:
    row = data.draw(st.sampled_from(_rows("b01")))
    cut = data.draw(st.integers(min_value=1, max_value=len(row["messages"])))
    prefix = {"id": row["id"], "messages": row["messages"][:cut]}
    state = new_state()
    for message in row["messages"][:cut]:
        state.add(message["sender"], message["text"])
    assert state.result(row["id"]) == scan(prefix)
    # And a later message never moves a flag already raised.
    full = {f["flag"]: f["message_index"] for f in scan(row)["flags"]}
    for flag in scan(prefix)["flags"]:
        assert full[flag["flag"]] == flag["message_index"]


@pytest.mark.parametrize("lang", ["en", "es"])
def test_each_flag_shows_in_both_languages(lang: str) -> None:
    """Fitted: on the conversations it learned from, each flag the writers showed in a language
    at least three times is found in at least half of them."""
    rows = [r for r in _training_rows() if r.get("lang") == lang]
    figures = evaluate((r["labels"], scan(r)) for r in rows)
    for flag in FLAGS:
        shown = figures["flags"][flag]
        if shown["support"] >= 3:
            assert shown["recall"] >= 0.5, (lang, flag, shown)


def test_everyday_talk_that_shares_the_words_stays_quiet() -> None:
    """Written for this test, not trained on: a family's money, friends' photos, a counsellor
    explaining the signs, gamers moving servers, in both languages."""
    everyday = [
        ("mom can u venmo me 20 for the field trip", "sure sweetie, sent. bring the receipt"),
        ("send me the pics from the beach lol", "omg i look so bad in all of them"),
        (
            "the counselor said if someone asks for pics and threatens you, tell an adult",
            "yeah and block them, she said never pay",
        ),
        ("we're moving the squad to discord, here's the server code", "bet, joining now"),
        ("mija, ¿me pasas el código del wifi?", "ya te lo mandé, ma"),
        ("pásame las fotos del cumple de la abuela", "ahí van, salimos todos bien"),
    ]
    for first, second in everyday:
        result = scan(
            {
                "id": "e",
                "messages": [
                    {"sender": "aa", "text": first},
                    {"sender": "bb", "text": second},
                ],
            }
        )
        assert result["level"] == "none", (first, result["flags"])


def test_a_child_in_crisis_is_never_missed_in_either_language() -> None:
    for lines in (
        ("i have ur pics. pay or everyone sees them", "i cant do this anymore i want to die"),
        ("tengo tus fotos, paga o las ve toda tu escuela", "ya no quiero vivir, no hay salida"),
    ):
        result = scan(
            {
                "id": "c",
                "messages": [
                    {"sender": "xq", "text": lines[0]},
                    {"sender": "mp", "text": lines[1]},
                ],
            }
        )
        assert result["victim_distress"], lines
        assert result["level"] == "extortion", result["flags"]


def test_each_raised_flag_names_the_words_that_show_it() -> None:
    row = next(r for r in _rows("b01") if r["labels"]["level"] == "extortion")
    explained = explain(row)
    raised = [r for step in explained["messages"] for r in step["raised"]]
    assert raised, "an extortion conversation the model learned from raises flags"
    for step in explained["messages"]:
        text = row["messages"][step["index"]]["text"].lower()
        for flag in step["raised"]:
            assert flag["evidence"], flag
            words = [w for w in flag["evidence"].replace(" … ", " ").split() if w.isalpha()]
            # The words quoted are the message's own (after the normaliser's spelling fixes).
            assert any(w in text for w in words) or not words, (flag, text)


def test_training_is_one_deterministic_command(tmp_path: Path) -> None:
    """The same data gives the same weights; a model trained on a small set scores the set."""
    rows = _rows("b01")[:40]
    data = learning.samples(rows)
    first = learning.fit(data, steps=30)
    second = learning.fit(data, steps=30)
    assert np.array_equal(first[0], second[0])
    assert np.array_equal(first[1], second[1])
    script = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "train_detector.py"), "--help"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert script.returncode == 0
    assert "--batches" in script.stdout


def test_the_history_is_drawn(tmp_path: Path) -> None:
    target = tmp_path / "history.png"
    answer = subprocess.run(
        [sys.executable, "-m", "tipline", "scan", "--plot", str(target)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert answer.returncode == 0, answer.stderr
    with Image.open(target) as image:
        assert image.format == "PNG"
        assert image.size == (900, 560)
    wrong = subprocess.run(
        [sys.executable, "-m", "tipline", "scan", "--plot", str(tmp_path / "h.svg")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert wrong.returncode == 2
    assert wrong.stderr.count("\n") == 1
