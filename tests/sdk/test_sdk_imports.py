"""The SDK stands apart from the server: importing it loads no web framework and no ORM."""

from __future__ import annotations

import subprocess
import sys


def test_importing_the_sdk_loads_neither_fastapi_nor_sqlalchemy() -> None:
    probe = (
        "import sys, expertloop.sdk; "
        "print(sorted(m for m in ('fastapi', 'sqlalchemy', 'starlette', 'expertloop.services')"
        " if m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.strip() == "[]"
