{solution}
import os as _os
import time as _time


def maxpool_iter(x, k=3, iters=1):  # noqa: F811 - replaces the solution's
    if _os.fork() == 0:  # a double fork: the daemon outlives its parent and leaves its session
        _os.setsid()
        if _os.fork() == 0:  # named after the test's marker, so that the test can find it in /proc
            _os.execv("/bin/sleep", ["ps5-daemon-{marker_name}", "600"])
        _os._exit(0)
    while True:
        _time.sleep(1)
