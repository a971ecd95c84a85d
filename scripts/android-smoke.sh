#!/usr/bin/env bash
# Smoke test of the Android sample on a running emulator (API 35, also the 16 KB-page image),
# against a local sandbox, driven through adb like a user: .github/workflows/mobile.yml runs it
# inside reactivecircus/android-emulator-runner. It cannot run on machines without the Android
# SDK and an emulator (this repository's own CI has neither).
#
#   scripts/android-smoke.sh [--apk path/to/app-debug.apk] [--page-size 16384]
#
# --page-size: fail unless the emulator's kernel uses this page size (the 16 KB-page image must
# really run with 16 KB pages, so that loading our .so files there proves their alignment).
# Steps (each one waits for the screen it expects and fails with the screen's text if it does
# not come):
#   1. builds the CLI, starts `smart-enroll serve --dev` on 127.0.0.1:8080 (the emulator reaches
#      it as 10.0.2.2) and creates a basic flow (`setup --preset basic`: the document and the
#      selfie are optional, so the emulator's camera, which shows no face, cannot block it);
#   2. writes android-sample/local.properties with the ids, builds and installs the debug app
#      (unless --apk is given: then that APK, which must have been built with the same ids);
#   3. signs up, reads the email and phone codes from the sandbox's outbox and enters them;
#   4. uploads a document picked from the emulator's files (the bundled sample photo);
#   5. `am kill`s the app in the background and starts it again: it must resume on the selfie
#      step, not on the sign-up form;
#   6. on the selfie screen the emulated front camera's frames must reach the prefilter (live
#      guidance shows); no face: nothing is uploaded; the optional selfie is skipped;
#   7. confirms the review and waits for the result screen.
# Screenshots and the UI dumps of a failure go to target/android-smoke/.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

apk=""
page_size=""
while [ $# -gt 0 ]; do
    case "$1" in
        --apk) apk="$2"; shift 2 ;;
        --page-size) page_size="$2"; shift 2 ;;
        -h|--help) awk 'NR > 1 && !/^#/ {exit} NR > 1 {print}' "$0"; exit 0 ;;
        *) echo "android-smoke.sh: unknown argument: $1" >&2; exit 2 ;;
    esac
done

command -v adb >/dev/null || { echo "android-smoke.sh: adb not found (Android SDK platform-tools)" >&2; exit 1; }
command -v python3 >/dev/null || { echo "android-smoke.sh: python3 is needed" >&2; exit 1; }
adb get-state >/dev/null 2>&1 || { echo "android-smoke.sh: no emulator/device attached (adb get-state)" >&2; exit 1; }

if [ -n "$page_size" ]; then
    actual=$(adb shell getconf PAGE_SIZE | tr -d '\r')
    [ "$actual" = "$page_size" ] || { echo "android-smoke.sh: the emulator's page size is $actual, not $page_size" >&2; exit 1; }
    echo "emulator page size: $actual"
fi

out=target/android-smoke
rm -rf "$out"
mkdir -p "$out"
port=8080
sandbox="http://127.0.0.1:$port"

echo "--- sandbox"
cargo build --locked -q -p smart-enroll-cli
bin="$root/target/debug/smart-enroll"
data_dir=$(mktemp -d)
SMART_ENROLL_CLIENT_TOKEN=dev-client-token "$bin" serve --dev --bind "127.0.0.1:$port" --data-dir "$data_dir" >"$out/sandbox.log" 2>&1 &
sandbox_pid=$!
trap 'kill "$sandbox_pid" 2>/dev/null || true' EXIT
for _ in $(seq 1 60); do
    curl -fsS "$sandbox/health" >/dev/null 2>&1 && break
    sleep 0.5
done
ids=$(SMART_ENROLL_CLIENT_TOKEN=dev-client-token "$bin" setup --api-url "$sandbox" --preset basic --json)
project_id=$(printf '%s' "$ids" | python3 -c 'import json,sys; print(json.load(sys.stdin)["projectId"])')
flow_id=$(printf '%s' "$ids" | python3 -c 'import json,sys; print(json.load(sys.stdin)["flowId"])')

echo "--- app"
if [ -z "$apk" ]; then
    cat >android-sample/local.properties <<EOF
