"""Keep every library the analyzer touches away from the network.

The proxy runs where outbound traffic may be closed or watched; a library that
"helpfully" downloads a model or a public-suffix list at run time would either
hang a request or leak that we run it. We use no tldextract-based recognizer
(Presidio's email check) and never let Presidio call `spacy.cli.download`
(see `nlp.TrimmedSpacyNlpEngine.load`); phonenumbers and spaCy models ship
their data in the package. The variables below switch off the Hugging Face
hubs in case an optional Presidio recognizer ever imports them.
tests/pii/test_offline.py proves it by analysing with sockets disabled.
"""

from __future__ import annotations

import os

_OFFLINE_ENV = {
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "HF_DATASETS_OFFLINE": "1",
}


def ensure_offline() -> None:
    for name, value in _OFFLINE_ENV.items():
        os.environ.setdefault(name, value)
