"""Grade-like probe of the sandbox: what a worker of exercise 7 can actually do, against what
the run says of it (the tutor's measured line and the student's sentence). Prints one JSON object. Run by tests/test_sandbox.py, in each mode
(as it is, without CAP_SYS_ADMIN, as a non-root user)."""
import json
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from autograder.core import intake, sandbox  # noqa: E402
from autograder.core.diagnosis import Catalogue  # noqa: E402
from autograder.core.launcher import Launcher  # noqa: E402
from autograder.core.problemset import ProblemSet  # noqa: E402
from autograder.core.student import Student  # noqa: E402

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
    status = open("/proc/self/status").read()
    no_new_privs = int(status.split("NoNewPrivs:")[1].split()[0]) if "NoNewPrivs:" in status else -1
    return {"uid": os.geteuid(), "opened": opened, "no_new_privs": no_new_privs}
'''

if __name__ == "__main__":
    problemset = ProblemSet.load(ROOT)
    launcher = Launcher(problemset)
    launcher.warm_up()
    with tempfile.TemporaryDirectory() as folder:
        (Path(folder) / "iter_maxpool.py").write_text(SUBMISSION)
        student = Student(problemset.exercises[7], intake.find(problemset, Path(folder)), problemset, launcher,
                          Catalogue(problemset.graders, problemset.fixtures), timeout=120, memory_bytes=None)
        try:
            done = student.what_i_can_do(sandbox.protected_files(ROOT))
        finally:
            student.close()
            launcher.end()
    print(json.dumps({"line": launcher.confinement.describe(), "sentence": launcher.confinement.plain(),
                      "uid": int(done["uid"]), "opened": list(done["opened"]),
                      "no_new_privs": int(done["no_new_privs"])}))
