"""npm packages a test runs under node, installed with `npm ci` from a folder's package-lock.json into its node_modules."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
from pathlib import Path

from tests.needs import missing

STAMP = ".demarche-lock-sha256"
"""In node_modules: the digest of the package-lock.json it was installed from."""


def npm_ci(folder: Path) -> None:
    """`npm ci` into `folder`/node_modules unless it already holds what `folder`/package-lock.json pins; skipped without
    node and npm (failed under CI)."""
    if shutil.which("node") is None or shutil.which("npm") is None:
        missing(f"node and npm are needed for the tests in {folder.name}")
    lock = hashlib.sha256((folder / "package-lock.json").read_bytes()).hexdigest()
    stamp = folder / "node_modules" / STAMP
    if stamp.is_file() and stamp.read_text(encoding="utf-8").strip() == lock:
        return
    installed = subprocess.run(
        ["npm", "ci", "--no-audit", "--no-fund", "--ignore-scripts"], cwd=folder, capture_output=True, text=True, timeout=600
    )
    if installed.returncode != 0:
        missing(f"`npm ci` failed in {folder}: {installed.stderr[-2000:]}")
    stamp.write_text(lock + "\n", encoding="utf-8")
