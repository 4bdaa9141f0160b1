#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder's image, after unpacking the
# zip in /autograder/source: `bash /autograder/source/setup.sh`. It works from any working folder.
#
# 1. a virtual environment of its own in source/.venv (an image whose python3 refuses pip, as
#    Ubuntu 24.04's does, works too), {{#torch}}with torch's CPU-only wheels where PyTorch's index is
#    reachable (no CUDA libraries: a smaller image, a faster import), {{/torch}}then the project;
# 2. the graders and reference data readable by root only (the workers run as nobody);
# 3. the self-check: the reference solutions, shipped in the zip for this step only, must get
#    full marks on this image, or the build fails; then they are deleted, whatever the outcome,
#    so graded code can never read them.
set -euo pipefail
SOURCE="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)"
cd "$SOURCE"
trap 'rm -rf "$SOURCE/solutions"' EXIT

if ! python3 -m venv .venv; then  # Debian and Ubuntu ship venv in a package of its own
    rm -rf .venv
    apt-get update  # an image's package lists may be empty or out of date: install finds nothing without them
    DEBIAN_FRONTEND=noninteractive apt-get install -y python3-venv
    python3 -m venv .venv
fi
{{#torch}}.venv/bin/python -m pip install --quiet --isolated --retries 2 {{torch}} --index-url https://download.pytorch.org/whl/cpu \
    || echo "setup.sh: PyTorch's CPU wheel index is not reachable; torch comes from PyPI with the project"
{{/torch}}.venv/bin/python -m pip install --quiet -e .

chown -R root:root fixtures graders
chmod -R go-rwx fixtures graders

.venv/bin/python -m autograder.tools.selfcheck
