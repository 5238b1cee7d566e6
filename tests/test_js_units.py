"""The pages' plain JavaScript modules (state, maths) tested by node's own runner, without a browser."""

import shutil
import subprocess
from pathlib import Path

JS_TESTS = Path(__file__).parent / "js"


def test_javascript_unit_tests_pass():
    node = shutil.which("node")
    assert node, "the JavaScript unit tests need node (Debian's nodejs; `make test` installs it)"
    files = sorted(str(p) for p in JS_TESTS.glob("*.test.mjs"))
    assert files, "no JavaScript unit tests found"
    done = subprocess.run([node, "--test", *files], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout[-6000:] + done.stderr[-2000:]
