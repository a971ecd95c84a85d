#!/usr/bin/env bash
# The committed Gradle wrappers (android-sample/ and bindings/android/) are intact and start:
#  1. gradle-wrapper.jar, gradlew and gradlew.bat have the sha256 recorded in
#     scripts/fetch-gradle-wrapper.sh (Gradle's 8.x wrapper), and gradlew is executable;
#  2. both builds pin the same Gradle distribution;
#  3. each ./gradlew really runs: the JVM loads the wrapper JAR, reads the properties and starts
#     downloading the pinned distribution. Only package registries are reachable here, so the
#     download goes to a closed local port (a proxy on 127.0.0.1:9) and must fail fast; a
#     broken script, JAR or properties file fails before that line.
# Exits non-zero when anything is wrong.
set -euo pipefail
cd "$(dirname "$0")/../.."
fail() { echo "45-gradle-wrapper: $*" >&2; exit 1; }
command -v java >/dev/null || fail "java not found (JDK 17 needed)"
sha() { grep -m1 "^$1=" scripts/fetch-gradle-wrapper.sh | cut -d'"' -f2; }
jar_sha=$(sha JAR_SHA256)
gradlew_sha=$(sha GRADLEW_SHA256)
bat_sha=$(sha GRADLEW_BAT_SHA256)
[ -n "$jar_sha" ] && [ -n "$gradlew_sha" ] && [ -n "$bat_sha" ] || fail "hashes not found in scripts/fetch-gradle-wrapper.sh"
check_sha() {
    local got
    got=$(sha256sum "$1" | cut -d' ' -f1)
    [ "$got" = "$2" ] || fail "$1 has sha256 $got, expected $2 (restore it with scripts/fetch-gradle-wrapper.sh)"
}
dist=""
for b in android-sample bindings/android; do
    check_sha "$b/gradle/wrapper/gradle-wrapper.jar" "$jar_sha"
    check_sha "$b/gradlew" "$gradlew_sha"
    check_sha "$b/gradlew.bat" "$bat_sha"
    [ -x "$b/gradlew" ] || fail "$b/gradlew is not executable"
    url=$(grep '^distributionUrl=' "$b/gradle/wrapper/gradle-wrapper.properties" | cut -d= -f2- | tr -d '\\')
    [ -n "$url" ] || fail "$b: no distributionUrl"
    [ -z "$dist" ] || [ "$dist" = "$url" ] || fail "the builds pin different Gradle versions: $dist and $url"
    dist=$url
    home=$(mktemp -d)
    set +e
    out=$(cd "$b" && GRADLE_USER_HOME=$home \
        JAVA_OPTS="-Dhttps.proxyHost=127.0.0.1 -Dhttps.proxyPort=9 -Dhttp.proxyHost=127.0.0.1 -Dhttp.proxyPort=9" \
        timeout 120 ./gradlew --version 2>&1)
    rc=$?
    set -e
    rm -rf "$home"
    [ "$rc" -ne 0 ] || fail "$b/gradlew succeeded through a closed proxy: the check proves nothing"
    grep -qF "Downloading $dist" <<<"$out" || fail "$b/gradlew did not start the wrapper (rc $rc): $out"
    echo "$b/gradlew starts and fetches $dist (download refused here, as expected)"
done
echo "Gradle wrappers: intact"
