"""One answerability decision: the calibration of the model in use, the default for others, and
refusals that name only what the user asked about."""

from __future__ import annotations

import json

import pytest

from app import answerability
from app.answerability import DEFAULT, calibration, score


@pytest.fixture
def table(tmp_path, monkeypatch):
    path = tmp_path / "calibration.json"
    path.write_text(json.dumps({"m-a": {"weights": [10.0, 0, 0, 0, 0], "bias": -8.0}}), encoding="utf-8")
    monkeypatch.setattr(answerability, "CALIBRATION_FILE", path)
    calibration.cache_clear()
    yield path
    calibration.cache_clear()


def test_each_model_uses_its_own_calibration_and_others_the_default(table):
    f = {"similarity": 0.85, "coverage": 0.2, "about": 1.0, "known": 1.0, "structural": 0.0, "in_region": 1.0}
    assert calibration("m-a")["bias"] == -8.0
    assert score("m-a", f) > 0.5  # 10 * 0.85 - 8 > 0
    assert calibration("m-b") == DEFAULT
    assert score("m-b", f) < 0.5  # words alone: coverage 0.2 is too little


def test_the_shipped_calibration_names_its_features_and_split():
    shipped = json.loads(answerability.CALIBRATION_FILE.read_text(encoding="utf-8"))
    for model, cal in shipped.items():
        assert cal["features"] == list(answerability.FEATURES)
        assert len(cal["weights"]) == len(answerability.FEATURES)
        assert cal["calibrated_on"].startswith("dev splits of ")
