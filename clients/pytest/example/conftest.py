"""The service under test: SERVICE_URL, e.g. http://127.0.0.1:8000."""

import os

import pytest


@pytest.fixture(scope="session")
def service_url() -> str:
    url = os.environ.get("SERVICE_URL", "")
    if not url:
        pytest.fail("set SERVICE_URL to the service, e.g. http://127.0.0.1:8000")
    return url
