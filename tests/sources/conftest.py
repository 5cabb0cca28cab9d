"""The emulators of the stores, each started once per session for every test here.

They live here rather than in each store's folder so that the tests of one store and the
tests that compare the stores (`test_same_incident`) share one server of each kind.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.sources.cloudwatch.conftest import Emulator, run_emulator
from tests.sources.opensearch.conftest import Cluster, run_cluster


@pytest.fixture(scope="session")
def emulator() -> Iterator[Emulator]:
    """moto's server (CloudWatch Logs), seeded with the CloudWatch tests' incident."""
    yield from run_emulator()


@pytest.fixture(scope="session")
def cluster() -> Iterator[Cluster]:
    """osmem-server (OpenSearch), seeded with the OpenSearch tests' incident."""
    yield from run_cluster()
