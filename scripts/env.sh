# Sourced by scripts/test.sh after scripts/install-deps.sh: exports the paths the checks use.
# Each scripts/deps/*.env (if any) adds its own exports.
shopt -s nullglob
for envfile in "$(dirname "${BASH_SOURCE[0]}")"/deps/*.env; do
    # shellcheck source=/dev/null
    source "$envfile"
done
shopt -u nullglob
