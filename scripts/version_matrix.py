"""Grade the reference and the corpus with the oldest and the newest library versions pyproject.toml admits.

    python scripts/version_matrix.py [--work DIR] [--only oldest|newest]

Builds a throwaway virtual environment for each column: "oldest" takes every ``name>=X`` of
pyproject.toml (dependencies and the dev extra) as ``name==X``; "newest" lets pip resolve.
In each it grades the solutions and runs the corpus (tests/test_corpus.py: planted bugs and
correct variants), then prints one table. Too heavy for every CI run (two torch installs and two
corpus runs: about 20 minutes on 2 cores); anyone can run it.
"""
from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import tomllib

ROOT = Path(__file__).resolve().parent.parent
SHOWN = ("torch", "torchvision", "numpy", "matplotlib", "pillow", "pytest", "pytest-regressions")


def requirements(oldest: bool) -> list[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    wanted = project["dependencies"] + project["optional-dependencies"]["dev"]
    return [re.sub(r">=", "==", r) if oldest else r for r in wanted]


def build(folder: Path, wanted: list[str]) -> Path:
    python = folder / "bin" / "python"
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(folder)], check=True)
    subprocess.run([str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", *wanted], check=True)
    return python


def versions(python: Path) -> dict[str, str]:
    code = ("import json, importlib.metadata as m; print(json.dumps({n: m.version(n) for n in %r}))" % (SHOWN,))
    return json.loads(subprocess.run([str(python), "-c", code], capture_output=True, text=True, check=True).stdout)


def grade(python: Path, tmp: Path) -> dict:
    results = tmp / "solutions.json"
    subprocess.run([str(python), "-m", "pytest", "--target=solutions", f"--results-json={results}", "--report=", "-q"],
                   cwd=ROOT, capture_output=True, text=True)
    solutions = json.loads(results.read_text())["score"] if results.exists() else float("nan")
    corpus = subprocess.run([str(python), "-m", "pytest", "tests/test_corpus.py", "-q", "-p", "no:cacheprovider"],
                            cwd=ROOT, capture_output=True, text=True).stdout
    total = re.search(r"^\s*total\s+(\d+) / (\d+)\s+(\d+) / (\d+)", corpus, re.M)
    caught, planted, passed, written = total.groups() if total else ("?",) * 4
    return {"solutions": solutions, "bugs": f"{caught} / {planted}", "variants": f"{passed} / {written}",
            "corpus": corpus.strip().splitlines()[-1] if corpus.strip() else "no output"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--work", type=Path, default=None, help="keep the environments here (default: a temp folder)")
    parser.add_argument("--only", choices=["oldest", "newest"], default=None)
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory(prefix="ps5-versions-") as tmp:
        work = args.work or Path(tmp)
        for name in [args.only] if args.only else ["oldest", "newest"]:
            python = build(work / name, requirements(oldest=name == "oldest"))
            rows.append({"name": name, **versions(python), **grade(python, Path(tmp))})
    print("| " + " | ".join(["column", *SHOWN, "solutions", "variants passed", "bugs caught"]) + " |")
    print("|" + " --- |" * (len(SHOWN) + 4))
    for row in rows:
        print("| " + " | ".join([row["name"], *(row[n] for n in SHOWN), f"{row['solutions']:g} / 160",
                                 row["variants"], row["bugs"]]) + " |")
    for row in rows:
        print(f"{row['name']}: corpus run: {row['corpus']}")


if __name__ == "__main__":
    main()
