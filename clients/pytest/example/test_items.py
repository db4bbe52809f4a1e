"""An E2E suite against the sample service; the plugin puts each test under its own context."""

import requests


def test_even(service_url: str) -> None:
    answer = requests.get(f"{service_url}/items/2", timeout=10)
    assert answer.status_code == 200
    assert answer.json()["kind"] == "even"


def test_odd(service_url: str) -> None:
    answer = requests.get(f"{service_url}/items/3", timeout=10)
    assert answer.json()["kind"] == "odd"


class TestDivide:
    def test_refuses_zero(self, service_url: str) -> None:
        assert requests.get(f"{service_url}/divide", params={"a": 1, "b": 0}, timeout=10).status_code == 400
