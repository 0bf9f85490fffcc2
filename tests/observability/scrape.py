"""Read /metrics as a scraper would: parsed samples, summed per label set."""

from __future__ import annotations

import httpx
from prometheus_client.parser import text_string_to_metric_families

from tests.support.harness import ProxyHarness

# Personal values the tests send; none may ever appear in metrics or logs.
SARAH = {
    "name": "Sarah Johnson",
    "email": "sarah.johnson@example.com",
    "phone": "+1 415 555 0199",
    "card": "4111 1111 1111 1111",
}
SEEDED = (
    f"Hi, I'm {SARAH['name']}. My email is {SARAH['email']}, my phone is {SARAH['phone']} "
    f"and I paid with card {SARAH['card']}."
)


class Scrape:
    def __init__(self, text: str) -> None:
        self.text = text
        self.samples = [
            (sample.name, dict(sample.labels), sample.value)
            for family in text_string_to_metric_families(text)
            for sample in family.samples
        ]

    def value(self, name: str, **labels: str) -> float:
        """Sum of the samples of `name` whose labels include `labels`."""
        return sum(
            value
            for sample_name, sample_labels, value in self.samples
            if sample_name == name and all(sample_labels.get(k) == v for k, v in labels.items())
        )

    def label_values(self, name: str, label: str) -> set[str]:
        return {labels[label] for sample_name, labels, _ in self.samples
                if sample_name == name and label in labels}


def scrape(harness: ProxyHarness, *, token: str | None = None, url: str | None = None) -> Scrape:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    response = httpx.get(url or f"{harness.proxy.url}/metrics", headers=headers, timeout=10)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain")
    return Scrape(response.text)


def assert_no_personal_data(text: str) -> None:
    for value in (*SARAH.values(), "Sarah", "Johnson", "sarah.johnson", "4111"):
        assert value not in text


def assert_no_personal_data_in_metrics(text: str) -> None:
    """Sample values are numbers (a latency sum may read 0.0041113...): what
    could carry personal data is metric names, labels and help text."""
    assert_no_personal_data(
        "\n".join(line if line.startswith("#") else line.rsplit(" ", 1)[0] for line in text.splitlines())
    )
