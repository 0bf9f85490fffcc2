"""Every rule type, one module per family. Importing a module registers its
check classes under their rule `type` (see `rules.register`)."""

from . import (  # noqa: F401  (imported to register)
    advice,
    approved,
    handoff,
    honesty,
    judge,
    leak,
    lexical,
    profanity,
    rudeness,
    semantic,
    style,
)
