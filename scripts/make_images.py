"""Write the exercises' sample images from CC0 photos shipped with scikit-image.

    python scripts/make_images.py      (needs the dev extra: pip install -e ".[dev]")

Exercise 7: skeletons/sample_image.png (and its copy in solutions/) is scikit-image's "camera"
(CC0, photographer Lav Varshney) reduced to 256 x 256 grayscale: fine grass texture, sharp
edges and a bright sky.
"""
import shutil
from pathlib import Path

from PIL import Image
from skimage import data

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    camera = Image.fromarray(data.camera()).resize((256, 256), Image.Resampling.LANCZOS)
    camera.save(ROOT / "skeletons" / "sample_image.png", optimize=True)
    shutil.copyfile(ROOT / "skeletons" / "sample_image.png", ROOT / "solutions" / "sample_image.png")


if __name__ == "__main__":
    main()
