"""Classroom 50 autograder: grades the student's ``skeletons/`` with this folder's own framework,
graders and reference data (a student's copy of them is never used), into ``./result.json``.

Classroom 50's runner calls this file in the student's checkout (see README.md beside it).
"""
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
CHECKOUT = Path.cwd()
pip = [sys.executable, "-m", "pip", "install", "--quiet"]
{{#torch}}# torch's CPU-only build where PyTorch's index is reachable; otherwise the next line takes PyPI's
subprocess.run([*pip, "--isolated", *"{{torch}}".split(), "--index-url", "https://download.pytorch.org/whl/cpu"])
{{/torch}}subprocess.run([*pip, "-e", str(HERE)], check=True)
subprocess.run([sys.executable, "-m", "pytest", f"--target={CHECKOUT / 'skeletons'}",
                f"--results-json={HERE / 'results.json'}", f"--report={CHECKOUT / 'report.html'}",
                "-q", "-p", "no:cacheprovider"], cwd=HERE)
sys.exit(subprocess.run([sys.executable, "-m", "autograder.tools.classroom50", str(HERE / "results.json"),
                         str(CHECKOUT / "result.json")], cwd=HERE).returncode)
