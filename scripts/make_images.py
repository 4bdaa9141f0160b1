"""Write the exercises' sample images from CC0 photos shipped with scikit-image.

    python scripts/make_images.py      (needs the dev extra: pip install -e ".[dev]")

Exercise 7: skeletons/sample_image.png is scikit-image's "camera"
(CC0, photographer Lav Varshney) reduced to 256 x 256 grayscale: fine grass texture, sharp
edges and a bright sky.

Exercise 9: skeletons/exercise_image.png is scikit-image's
"chelsea" (CC0, photographer Stefan van der Walt), a 451 x 300 colour photo of a cat. The
handout's bulldog-and-cat photo has no licence we can redistribute; a course may put its own
image in its place (then regenerate the fixtures).
"""
from pathlib import Path

from PIL import Image
from skimage import data

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    camera = Image.fromarray(data.camera()).resize((256, 256), Image.Resampling.LANCZOS)
    camera.save(ROOT / "skeletons" / "sample_image.png", optimize=True)
    Image.fromarray(data.chelsea()).save(ROOT / "skeletons" / "exercise_image.png", optimize=True)


if __name__ == "__main__":
    main()
