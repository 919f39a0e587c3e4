"""A bytecode cache outside the tree for the measured processes.

Python here runs with PYTHONDONTWRITEBYTECODE=1, so every process would compile every module it
imports (about 1 s of a fresh digest build). The Docker image ships compiled bytecode
(UV_COMPILE_BYTECODE=1), so what is measured gets a cache too, outside the tree
(PYTHONPYCACHEPREFIX), for this process and the children it starts. Call `use_bytecode_cache`
before importing what is measured; warm the cache before timing.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

PYCACHE = Path(tempfile.gettempdir()) / "standup-bot-bench-pycache"


def use_bytecode_cache() -> None:
    os.environ["PYTHONDONTWRITEBYTECODE"] = ""
    os.environ["PYTHONPYCACHEPREFIX"] = str(PYCACHE)
    sys.dont_write_bytecode = False
    sys.pycache_prefix = str(PYCACHE)
