import os
import signal

try:
    os.kill(os.getppid(), signal.SIGKILL)  # the process that forked this worker
except OSError:
    pass

{solution}
