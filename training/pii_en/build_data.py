"""Build the training and development corpora (spaCy DocBin files).

    python training/pii_en/build_data.py --conll-dir DIR --out DIR \
        [--presidio-templates templates.txt] [--synthetic 14000] [--seed 7] [--layouts]

Two sources:
- CoNLL-2003 English `eng.train` (training) and the first half of `eng.testa`
  (development, for early stopping; the second half stays untouched for the
  figures in the model card). The test split (`eng.testb`) is never read.
  Labels: PER -> PERSON, LOC -> GPE, ORG -> ORG, MISC -> NORP (the base
  model's nearest label, so its weights are reused).
- Synthetic messages: our templates (and optionally presidio-research's public
  template file) filled with Faker values of ~70 locales: names of many
  cultures (some lower-cased, some upper-cased), addresses in many layouts
  (one STREET_ADDRESS span, multi-line included), cities and countries (GPE),
  companies (ORG, so that brands are not read as names), and text with
  capitalised ordinary words and no entity at all. With `--layouts` (tried
  for a third stage, not in the shipped model, see README.md) some messages
  are quoted e-mail (every line behind a quote mark) or written in capitals.
"""

from __future__ import annotations

import argparse
import random
import re
from pathlib import Path

import spacy
from fake_values import Values
from spacy.tokens import Doc, DocBin
from templates import (
    CARRIERS,
    COLOURS,
    JOBS,
    MONTHS,
    NEGATIVE_TEMPLATES,
    OWN_TEMPLATES,
    PAYMENTS,
    PRODUCTS,
    SIZES,
    SLOT_LABELS,
    STATUSES,
    WEATHER,
    WEEKDAYS,
)

CONLL_LABELS = {"PER": "PERSON", "LOC": "GPE", "ORG": "ORG", "MISC": "NORP"}
_SLOT = re.compile(r"\{\{?([a-z_0-9]+)\}?\}")


def read_conll(path: Path) -> list[list[list[tuple[str, str]]]]:
    """Documents -> sentences -> (word, BIO tag)."""
    docs: list[list[list[tuple[str, str]]]] = []
    sentence: list[tuple[str, str]] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("-DOCSTART-"):
            docs.append([])
            continue
        if not line.strip():
            if sentence:
                if not docs:
                    docs.append([])
                docs[-1].append(sentence)
                sentence = []
            continue
        parts = line.split()
        sentence.append((parts[0], parts[-1]))
    if sentence:
        docs[-1].append(sentence)
    return [d for d in docs if d]


def conll_docs(nlp, docs, rng: random.Random, lower_share: float = 0.0) -> list[Doc]:
    """Groups of up to three sentences of one article as one example."""
    out = []
    for article in docs:
        i = 0
        while i < len(article):
            group = article[i : i + rng.randint(1, 3)]
            i += len(group)
            words, tags = [], []
            for sentence in group:
                words.extend(w for w, _ in sentence)
                tags.extend(t for _, t in sentence)
            lower = rng.random() < lower_share
            if lower:
                words = [w.lower() for w in words]
            doc = Doc(nlp.vocab, words=words)
            ents, start, label = [], None, None
            for j, tag in enumerate([*tags, "O"]):
                kind = tag[2:] if tag != "O" else None
                # IOB1 (CoNLL's own) and IOB2 both: a new entity starts at B-
                # or where the type changes.
                if start is not None and (kind != label or tag.startswith("B-")):
                    ents.append(
                        doc.char_span(doc[start].idx, doc[j - 1].idx + len(doc[j - 1]), CONLL_LABELS[label])
                    )
                    start, label = None, None
                if kind is not None and start is None:
                    start, label = j, kind
            doc.ents = [e for e in ents if e is not None]
            out.append(doc)
    return out


# `--layouts` (the third stage's corpus): some messages as quoted e-mail,
# every line behind a quote mark, and some written in capitals.
_QUOTE_MARKS = (">", "> ", ">> ", "| ", "??? ", "- ")
_QUOTED_SHARE = 0.12
_CAPITALS_SHARE = 0.04


