"""The dashboard's browser files: Solara's page loads scripts from a public CDN, which a computer
without internet cannot reach; they are npm packages, so the setup puts them into Solara's asset
folder (``<environment>/share/solara/cdn``) from the npm registry, once, and the dashboard never
downloads anything (decision 23).

``python -m nzsim.teaching.browser_files --browser-files-present | --install-browser-files`` is
what ``scripts/setup.sh`` runs.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path


#: The browser files Solara's page loads from its asset folder (``/_solara/cdn/``), as npm
#: packages. Solara fetches a missing one from a public CDN when the browser first asks for it;
#: :func:`install_browser_files` puts them there beforehand with npm, so the dashboard runs
#: without reaching the internet.
BROWSER_PACKAGES = ("@widgetti/solara-vuetify3-app@5.2.0", "requirejs@2.3.6", "font-awesome@4.5.0",
                    "@widgetti/vue-grid-layout@2.3.13-alpha.2", "mermaid@10.8.0", "katex@0.16.9")


#: A file of each package that the page loads, to tell whether the package is in place.
_BROWSER_MARKERS = {
    "@widgetti/solara-vuetify3-app@5.2.0": "dist/solara-vuetify-app8.min.js",
    "requirejs@2.3.6": "require.js",
    "font-awesome@4.5.0": "css/font-awesome.min.css",
    "@widgetti/vue-grid-layout@2.3.13-alpha.2": "dist/vue-grid-layout.umd.js",
    "mermaid@10.8.0": "dist/mermaid.min.js",
    "katex@0.16.9": "dist/katex.min.css",
}


def browser_files_folder() -> Path:
    """Solara's asset folder (its CDN cache): ``<environment>/share/solara/cdn``."""
    return Path(sys.prefix) / "share" / "solara" / "cdn"


def missing_browser_packages(folder: Path | None = None) -> list[str]:
    folder = folder or browser_files_folder()
    return [p for p in BROWSER_PACKAGES if not (folder / p / _BROWSER_MARKERS[p]).is_file()]


def install_browser_files(folder: Path | None = None) -> list[str]:
    """Put the packages of :data:`BROWSER_PACKAGES` that are missing into Solara's asset folder,
    fetched with npm from its registry. Returns what is still missing (npm absent or failing)."""
    import shutil
    import tarfile
    import tempfile

    folder = folder or browser_files_folder()
    missing = missing_browser_packages(folder)
    npm = shutil.which("npm")
    if not missing or npm is None:
        return missing
    with tempfile.TemporaryDirectory() as tmp:
        for package in missing:
            done = subprocess.run([npm, "pack", package, "--silent"], cwd=tmp, capture_output=True, text=True,
                                  timeout=600, stdin=subprocess.DEVNULL)
            names = done.stdout.split()
            if done.returncode != 0 or not names:
                continue
            target = folder / package
            staging = Path(tempfile.mkdtemp(dir=tmp))
            with tarfile.open(Path(tmp) / names[-1]) as archive:
                archive.extractall(staging, filter="data")
            target.parent.mkdir(parents=True, exist_ok=True)
            if target.exists():
                shutil.rmtree(target)
            shutil.move(str(staging / "package"), target)
    return missing_browser_packages(folder)


def _setup(argv: list[str] | None = None) -> int:
    """``python -m nzsim.teaching.browser_files --browser-files-present | --install-browser-files``, for scripts/setup.sh."""
    parser = argparse.ArgumentParser(prog="python -m nzsim.teaching.browser_files")
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--browser-files-present", action="store_true", help="exit 0 if they are all in place")
    group.add_argument("--install-browser-files", action="store_true", help="put the missing ones in place with npm")
    args = parser.parse_args(argv)
    if args.browser_files_present:
        return 0 if not missing_browser_packages() else 1
    still = install_browser_files()
    if still:
        print(f"nzsim setup: could not install {', '.join(still)} with npm", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(_setup())


if __name__ == "__main__":
    sys.exit(_setup())
