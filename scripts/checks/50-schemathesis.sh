#!/usr/bin/env bash
# A bounded Schemathesis run against a loopback sandbox, driven by the sandbox's own
# /openapi.json (operations, schemas, links): no operation may answer 5xx (501 included), and
# every answer must match its documented schema. Loopback only, a temporary data directory,
# a bounded number of examples per operation, a time limit, and the server is stopped on exit.
# Installs schemathesis (pinned, quietly, only when missing) if install-deps did not.
set -euo pipefail
cd "$(dirname "$0")/../.."
fail() { echo "50-schemathesis: $*" >&2; exit 1; }
if ! command -v schemathesis >/dev/null; then
    PIP_BREAK_SYSTEM_PACKAGES=1 python3 -m pip install -q --disable-pip-version-check \
        --root-user-action=ignore schemathesis==4.32.5 >/dev/null
fi
command -v schemathesis >/dev/null || fail "schemathesis not installed"
cargo build -q -p smart-enroll-cli
tmp=$(mktemp -d)
pid=""
cleanup() {
    if [ -n "$pid" ] && kill "$pid" 2>/dev/null; then
        for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    fi
    rm -rf "$tmp"
}
trap cleanup EXIT
token="schemathesis-client-token-$$"
target/debug/smart-enroll serve --bind 127.0.0.1:0 --data-dir "$tmp/data" --dev \
    --client-token "$token" >"$tmp/serve.out" 2>"$tmp/serve.err" &
pid=$!
url=""
for _ in $(seq 1 100); do
    url=$(head -1 "$tmp/serve.out" 2>/dev/null | awk '/listening on/ {print $NF}')
    [ -n "$url" ] && break
    sleep 0.1
done
[ -n "$url" ] || fail "the sandbox did not start: $(cat "$tmp/serve.err")"
case "$url" in http://127.0.0.1:*) ;; *) fail "not a loopback URL: $url" ;; esac
# Registrant operations answer 403 to the client token: that is checked too (no 5xx), but the
# registrant flow itself is covered by the Rust tests.
# Run from the temporary directory: Schemathesis keeps its state in ./.schemathesis.
(cd "$tmp" && timeout 600 schemathesis run "$url/openapi.json" --url "$url" \
    -c not_a_server_error,response_schema_conformance \
    -n "${SCHEMATHESIS_EXAMPLES:-10}" --seed 1 --request-timeout 10 --workers 1 \
    -H "Authorization: Bearer $token" \
    --suppress-health-check all --generation-database none) \
    || fail "schemathesis found problems (above)"
echo "50-schemathesis: ok"