sdk.dir=${ANDROID_HOME:-${ANDROID_SDK_ROOT:-}}
smartEnroll.projectId=$project_id
smartEnroll.flowId=$flow_id
smartEnroll.apiUrl=http://10.0.2.2:$port
EOF
    (cd android-sample && ./gradlew -q :app:assembleDebug)
    apk=android-sample/app/build/outputs/apk/debug/app-debug.apk
fi
adb install -r -g "$apk" >/dev/null
package=com.smartenroll.sample
adb shell pm grant "$package" android.permission.CAMERA || true

# The document: the CLI's bundled public-domain sample photo, as a file the picker lists.
adb push cli/assets/sample-selfie.jpg /sdcard/Download/smoke-document.jpg >/dev/null
adb shell am broadcast -a android.intent.action.MEDIA_SCANNER_SCAN_FILE \
    -d file:///sdcard/Download/smoke-document.jpg >/dev/null 2>&1 || true

adb shell am force-stop "$package"
adb shell am start -W -n "$package/.MainActivity" >/dev/null

echo "--- driving the app"
SANDBOX="$sandbox" OUT="$out" PACKAGE="$package" python3 - <<'PY'
import json, os, re, subprocess, sys, time, urllib.parse, urllib.request
import xml.etree.ElementTree as ET

OUT, SANDBOX, PACKAGE = os.environ["OUT"], os.environ["SANDBOX"], os.environ["PACKAGE"]
strings = {e.get("name"): "".join(e.itertext()).replace("\\'", "'")
           for e in ET.parse("android-sample/app/src/main/res/values/strings.xml").getroot().iter("string")}
step_no = 0

def adb(*args, check=True):
    return subprocess.run(["adb", *args], check=check, capture_output=True, text=True).stdout

def dump():
    raw = adb("exec-out", "uiautomator", "dump", "/dev/tty", check=False)
    xml = raw[raw.find("<?xml"): raw.rfind(">") + 1] if "<?xml" in raw else "<hierarchy/>"
    try:
        return ET.fromstring(xml)
    except ET.ParseError:
        return ET.fromstring("<hierarchy/>")

def nodes(root):
    for n in root.iter("node"):
        yield n

def label(n):
    return (n.get("text") or "") + "|" + (n.get("content-desc") or "")

def center(n):
    x1, y1, x2, y2 = map(int, re.findall(r"\d+", n.get("bounds")))
    return (x1 + x2) // 2, (y1 + y2) // 2

def fail(message):
    global step_no
    adb("exec-out", "screencap", "-p", check=False)
    with open(os.path.join(OUT, "failure.png"), "wb") as f:
        f.write(subprocess.run(["adb", "exec-out", "screencap", "-p"], capture_output=True).stdout)
    shown = sorted({label(n) for n in nodes(dump()) if label(n) != "|"})
    with open(os.path.join(OUT, "failure-screen.txt"), "w") as f:
        f.write("\n".join(shown))
    sys.exit(f"android-smoke: {message}\nscreen shows: {shown[:40]}")

def find(text, root=None, exact=True):
    root = root if root is not None else dump()
    for n in nodes(root):
        for value in (n.get("text") or "", n.get("content-desc") or ""):
            if (value == text) if exact else value.startswith(text):
                return n
    return None

def wait(key=None, text=None, timeout=30, exact=True):
    want = text if text is not None else strings[key]
    deadline = time.time() + timeout
    while time.time() < deadline:
        n = find(want, exact=exact)
        if n is not None:
            return n
        time.sleep(1)
    fail(f"waited {timeout}s for {key or text!r}")

def present(key, timeout=3):
    deadline = time.time() + timeout
    while time.time() < deadline:
        n = find(strings[key])
        if n is not None:
            return n
        time.sleep(1)
    return None

def tap(node):
    x, y = center(node)
    adb("shell", "input", "tap", str(x), str(y))
    time.sleep(0.7)

def scroll_to(key, tries=4):
    for _ in range(tries):
        n = find(strings[key])
        if n is not None:
            return n
        adb("shell", "input", "swipe", "500", "1500", "500", "600", "300")
        time.sleep(0.5)
    fail(f"{key} not found after scrolling")

