#!/usr/bin/env bash
# Installs (or checks) the Gradle wrapper of the two Gradle builds, android-sample/ and
# bindings/android/: gradlew, gradlew.bat and gradle/wrapper/gradle-wrapper.jar.
#
# The wrapper is Gradle's own (Apache-2.0). Only package registries are reachable from our
# machines, so it is taken from the npm package @react-native-community/template, which ships
# Gradle's unmodified 8.x wrapper in template/android/, and verified by sha256 (the JAR's hash
# is the one Gradle publishes for its 8.10-8.12 wrappers: https://gradle.org/release-checksums/).
# The Gradle version itself is set by each build's gradle/wrapper/gradle-wrapper.properties.
#   scripts/fetch-gradle-wrapper.sh           download with `npm pack`, verify, install
#   scripts/fetch-gradle-wrapper.sh --check   same, but only compare with the committed files
set -euo pipefail
cd "$(dirname "$0")/.."
PKG="@react-native-community/template@0.78.0"
JAR_SHA256="2db75c40782f5e8ba1fc278a5574bab070adccb2d21ca5a6e5ed840888448046"
GRADLEW_SHA256="c07475b363508dbe7cf7d1ded1b31f6d44bb97d98d069a455ab862b1fb9b25f0"
GRADLEW_BAT_SHA256="57931b17dd228e5c24dac90e815d0bf82477e831a4618dfab4136f5446b42a9f"
BUILDS=(android-sample bindings/android)

command -v npm >/dev/null || { echo "fetch-gradle-wrapper: npm is needed" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack --silent "$PKG" >/dev/null)
tar -xzf "$tmp"/*.tgz -C "$tmp" package/template/android/gradlew package/template/android/gradlew.bat \
    package/template/android/gradle/wrapper/gradle-wrapper.jar
src=$tmp/package/template/android
verify() {
    local got
    got=$(sha256sum "$1" | cut -d' ' -f1)
    [ "$got" = "$2" ] || { echo "fetch-gradle-wrapper: $1: sha256 $got, expected $2" >&2; exit 1; }
}
verify "$src/gradle/wrapper/gradle-wrapper.jar" "$JAR_SHA256"
verify "$src/gradlew" "$GRADLEW_SHA256"
verify "$src/gradlew.bat" "$GRADLEW_BAT_SHA256"
for b in "${BUILDS[@]}"; do
    for f in gradlew gradlew.bat gradle/wrapper/gradle-wrapper.jar; do
        if [ "${1:-}" = "--check" ]; then
            cmp "$src/$f" "$b/$f"
        else
            mkdir -p "$(dirname "$b/$f")"
            cp "$src/$f" "$b/$f"
        fi
    done
    [ "${1:-}" = "--check" ] || chmod +x "$b/gradlew"
done
if [ "${1:-}" = "--check" ]; then
    echo "the Gradle wrappers of ${BUILDS[*]} match $PKG"
else
    echo "installed the Gradle wrapper from $PKG into ${BUILDS[*]}"
fi
