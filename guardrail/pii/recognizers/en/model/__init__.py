"""Where the English NER model's files live (see MODEL_CARD.md here)."""

from pathlib import Path

ENGLISH_MODEL_DIR = Path(__file__).resolve().parent / "en_pii_ner"