class Filler:
    def __init__(self, rng: random.Random, *, layouts: bool = False) -> None:
        self.rng = rng
        self.values = Values(rng)
        self.layouts = layouts

    def value(self, slot: str) -> str:
        v, rng = self.values, self.rng
        simple = {
            "person": v.person,
            "name": v.person,
            "name_male": v.person,
            "name_female": v.person,
            "first_name": v.first_name,
            "first_name_male": v.first_name,
            "first_name_female": v.first_name,
            "first_name_nonbinary": v.first_name,
            "last_name": v.last_name,
            "last_name_male": v.last_name,
            "last_name_female": v.last_name,
            "address": v.address,
            "city": v.city,
            "country": v.country,
            "organization": v.organization,
            "company": v.organization,
        }
        if slot in simple:
            return simple[slot]()
        fake = v.faker(v.locale())
        en = v.faker("en_US")
        table = {
            "street_name": lambda: (
                en.street_name()
                if rng.random() < 0.5
                else fake.street_name()
                if hasattr(fake, "street_name")
                else en.street_name()
            ),
            "building_number": lambda: str(rng.randint(1, 9999)),
            "secondary_address": v.unit,
            "street_address": lambda: v.street(v.locale()),
            "state": en.state,
            "state_abbr": en.state_abbr,
            "nationality": lambda: rng.choice(
                [
                    "French",
                    "German",
                    "Finnish",
                    "Kenyan",
                    "Brazilian",
                    "Thai",
                    "Korean",
                    "Mexican",
                    "Polish",
                    "Irish",
                ]
            ),
            "nation_woman": lambda: rng.choice(["French", "Dutch", "Italian", "Chilean"]),
            "nation_plural": lambda: rng.choice(["Canadians", "Finns", "Nigerians", "Scots"]),
            "phone": en.phone_number,
            "phone_number": en.phone_number,
            "email": en.email,
            "credit_card_number": en.credit_card_number,
            "iban": en.iban,
            "ssn": en.ssn,
            "ip_address": en.ipv4,
            "url": en.url,
            "us_driver_license": lambda: en.bothify("?#######"),
            "zipcode": en.zipcode,
            "postcode": en.postcode,
            "age": lambda: str(rng.randint(18, 90)),
            "year": lambda: str(rng.randint(1950, 2025)),
            "date_time": lambda: en.date(),
            "date_of_birth": lambda: en.date(),
            "day_of_week": lambda: rng.choice(WEEKDAYS),
            "weekday": lambda: rng.choice(WEEKDAYS),
            "month": lambda: rng.choice(MONTHS),
            "job": lambda: rng.choice(JOBS) if rng.random() < 0.5 else en.job(),
            "prefix": lambda: rng.choice(["Mr.", "Ms.", "Dr.", "Mrs."]),
            "prefix_male": lambda: rng.choice(["Mr.", "Dr."]),
            "prefix_female": lambda: rng.choice(["Ms.", "Mrs.", "Dr."]),
            "product": lambda: rng.choice(PRODUCTS),
            "colour": lambda: rng.choice(COLOURS),
            "size": lambda: rng.choice(SIZES),
            "weather": lambda: rng.choice(WEATHER),
            "temperature": lambda: f"{rng.randint(-10, 38)}{rng.choice(['C', '°C', ' C', 'F', '°'])}",
            "status": lambda: rng.choice(STATUSES),
            "carrier": lambda: rng.choice(CARRIERS),
            "payment": lambda: rng.choice(PAYMENTS),
            "pronoun": lambda: rng.choice(["she", "he", "they"]),
            "order": lambda: f"#{rng.randint(10000, 999999)}",
            "amount": lambda: f"${rng.randint(5, 900)}.{rng.randint(0, 99):02d}",
            "number": lambda: str(rng.randint(2, 60)),
            "last4": lambda: str(rng.randint(1000, 9999)),
        }
        return table.get(slot, lambda: slot)()

    def fill(self, template: str) -> tuple[str, list[tuple[int, int, str]]]:
        if self.layouts and "\n" in template and self.rng.random() < _QUOTED_SHARE:
            mark = self.rng.choice(_QUOTE_MARKS)
            template = mark + template.replace("\n", "\n" + mark)
        text, spans, at = "", [], 0
        for match in _SLOT.finditer(template):
            text += template[at : match.start()]
            slot = match.group(1)
            value = self.value(slot)
            label = SLOT_LABELS.get(slot)
            if label == "PERSON":
                r = self.rng.random()
                if r < 0.15:
                    value = value.lower()
                elif r < 0.2:
                    value = value.upper()
            if label == "GPE" and self.rng.random() < 0.1:
                value = value.upper()
            if label is not None:
                spans.append((len(text), len(text) + len(value), label))
            text += value
            at = match.end()
        text += template[at:]
        if self.rng.random() < 0.08:  # all-lower-case messages, names included
            text = text.lower()
        elif self.layouts and self.rng.random() < _CAPITALS_SHARE and len(text.upper()) == len(text):
            text = text.upper()
        return text, _merge_address_parts(text, spans)


