"""Grade-like probe of the sandbox: what a worker of exercise 7 can actually do, against what
the run's last line says. Prints one JSON object. Run by tests/test_sandbox.py, in each mode
(as it is, without CAP_SYS_ADMIN, as a non-root user)."""
import json
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from autograder import sandbox  # noqa: E402
from autograder.boundary import Student, sandbox_description, warm_up  # noqa: E402
from autograder.exercises import EXERCISES  # noqa: E402

SUBMISSION = '''
import os


def what_i_can_do(paths):
    """Open every path; the user this code runs as."""
    opened = []
    for path in paths:
        try:
            with open(path, "rb") as f:
                f.read(1)
            opened.append(path)
        except OSError:
            pass
    return {"uid": os.geteuid(), "opened": opened}
'''

if __name__ == "__main__":
    warm_up()
    with tempfile.TemporaryDirectory() as folder:
        (Path(folder) / "iter_maxpool.py").write_text(SUBMISSION)
        student = Student(EXERCISES[7], Path(folder), timeout=120)
        try:
            done = student.what_i_can_do(sandbox.protected_files())
        finally:
            student.close()
    print(json.dumps({"line": sandbox_description(), "uid": int(done["uid"]), "opened": list(done["opened"])}))
