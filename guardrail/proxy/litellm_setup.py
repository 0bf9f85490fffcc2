"""Import litellm configured to stay offline and quiet.

litellm fetches its model price map from the network at import time unless
told otherwise, and logs request bodies at debug level; neither is acceptable
for a proxy that guards personal data on a closed network.
"""

from __future__ import annotations

import logging
import os

os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
os.environ.setdefault("LITELLM_LOG", "CRITICAL")
os.environ.setdefault("LITELLM_TELEMETRY", "False")

import litellm

litellm.suppress_debug_info = True
litellm.telemetry = False
litellm.turn_off_message_logging = True
litellm.set_verbose = False
for _name in ("LiteLLM", "LiteLLM Router", "LiteLLM Proxy", "litellm"):
    # Its error logs can quote prompts; we log provider failures ourselves.
    logging.getLogger(_name).setLevel(logging.CRITICAL + 1)

__all__ = ["litellm"]
