# API fuzzer for scripts/checks/50-schemathesis.sh (pinned; installed only when missing).
pip_install schemathesis==4.32.5
