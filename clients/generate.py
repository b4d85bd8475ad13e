"""Regenerate the Python client from the appliance's OpenAPI document: one command.

    .venv/bin/python clients/generate.py

Writes the document the app serves at /api/v1/openapi.json to clients/openapi.json and
the client, made by openapi-python-client (a well-kept generator: typed attrs models,
sync and async calls over httpx), to clients/python/. The suite checks that both match
the code (tests/test_python_client.py), so a route changed without regenerating fails.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
if str(ROOT) not in sys.path:  # run as a script: make the repository importable
    sys.path.insert(0, str(ROOT))

SPEC = HERE / "openapi.json"
CLIENT = HERE / "python"
CONFIG = HERE / "openapi-python-client.yaml"
# In the client: the SHA-256 of the document it was made from (the suite compares).
MADE_FROM = "OPENAPI_SHA256"


async def openapi_document() -> dict:
    """The document as the app serves it (no database is opened to make it)."""
    from appliance.config.settings import Settings
    from web.app import create_app

    with tempfile.TemporaryDirectory() as folder:
        app = create_app(Settings(data_dir=Path(folder)))
        async with app.test_app() as test_app:
            response = await test_app.test_client().get("/api/v1/openapi.json")
            return await response.get_json()


def generate(spec: Path, output: Path) -> None:
    """Run openapi-python-client over ``spec`` into ``output`` (replaced whole)."""
    bin_dir = Path(sys.executable).parent
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}"}
    if output.exists():
        shutil.rmtree(output)
    subprocess.run(
        [
            str(bin_dir / "openapi-python-client"),
            "generate",
            "--path",
            str(spec),
            "--output-path",
            str(output),
            "--config",
            str(CONFIG),
            "--meta",
            "setup",
        ],  # fmt: skip
        check=True,
        env=env,
        capture_output=True,
        text=True,
    )


def spec_text(document: dict) -> str:
    return json.dumps(document, indent=2, sort_keys=True) + "\n"


def main() -> int:
    text = spec_text(asyncio.run(openapi_document()))
    SPEC.write_text(text)
    generate(SPEC, CLIENT)
    (CLIENT / MADE_FROM).write_text(hashlib.sha256(text.encode()).hexdigest() + "\n")
    print(f"wrote {SPEC.relative_to(ROOT)} and {CLIENT.relative_to(ROOT)}/")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
