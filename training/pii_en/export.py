"""Copy a trained model into the repository, without its training strings.

    python training/pii_en/export.py /tmp/pii_en/out/model-best guardrail/pii/recognizers/en/model/en_pii_ner

spaCy saves every string it met in training (141k: CoNLL's and Faker's words)
in `vocab/strings.json`. Inference does not need them: features are hashes of
the text at hand. The shipped vocabulary keeps only the strings of a blank
English pipeline and the model's labels; the script checks on sample texts
that the entities found are the same with and without them.
"""

from __future__ import annotations

import argparse
import json
import shutil
from pathlib import Path

import spacy

CHECK_TEXTS = (
    "Hi, this is Aino Virtanen from Tampere. Please ship to Hämeenkatu 5 B 12\n33100 Tampere\nFinland.",
    "can you ask james okoro to call me back",
    "Paris",
    "Size M is in stock in navy",
    "Peter Blackburn flew from Brussels to Berlin for Siemens on Monday.",
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", type=Path)
    parser.add_argument("target", type=Path)
    args = parser.parse_args()
    before = spacy.load(args.source)
    expected = [[(e.start_char, e.end_char, e.label_) for e in doc.ents] for doc in before.pipe(CHECK_TEXTS)]
    if args.target.exists():
        shutil.rmtree(args.target)
    shutil.copytree(args.source, args.target)
    labels = sorted(before.get_pipe("ner").labels)
    strings = sorted(
        set(spacy.blank("en").vocab.strings)
        | set(labels)
        | {f"{m}-{label}" for m in "BILU" for label in labels}
    )
    (args.target / "vocab" / "strings.json").write_text(json.dumps(strings), encoding="utf-8")
    # Training paths (temporary folders) mean nothing where the model is used.
    config = spacy.util.load_config(args.target / "config.cfg", interpolate=False)
    for key in config["paths"]:
        config["paths"][key] = None
    config.to_disk(args.target / "config.cfg")
    meta_path = args.target / "meta.json"
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    meta.update(
        name="pii_ner", version="1.0.0", license="MIT", description="See MODEL_CARD.md next to this folder."
    )
    meta_path.write_text(json.dumps(meta, indent=2), encoding="utf-8")
    after = spacy.load(args.target)
    found = [[(e.start_char, e.end_char, e.label_) for e in doc.ents] for doc in after.pipe(CHECK_TEXTS)]
    if found != expected:
        raise SystemExit(f"stripped model disagrees: {found} != {expected}")
    size = sum(p.stat().st_size for p in args.target.rglob("*") if p.is_file())
    print(
        f"exported {args.target} ({size / 1e6:.1f} MB, {len(strings)} strings); "
        f"same entities on {len(CHECK_TEXTS)} texts"
    )


if __name__ == "__main__":
    main()
