"""Replaying a generation: a match on the same device, and each way it can fail to match."""

from __future__ import annotations

import json
import shutil
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest
from click.testing import CliRunner

from provenance import record
from provenance.audit.replay import replay_generation
from provenance.cli import main
from provenance.cli.exit_codes import REPLAY_CODES
from provenance.engine import fingerprint_weights
from provenance.engine.cache import cache_folder
from provenance.engine.fingerprint import cached_sha256
from provenance.engine.tiny import tiny_model_folder
from provenance.errors import InvalidValueError
from provenance.model_registry import add_model
from provenance.project import Project

from .conftest import STEPS, Chain, engine_device

pytestmark = pytest.mark.diffusion


def test_a_candidate_replays_identically_on_the_same_device(project: Project, chain: Chain) -> None:
    result = replay_generation(project, str(chain.chosen.asset_id))
    assert result.verdict == "identical" and result.matched
    assert result.device == result.recorded_device == engine_device()


@pytest.fixture
def own_model(project: Project, chain: Chain, tmp_path: Path) -> tuple[Path, record.RecordedFile]:
    """A candidate made with a registered copy of the tiny model, which the tests then alter."""
    folder = tmp_path / "house"
    shutil.copytree(tiny_model_folder(), folder)
    add_model(project, "house", folder)
    [candidate] = record.record_generation(
        project, str(chain.sketch.asset_id), operator="sato-ken", prompt="x", model="house", seed=9, steps=STEPS
    )
    return folder, candidate


def test_changed_weights_are_reported_before_anything_runs(project: Project, own_model) -> None:  # type: ignore[no-untyped-def]
    folder, candidate = own_model
    unet = folder / "unet" / "diffusion_pytorch_model.safetensors"
    unet.write_bytes(unet.read_bytes()[:-8] + b"\x00" * 8)
    (folder / "vae" / "diffusion_pytorch_model.safetensors").unlink()
    result = replay_generation(project, str(candidate.asset_id))
    assert result.verdict == "weights-changed" and not result.matched
    assert result.changed_weights == [
        "unet/diffusion_pytorch_model.safetensors",
        "vae/diffusion_pytorch_model.safetensors (missing)",
    ]


def test_a_changed_scheduler_config_makes_the_replay_differ(project: Project, own_model) -> None:  # type: ignore[no-untyped-def]
    folder, candidate = own_model
    config_file = folder / "scheduler" / "scheduler_config.json"
    config = json.loads(config_file.read_text())
    config["beta_end"] = 0.02  # same weights, different noise schedule
    config_file.write_text(json.dumps(config))
    result = replay_generation(project, str(candidate.asset_id))
    assert result.verdict == "differs" and result.ssim is not None and result.ssim < 1.0


def test_only_ai_candidates_replay(project: Project, chain: Chain) -> None:
    with pytest.raises(InvalidValueError, match="not an AI candidate"):
        replay_generation(project, str(chain.sketch.asset_id))


def test_replay_from_the_command_line(project: Project, chain: Chain, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(project.root)
    result = CliRunner().invoke(main, ["replay", str(chain.chosen.asset_id), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["verdict"] == "identical"
    help_text = CliRunner().invoke(main, ["replay", "--help"]).stdout
    for verdict, code in REPLAY_CODES.items():
        assert f"{code:>2}  {verdict}:" in help_text


def test_replay_rehashes_weights_even_when_the_cache_was_fooled(project: Project, own_model) -> None:  # type: ignore[no-untyped-def]
    """Replay is the proof of which weights made a candidate: it reads every byte, never the digest cache."""
    folder, candidate = own_model
    unet = folder / "unet" / "diffusion_pytorch_model.safetensors"
    recorded = fingerprint_weights(folder).weight_sha256["unet/diffusion_pytorch_model.safetensors"]
    unet.write_bytes(unet.read_bytes()[:-8] + b"\x00" * 8)
    # Poison the cache: the rewritten file's row claims the recorded digest.
    assert cached_sha256(unet) != recorded
    with closing(sqlite3.connect(cache_folder() / "fingerprints.sqlite3")) as connection, connection:
        connection.execute("UPDATE weight_digest SET sha256 = ? WHERE path = ?", (recorded, str(unet.resolve())))
    assert fingerprint_weights(folder).weight_sha256["unet/diffusion_pytorch_model.safetensors"] == recorded

    result = replay_generation(project, str(candidate.asset_id))
    assert result.verdict == "weights-changed" and result.changed_weights == [
        "unet/diffusion_pytorch_model.safetensors"
    ]
