"""The seed pipeline's model versions, trained once for the serving tests."""

from __future__ import annotations

import pytest

from seed_models import SeedModels, train_and_predict


@pytest.fixture(scope="session")
def seed(tmp_path_factory: pytest.TempPathFactory) -> SeedModels:
    return train_and_predict(tmp_path_factory.mktemp("seed_models"))
