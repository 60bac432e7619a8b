"""`flow job dsl` of fate-client 1.6 and 1.11: the predict DSL of the seed's train DSL, printed or saved with -o,
and a component the train DSL does not have named (with -o: printed, no file saved)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from compat_helpers import Flow

from integration_helpers import Node
from predict_dsls import SEED_ALL, SEED_DSL_PATH, SEED_PREDICT_V2

pytestmark = pytest.mark.integration

SAVED = "New predict dsl file has been generated successfully. File path is: "


def test_cpn_list_prints_the_predict_dsl(flow: Flow, compat_node: Node) -> None:
    reply = flow.ok("job", "dsl", "--cpn-list", ", ".join(SEED_ALL), "--train-dsl-path", str(SEED_DSL_PATH))
    assert reply["data"] == SEED_PREDICT_V2


def test_cpn_path_and_output_dir_save_the_predict_dsl(flow: Flow, compat_node: Node, tmp_path: Path) -> None:
    names = tmp_path / "component_list.txt"
    names.write_text("\n".join(SEED_ALL) + "\n")
    reply = flow.ok("job", "dsl", "--cpn-path", str(names), "--train-dsl-path", str(SEED_DSL_PATH),
                    "-o", str(tmp_path / "out"))
    assert reply["retmsg"].startswith(SAVED), reply
    saved = Path(reply["retmsg"][len(SAVED):])
    assert saved.parent == tmp_path / "out" and saved.name.startswith("predict_dsl_")
    assert json.loads(saved.read_text()) == SEED_PREDICT_V2


def test_a_component_not_in_the_train_dsl_is_named(flow: Flow, compat_node: Node, tmp_path: Path) -> None:
    args = ("job", "dsl", "--cpn-list", "[dataio_0,hetero_lr_9]", "--train-dsl-path", str(SEED_DSL_PATH))
    message = "cpn_str names components the train DSL does not have: 'hetero_lr_9'"
    for extra in ((), ("-o", str(tmp_path / "out"))):
        code, reply = flow.run(*args, *extra)
        assert code == 0 and reply == {"retcode": 100, "retmsg": message}, extra
    assert not (tmp_path / "out").exists()


def test_a_list_and_version_1_over_rest(compat_node: Node) -> None:
    """What no `flow` sends but FATE's route takes: cpn_str as a list, version 1 (args read as args.eval_data)."""
    body = {"cpn_str": ["dataio_0", "hetero_lr_0"], "train_dsl": json.loads(SEED_DSL_PATH.read_text()), "version": 1}
    reply = compat_node.post("/v1/job/dsl/generate", json=body).json()
    assert reply["retcode"] == 0, reply
    components = reply["data"]["components"]
    assert list(components) == ["dataio_0", "hetero_lr_0"]
    assert components["dataio_0"]["input"]["data"] == {"data": ["args.eval_data"]}
    assert components["hetero_lr_0"]["input"]["data"] == {"test_data": ["dataio_0.train"]}