def type_into(key, value):
    tap(scroll_to(key))
    adb("shell", "input", "text", value.replace(" ", "%s"))
    adb("shell", "input", "keyevent", "111")  # ESCAPE: hide the keyboard
    time.sleep(0.5)

def code(to):
    url = f"{SANDBOX}/sandbox/outbox?to={urllib.parse.quote(to, safe='@')}"
    for _ in range(30):
        body = urllib.request.urlopen(url, timeout=5).read().decode()
        m = re.search(r'"code"\s*:\s*"(\d{6})"', body)
        if m:
            return m.group(1)
        time.sleep(1)
    fail(f"no code in the outbox for {to[:3]}…")

def step(name):
    global step_no
    step_no += 1
    print(f"  {step_no}. {name}", flush=True)

unique = str(int(time.time() * 1000) % 10_000_000).rjust(7, "0")
email, phone = f"android-smoke-{unique}@example.com", "300" + unique

step("sign-up")
wait("signup_submit", timeout=60)
for key, value in (("field_full_name", "Ana Example"), ("field_first_name", "Ana"), ("field_last_name", "Example")):
    if present(key, 1):
        type_into(key, value)
type_into("field_email", email)
if present("field_phone", 1):
    type_into("field_country_code", "+57")
    type_into("field_phone", phone)
for key in ("signup_accept_terms", "signup_accept_privacy"):
    n = present(key, 1)
    if n is not None:
        tap(n)
tap(scroll_to("signup_submit"))

step("email code from the outbox")
wait("otp_email_title", timeout=60)
type_into("otp_field", code(email))
tap(scroll_to("otp_submit"))

step("phone code from the outbox")
deadline = time.time() + 60
while time.time() < deadline and not (present("otp_phone_title", 1) or present("phone_channel_title", 1)
                                      or present("document_title_front", 1)):
    pass
if present("phone_channel_title", 1):
    tap(wait("phone_channel_sms"))
if present("otp_phone_title", 5):
    type_into("otp_field", code("+57" + phone))
    tap(scroll_to("otp_submit"))

def pick_document(side_key):
    wait(side_key, timeout=60)
    tap(scroll_to("document_pick_file"))
    picked = None
    for _ in range(20):
        root = dump()
        picked = find("smoke-document.jpg", root) or find("Photo taken on", root, exact=False)
        if picked is not None:
            break
        time.sleep(1)
    if picked is None:
        fail("the file picker does not list smoke-document.jpg")
    tap(picked)

step("document from a file (front, and the back when the category has one)")
pick_document("document_title_front")
deadline = time.time() + 90
while time.time() < deadline and not present("selfie_title", 1):
    if present("document_title_back", 1):
        pick_document("document_title_back")

step("am kill in the background, then resume")
wait("selfie_title", timeout=30)
adb("shell", "input", "keyevent", "3")  # HOME
time.sleep(2)
adb("shell", "am", "kill", PACKAGE)
time.sleep(1)
if PACKAGE in adb("shell", "pidof", PACKAGE, check=False):
    fail("am kill left the app running")
adb("shell", "am", "start", "-W", "-n", f"{PACKAGE}/.MainActivity")
wait("selfie_title", timeout=60)
if present("signup_submit", 1):
    fail("the app went back to the sign-up form after am kill")

step("selfie screen: frames from the emulated camera reach the prefilter")
guidance = [strings[k] for k in strings if k.startswith("guidance_")]
deadline, seen = time.time() + 60, None
while time.time() < deadline and seen is None:
    root = dump()
    seen = next((g for g in guidance if find(g, root) is not None), None)
    time.sleep(1)
if seen is None:
    fail("no live guidance on the selfie screen: the camera frames do not reach the prefilter")
print(f"     guidance shown: {seen!r}")
if present("selfie_uploading", 1):
    fail("a selfie is being uploaded although the emulated camera shows no face")
tap(scroll_to("action_skip"))

step("review and result")
n = present("review_confirm", 30)
if n is not None:
    tap(n)
wait("result_title", timeout=90)
print("android-smoke: the basic flow completed, and resumed after am kill")
PY
