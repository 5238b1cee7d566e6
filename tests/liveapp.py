"""The app as `wordlab serve` builds it, with a test's frontend directory (the pages plus tests/live_page/):
`python -m uvicorn tests.liveapp:app --factory` in tests/test_live_page.py."""

import os
from pathlib import Path

from backend.app import create_app
from backend.lifecycle import stop_with_supervisor


def app():
    stop_with_supervisor()
    return create_app(Path(os.environ["WORDLAB_RUNS_DIR"]), Path(os.environ["WORDLAB_TOKENIZERS_DIR"]),
                      Path(os.environ["WORDLAB_TEST_FRONTEND"]))
