"""Measure how far the reference's own output moves on this machine, for setting tolerances.

    python scripts/spread.py kernels              # exercise 9's guided gradients under each CPU kernel setting
    python scripts/spread.py pictures REPORT...   # rendered pictures in HTML reports against the fixtures

``kernels`` computes the reference's guided gradients (the inputs of graders/test_ex9_backprop.py)
under ATEN_CPU_CAPABILITY and ONEDNN_MAX_CPU_ISA settings, each in its own process, and prints
the relative error and the share of outlying values against the stored reference. ``pictures``
reads the obtained pictures of reports written by ``pytest --target=... --report=PATH`` (on
another machine or with other library versions) and prints the share of 8 px blocks that
changed (autograder.reference.changed_share).
"""
from __future__ import annotations

import base64
import io
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
SETTINGS = ["ATEN_CPU_CAPABILITY=default", "ATEN_CPU_CAPABILITY=avx2", "ATEN_CPU_CAPABILITY=avx512",
            "ONEDNN_MAX_CPU_ISA=SSE41", "ONEDNN_MAX_CPU_ISA=AVX2", "ONEDNN_MAX_CPU_ISA=AVX512_CORE"]
DUMP = """
import sys, numpy as np, torch
sys.path[:0] = [sys.argv[2] + "/solutions", sys.argv[2] + "/graders"]
torch.set_num_threads(1)
import guided_backprop
from ex9_shared import seeded_resnet50
x = torch.from_numpy(np.random.default_rng(0).normal(size=(1, 3, 64, 64)).astype(np.float32))
out = {}
for target in ("243", "7", "default"):
    args = (x.clone(),) if target == "default" else (x.clone(), int(target))
    out[target] = guided_backprop.guided_backprop(seeded_resnet50(guided=True), *args).numpy()
np.savez(sys.argv[1], **out)
"""


def kernels() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        for setting in SETTINGS:
            name, value = setting.split("=")
            out = Path(tmp) / f"{value}.npz"
            subprocess.run([sys.executable, "-c", DUMP, str(out), str(ROOT)], env={**os.environ, name: value}, check=True)
            with np.load(out) as got:
                for target in got.files:
                    ref = np.load(ROOT / "fixtures" / "ex9" / f"backprop_{target}.npz")["gradient"]
                    g = got[target]
                    relative = np.linalg.norm(g - ref) / np.linalg.norm(ref)
                    outliers = ~np.isclose(g, ref, atol=1e-4 * np.abs(ref).max(), rtol=1e-3)
                    print(f"{setting:32} class {target:8} relative error {relative:.2e}, "
                          f"outliers {int(outliers.sum())} of {outliers.size} ({outliers.mean():.3%})")


def pictures(reports: list[str]) -> None:
    from PIL import Image

    from autograder.reference import changed_share

    fixtures = {"grid": ROOT / "fixtures/ex7/grid.png", "plot": ROOT / "fixtures/ex8/plot.png"}
    for report in reports:
        html = Path(report).read_text()
        for encoded in re.findall(r"<img src='data:image/png;base64,([^']*)' alt='obtained'", html):
            image = Image.open(io.BytesIO(base64.b64decode(encoded)))
            for name, fixture in fixtures.items():
                expected = Image.open(fixture)
                if expected.size == image.size:
                    share, region = changed_share(image.convert(expected.mode), expected)
                    print(f"{report}: {name}: {share:.2%} of the blocks changed (x {region[0]}-{region[1]}, "
                          f"y {region[2]}-{region[3]})")


if __name__ == "__main__":
    if len(sys.argv) < 2 or sys.argv[1] not in ("kernels", "pictures"):
        sys.exit(__doc__)
    kernels() if sys.argv[1] == "kernels" else pictures(sys.argv[2:])