def _merge_address_parts(text: str, spans: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """Presidio's templates build an address from parts ({{building_number}}
    {{street_name}}\\n{{city}}): parts joined by spaces, commas or newlines,
    from a street part on, become one STREET_ADDRESS."""
    spans = sorted(spans)
    merged: list[list] = []
    for start, end, label in spans:
        if merged:
            prev = merged[-1]
            gap = text[prev[1] : start]
            if (
                prev[2] == "STREET_ADDRESS"
                and label in ("STREET_ADDRESS", "GPE")
                and re.fullmatch(r"[\s,]*", gap)
            ):
                prev[1] = end
                continue
        merged.append([start, end, label])
    return [tuple(m) for m in merged]


def synthetic_docs(
    nlp, templates: list[str], count: int, rng: random.Random, *, layouts: bool = False
) -> list[Doc]:
    filler = Filler(rng, layouts=layouts)
    docs = []
    for _ in range(count):
        text, spans = filler.fill(rng.choice(templates))
        doc = nlp.make_doc(text)
        ents = []
        for start, end, label in spans:
            # Entities never start or end on whitespace.
            while start < end and text[start].isspace():
                start += 1
            while end > start and text[end - 1].isspace():
                end -= 1
            span = doc.char_span(start, end, label, alignment_mode="expand")
            if span is not None and not any(t.is_space for t in (span[0], span[-1])):
                ents.append(span)
        try:
            doc.ents = spacy.util.filter_spans(ents)
        except ValueError:
            continue
        docs.append(doc)
    return docs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--conll-dir", type=Path, required=True, help="holds eng.train and eng.testa")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--presidio-templates", type=Path, help="presidio-research raw_data/templates.txt")
    parser.add_argument("--synthetic", type=int, default=14000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--layouts", action="store_true", help="quoted e-mail lines and capitals too (third stage)"
    )
    args = parser.parse_args()
    rng = random.Random(args.seed)
    nlp = spacy.blank("en")
    own = list(OWN_TEMPLATES) * 3 + list(NEGATIVE_TEMPLATES) * 2
    templates = list(own)
    if args.presidio_templates:
        lines = [
            line.replace("\\n", "\n").replace("\\,", ",").strip("\r")
            for line in args.presidio_templates.read_text(encoding="utf-8", errors="replace").splitlines()
        ]
        templates += [line for line in lines if line.strip()]
    train = conll_docs(nlp, read_conll(args.conll_dir / "eng.train"), rng, lower_share=0.05)
    dev_articles = read_conll(args.conll_dir / "eng.testa")
    dev = conll_docs(nlp, dev_articles[: len(dev_articles) // 2], rng)
    train += synthetic_docs(nlp, templates, args.synthetic, rng, layouts=args.layouts)
    dev += synthetic_docs(
        nlp, templates, args.synthetic // 10, random.Random(args.seed + 1), layouts=args.layouts
    )
    rng.shuffle(train)
    args.out.mkdir(parents=True, exist_ok=True)
    DocBin(docs=train).to_disk(args.out / "train.spacy")
    DocBin(docs=dev).to_disk(args.out / "dev.spacy")
    print(f"train {len(train)} docs, dev {len(dev)} docs -> {args.out}")


if __name__ == "__main__":
    main()
