"""`fate-flow demo`'s exit code: 0 only for a job that succeeded with an AUC of at least --min-auc."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from flow_api import demo


def _options(**given: object) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    demo.add_arguments(parser)
    options = parser.parse_args([])
    vars(options).update(given)
    return options


@pytest.mark.parametrize("auc, code", [(0.985, 0), (0.98, 0), (0.9799, 1)])
def test_the_exit_code_follows_the_auc(monkeypatch: pytest.MonkeyPatch, auc: float, code: int) -> None:
    monkeypatch.setattr(demo, "run", lambda cluster, work, seed: auc)
    assert demo.main(_options()) == code


def test_a_failed_step_exits_1_with_its_message(monkeypatch: pytest.MonkeyPatch,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    def failing(cluster: bool, work: Path, seed: int | None) -> float:
        raise demo.DemoFailed("job 1 ended failed")

    monkeypatch.setattr(demo, "run", failing)
    assert demo.main(_options(min_auc=0.5)) == 1
    assert "demo failed: job 1 ended failed" in capsys.readouterr().err


def test_the_seed_option_and_the_conf_it_changes() -> None:
    assert _options().random_seed == demo.DEMO_SEED
    parser = argparse.ArgumentParser()
    demo.add_arguments(parser)
    assert parser.parse_args(["--random-seed", "none"]).random_seed is None
    conf = demo.seed_job(False)[1]
    seeded = demo.with_random_seed(conf, 7)
    assert seeded["algorithm_parameters"]["hetero_lr_0"]["init_param"] == {"init_method": "random_uniform",
                                                                         "random_seed": 7}
    assert "random_seed" not in conf["algorithm_parameters"]["hetero_lr_0"]["init_param"]
    assert demo.with_random_seed(conf, None) is conf
