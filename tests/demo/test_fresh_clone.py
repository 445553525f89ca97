"""A clone of the repository with nothing beside it builds the demo's intent model from what it
ships, and that model is the one the documentation describes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPOSITORY = Path(__file__).resolve().parents[2]
# Scores the active model on the shipped sample of BANKING77 test with the benchmarks' metric.
SCORE = """
import json, batondesk
from batondesk.config import get_settings
from batondesk.demo.training_data import banking77_test_sample
from batondesk.nlu import IntentClassifier, ModelRegistry
from batondesk.nlu.evaluation import evaluate
active = ModelRegistry(get_settings().models_dir).active()
sample = banking77_test_sample()
report = evaluate(IntentClassifier.load(active.path), sample.texts, sample.labels, latency_calls=0)
print(json.dumps({"package": batondesk.__file__, "examples": report["examples"],
                  "accuracy": report["accuracy"], "model": str(active.path)}))
"""


@pytest.fixture(scope="module")
def clone(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The committed HEAD of this repository, cloned into an empty temporary folder."""
    if not (REPOSITORY / ".git").exists():
        pytest.skip("not run from a git checkout")
    if os.environ.get("BATON_TEST_DATABASE_URL"):
        # The clone runs on its own SQLite files whatever the suite's database is: the SQLite
        # pass of CI has already run it, and a second run would only cost five minutes.
        pytest.skip("runs in the SQLite pass of the suite")
    head = _git("-C", str(REPOSITORY), "rev-parse", "HEAD").strip()
    target = tmp_path_factory.mktemp("fresh") / "baton"
    _git("clone", "--quiet", "--no-checkout", str(REPOSITORY), str(target))
    _git("-C", str(target), "checkout", "--quiet", "--detach", head)
    return target


def _git(*arguments: str) -> str:
    return subprocess.run(["git", *arguments], capture_output=True, text=True, check=True).stdout


def _fresh_environment(clone: Path) -> dict[str, str]:
    """Only the shared virtualenv comes from outside the clone: its code on PYTHONPATH, its
    own data folder, a home without caches, and a datasets folder that does not exist."""
    inherited = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith("BATON_")
        and name not in ("DATABASE_URL", "REDIS_URL", "PYTHONPATH", "HOME", "XDG_CACHE_HOME")
    }
    home = clone.parent / "home"
    home.mkdir(exist_ok=True)
    return {
        **inherited,
        "PYTHONPATH": str(clone / "src"),
        "HOME": str(home),
        "HF_HUB_OFFLINE": "1",
        "BATON_DATA_DIR": str(clone / "var"),
        "BATON_DATASETS_DIR": str(clone.parent / "no-datasets-here"),
    }


def _run(clone: Path, *arguments: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *arguments],
        cwd=clone,
        env=_fresh_environment(clone),
        capture_output=True,
        text=True,
        timeout=1800,
    )


@pytest.mark.slow
@pytest.mark.long
def test_demo_in_a_fresh_clone_trains_the_documented_model_from_shipped_data(
    clone: Path,
) -> None:
    assert not (clone.parent / "shared").exists()
    assert not (clone.parent / "no-datasets-here").exists()

    demo = _run(clone, "-c", "from batondesk.cli import main; main()", "demo", "--no-serve")
    assert demo.returncode == 0, demo.stdout + demo.stderr
    line = next(x for x in demo.stdout.splitlines() if x.startswith("intent model:"))
    # BANKING77 train (10,003), the customer phrasings (7,850) and the questions about what the
    # bank does not offer (332), every one of them.
    trained = (
        "trained on BANKING77 train + customer phrasings + not-offered questions "
        "(18,185 examples) in"
    )
    assert "(trained now), profile fast, " + trained in line
    assert "knowledge-base titles" not in demo.stderr

    again = _run(clone, "-c", "from batondesk.cli import main; main()", "demo", "--no-serve")
    assert again.returncode == 0, again.stdout + again.stderr
    version = line.split()[2]
    assert f"intent model: {version} (already active), profile fast" in again.stdout

    scored = _run(clone, "-c", SCORE)
    assert scored.returncode == 0, scored.stderr
    result = json.loads(scored.stdout.strip().splitlines()[-1])
    assert Path(result["package"]).is_relative_to(clone / "src")
    assert Path(result["model"]).is_relative_to(clone / "var")
    assert result["examples"] == 770
    # 93.0% when measured (BANKING77 train and the 7,850 customer phrasings; 93.8% on BANKING77
    # alone): the bar catches a model built wrong, not a point of accuracy.
    assert result["accuracy"] >= 0.92, result
