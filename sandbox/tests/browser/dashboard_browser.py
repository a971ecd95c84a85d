#!/usr/bin/env python3
"""The sandbox dashboard in a real browser: headless Chromium (Debian's `chromium` and
`chromium-driver`) driven through WebDriver by Selenium, against the real `smart-enroll serve`
binary, with a whole `smart-enroll enroll` run of the real CLI.

Covers: sign-in (a wrong token is refused and shows nothing), no data before sign-in, the
enrollment appearing live and turning COMPLETED without a reload, the step trail, images that
really load (from blob: URLs), webhook deliveries, masked contact data, the token never in
`location.href` (nor in any URL the page fetched, nor in a cookie), no CSP violation, and the
OTP outbox panel present only with `--dev`. Saves screenshots of the list and of a detail view
under target/dashboard-artifacts/.

Loopback only; every process it starts is stopped on exit; a hard time limit (DEADLINE_S)
ends it even if something hangs. Usage: dashboard_browser.py [path/to/smart-enroll]
"""

import http.server
import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

from selenium import webdriver
from selenium.common.exceptions import (
    NoSuchElementException,
    StaleElementReferenceException,
    TimeoutException,
)
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
BIN = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "target", "debug", "smart-enroll")
ARTIFACTS = os.environ.get("DASHBOARD_ARTIFACTS", os.path.join(ROOT, "target", "dashboard-artifacts"))
CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
DEADLINE_S = 150
TOKEN = "dashboard-browser-" + secrets.token_hex(12)
XSS_NAME = 'Browser shop <img src=x id=xss>'


procs = []
tmp = tempfile.mkdtemp(prefix="dashboard-browser-")


def log(msg):
    print(f"dashboard-browser: {msg}", flush=True)


def fail(msg):
    raise AssertionError(msg)


def cleanup():
    for p in procs:
        if p.poll() is None:
            p.terminate()
            try:
                p.wait(5)
            except subprocess.TimeoutExpired:
                p.kill()
    shutil.rmtree(tmp, ignore_errors=True)


def on_deadline(_sig, _frame):
    raise TimeoutError(f"the browser test did not finish within {DEADLINE_S} s")


# ---------------------------------------------------------------- servers


def serve(name, dev):
    """Starts `smart-enroll serve` on a free loopback port; returns its base URL."""
    args = [BIN, "serve", "--bind", "127.0.0.1:0", "--data-dir", os.path.join(tmp, name),
            "--client-token", TOKEN]
    if dev:
        args.append("--dev")
    p = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=open(os.path.join(tmp, name + ".err"), "w"),
                         stdin=subprocess.DEVNULL, text=True)
    procs.append(p)
    line = p.stdout.readline().strip()
    if not line.startswith("smart-enroll sandbox listening on http://127.0.0.1:"):
        fail(f"serve did not start: {line!r}")
    return line.rsplit(" ", 1)[1]


class Hook(http.server.BaseHTTPRequestHandler):
    events = []

    def do_POST(self):  # noqa: N802 (http.server's name)
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        try:
            Hook.events.append(json.loads(body).get("type"))
        except ValueError:
            pass
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *_args):
        pass


def webhook_receiver():
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Hook)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{srv.server_address[1]}/hook", srv


def run(args, **kw):
    env = dict(os.environ, SMART_ENROLL_CLIENT_TOKEN=TOKEN)
    out = subprocess.run([BIN, *args], env=env, capture_output=True, text=True, timeout=60, **kw)
    if out.returncode != 0:
        fail(f"smart-enroll {args[0]} failed ({out.returncode}): {out.stderr}")
    return out.stdout


def http_get(url, token=None):
    req = urllib.request.Request(url)
    if token:
        req.add_header("Authorization", "Bearer " + token)
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            return resp.status, resp.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


def outbox_code(base, to, after=None):
    """The newest code the dev outbox holds for `to` (other than `after`), waiting for it."""
    end = time.time() + 30
    while time.time() < end:
        status, body = http_get(f"{base}/sandbox/outbox?to={urllib.parse.quote(to)}")
        if status == 200:
            items = json.loads(body)["data"]
            if items and items[0]["code"] != after:
                return items[0]["code"]
        time.sleep(0.1)
    fail(f"no code for {to} in the outbox")


# ---------------------------------------------------------------- browser


def browser():
    opts = Options()
    opts.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                f"--user-data-dir={os.path.join(tmp, 'chromium-profile')}",
                "--window-size=1480,1000", "--no-first-run", "--no-default-browser-check",
                "--disable-background-networking", "--disable-component-update",
                "--disable-extensions", "--disable-sync", "--lang=en-US"):
        opts.add_argument(arg)
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    service = Service(executable_path=CHROMEDRIVER, log_output=os.path.join(tmp, "chromedriver.log"))
    d = webdriver.Chrome(service=service, options=opts)
    d.set_page_load_timeout(20)
    d.set_script_timeout(20)
    return d


def wait(d, what, cond, timeout=10):
    try:
        return WebDriverWait(d, timeout, poll_frequency=0.1).until(lambda _: cond())
    except TimeoutException:
        shot(d, "failure")
        fail(f"timed out waiting for {what}")


def shot(d, name):
    os.makedirs(ARTIFACTS, exist_ok=True)
    path = os.path.join(ARTIFACTS, name + ".png")
    d.save_screenshot(path)
    log(f"screenshot {path}")


def rows(d):
    """The list's rows as (id, text) pairs, read in one go (the list re-renders live)."""
    return [tuple(r) for r in d.execute_script(
        "return [...document.querySelectorAll('[data-registration-id]')]"
        ".map(r => [r.dataset.registrationId, r.innerText])")]


def click(d, css):
    """Clicks the element `css` names, looking it up again if a live re-render replaced it."""
    for _ in range(20):
        try:
            d.find_element(By.CSS_SELECTOR, css).click()
            return
        except (StaleElementReferenceException, NoSuchElementException):
            time.sleep(0.1)
    fail(f"cannot click {css}")


def text_of(d, css):
    return d.execute_script("const e = document.querySelector(arguments[0]); return e ? e.innerText : null", css)


def attrs(d, css, name):
    return d.execute_script(
        "return [...document.querySelectorAll(arguments[0])].map(e => e.getAttribute(arguments[1]))", css, name)


def check_no_token_leak(d):
    href = d.execute_script("return location.href")
    if TOKEN in href:
        fail(f"token in location.href: {href}")
    urls = d.execute_script("return performance.getEntriesByType('resource').map(e => e.name)")
    leaked = [u for u in urls if TOKEN in u]
    if leaked:
        fail(f"token in fetched URLs: {leaked}")
    if d.execute_script("return document.cookie"):
        fail("the dashboard set a cookie")


def sign_in(d, base, token):
    d.get(base + "/dashboard")
    field = wait(d, "the sign-in form", lambda: d.find_element(By.CSS_SELECTOR, 'input[name="token"]'))
    field.send_keys(token)
    d.find_element(By.CSS_SELECTOR, "button[type=submit]").click()


# ---------------------------------------------------------------- the scenarios


def dev_scenario(d):
    hook_url, hook_srv = webhook_receiver()
    base = serve("dev", dev=True)
    log(f"serve --dev at {base}")
    # A project name with markup: shown as text, never parsed as HTML.
    setup = json.loads(run(["setup", "--api-url", base, "--preset", "full", "--name", XSS_NAME,
                            "--webhook-url", hook_url, "--json"]))
    project, flow = setup["projectId"], setup["flowId"]
    images = os.path.join(tmp, "images")
    run(["demo", "--save-images", images])

    # Before sign-in: the form, and nothing of the project.
    d.get(base + "/dashboard")
    wait(d, "the sign-in form", lambda: d.find_element(By.CSS_SELECTOR, 'input[name="token"]'))
    page = d.page_source
    if rows(d) or project in page or flow in page:
        fail("project data shown before sign-in")
    called = d.execute_script(
        "return performance.getEntriesByType('resource').map(e => e.name).filter(u => u.includes('/sandbox/'))")
    if called:
        fail(f"API calls before sign-in: {called}")
    if d.find_element(By.ID, "app").is_displayed():
        fail("the app is visible before sign-in")

    # A wrong token: refused, nothing shown, nothing stored.
    sign_in(d, base, "not-the-token-" + secrets.token_hex(4))
    wait(d, "the refusal", lambda: d.find_element(By.ID, "signin-error").is_displayed())
    time.sleep(1.2)
    if rows(d) or project in d.page_source:
        fail("project data shown with a wrong token")
    if d.execute_script("return sessionStorage.length") != 0:
        fail("a refused token was stored")

    # The right token.
    sign_in(d, base, TOKEN)
    wait(d, "the registrations list", lambda: d.find_element(By.ID, "rows"))
    stored = d.execute_script("return Object.values(sessionStorage)")
    if stored != [TOKEN]:
        fail(f"sessionStorage holds {len(stored)} values, not the token alone")
    if d.execute_script("return localStorage.length") != 0:
        fail("something went to localStorage")
    check_no_token_leak(d)
    d.execute_script("window.__sameDocument = 'yes'")

    # A whole enrollment by the real CLI, codes from the dev outbox fed on stdin.
    email = "ana.browser@example.com"
    enroll = subprocess.Popen(
        [BIN, "enroll", "--api-url", base, "--project", project, "--flow", flow, "--email", email,
         "--phone", "3105550101", "--country-code", "+57", "--name", "Ana Browser",
         "--document-front", os.path.join(images, "specimen-passport.jpg"),
         "--selfie", os.path.join(images, "sample-selfie.jpg"), "--json"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    procs.append(enroll)
    email_code = outbox_code(base, email)
    # The registration exists now (its email code was sent): it shows up live, not yet done.
    reg_id, first_text = wait(d, "the new registration's row", lambda: rows(d)[0] if rows(d) else None,
                              timeout=5)
    log(f"row appeared live: {first_text!r}")
    enroll.stdin.write(email_code + "\n")
    enroll.stdin.flush()
    enroll.stdin.write(outbox_code(base, "+573105550101") + "\n")
    enroll.stdin.flush()
    out, err = enroll.communicate(timeout=90)  # closes stdin
    if enroll.returncode != 0:
        fail(f"enroll failed ({enroll.returncode}): {err}")
    result = json.loads(out)
    if result.get("outcome") != "COMPLETED" and "COMPLETED" not in json.dumps(result.get("outcome")):
        fail(f"enroll outcome: {result.get('outcome')}")
    t0 = time.time()
    wait(d, "the row to turn COMPLETED", lambda: any(
        rid == reg_id and "COMPLETED" in text for rid, text in rows(d)), timeout=5)
    log(f"COMPLETED shown {time.time() - t0:.2f} s after enroll exited")
    if d.execute_script("return window.__sameDocument") != "yes":
        fail("the page reloaded")
    if "COMPLETED" in first_text:
        fail("the row was already COMPLETED when it first appeared: not a live update")
    row_text = rows(d)[0][1]
    if email in row_text or "a***@example.com" not in row_text or "+57 ********01" not in row_text:
        fail(f"contact data not masked as the CLI masks it: {row_text!r}")
    shot(d, "list")

    # The detail: step trail, images, webhooks.
    click(d, f'[data-registration-id="{reg_id}"]')
    wait(d, "the step trail", lambda: attrs(d, "#trail [data-step]", "data-step"))
    steps = attrs(d, "#trail [data-step]", "data-step")
    want = ["registration", "email", "phone", "document", "liveness", "compare", "end"]
    if [s for s in steps if s in want] != want:
        fail(f"step trail {steps}, wanted {want} in order")
    end = text_of(d, '#trail [data-step="end"]')
    if "COMPLETED" not in end:
        fail(f"end step: {end!r}")
    for name in ("email", "phone", "document", "liveness", "compare"):
        st = attrs(d, f'#trail [data-step="{name}"]', "data-status")
        if st in ([], ["NOT_STARTED"]):
            fail(f"step {name} not done: {st}")
    if "score" not in text_of(d, '#trail [data-step="liveness"]'):
        fail("no liveness score in the trail")
    wait(d, "the images to load", lambda: d.execute_script(
        "const i = [...document.querySelectorAll('#images img')];"
        "return i.length >= 2 && i.every(x => x.complete && x.naturalWidth > 0 && x.src.startsWith('blob:'))"))
    kinds = d.execute_script("return [...document.querySelectorAll('#images img')].map(x => x.dataset.imageKind)")
    for k in ("documentFront", "selfie"):
        if k not in kinds:
            fail(f"no {k} image: {kinds}")
    wait(d, "the webhook deliveries", lambda: "delivered" in attrs(
        d, '[data-webhook-event="onboarding_app_registration_created"]', "data-state"))
    events = attrs(d, "[data-webhook-event]", "data-webhook-event")
    for e in ("onboarding_email_validation_validated", "onboarding_face_verification_compare"):
        if e not in events:
            fail(f"webhook {e} not shown: {events}")
    if not set(events) <= set(Hook.events):
        fail(f"shown events {events} were not all received {Hook.events}")
    if email in d.page_source:
        fail("the full email address is on the page")
    d.execute_script("document.querySelector('[data-webhook-event]').open = true")
    d.set_window_size(1480, 1900)
    shot(d, "detail")
    d.set_window_size(1480, 1000)

    # --dev: the outbox panel, codes with masked targets.
    wait(d, "the outbox panel", lambda: d.find_elements(By.ID, "outbox"))
    click(d, '#tabs button[data-tab="outbox"]')
    text = wait(d, "outbox rows", lambda: (lambda t: t if t and email_code in t else None)(text_of(d, "#outbox")))
    if d.find_element(By.ID, "panel-registrations").is_displayed():
        fail("the registrations panel is still shown on the outbox tab")
    if email in text or "a***@example.com" not in text:
        fail(f"outbox target not masked: {text!r}")
    shot(d, "outbox")
    click(d, '#tabs button[data-tab="projects"]')
    wait(d, "the projects panel", lambda: XSS_NAME in (text_of(d, "#panel-projects") or ""))
    if d.execute_script("return document.getElementById('xss') !== null"):
        fail("a project name was parsed as HTML")
    click(d, '#tabs button[data-tab="registrations"]')

    # Filters: by status, and by flow.
    d.find_element(By.CSS_SELECTOR, '#filter-status option[value="FAILED"]').click()
    wait(d, "the FAILED filter", lambda: not rows(d))
    d.find_element(By.CSS_SELECTOR, '#filter-status option[value="COMPLETED"]').click()
    wait(d, "the COMPLETED filter", lambda: [r[0] for r in rows(d)] == [reg_id])
    d.find_element(By.CSS_SELECTOR, f'#filter-flow option[value="{flow}"]').click()
    wait(d, "the flow filter", lambda: [r[0] for r in rows(d)] == [reg_id])
    d.find_element(By.CSS_SELECTOR, '#filter-status option[value=""]').click()

    check_no_token_leak(d)
    csp = [e for e in d.get_log("browser") if "Content Security Policy" in e.get("message", "")]
    if csp:
        fail(f"CSP violations: {csp}")

    # Sign out: the token and the data are gone.
    click(d, "#sign-out")
    wait(d, "the sign-in form again", lambda: d.find_element(By.CSS_SELECTOR, 'input[name="token"]').is_displayed())
    if rows(d) or d.execute_script("return sessionStorage.length") != 0:
        fail("data or token left after sign-out")
    hook_srv.shutdown()


def plain_scenario(d):
    base = serve("plain", dev=False)
    log(f"serve (no --dev) at {base}")
    status, _ = http_get(base + "/sandbox/outbox/recent", TOKEN)
    if status != 404:
        fail(f"/sandbox/outbox/recent answered {status} without --dev")
    sign_in(d, base, TOKEN)
    wait(d, "the registrations list", lambda: d.find_element(By.ID, "rows"))
    wait(d, "the first refresh", lambda: d.find_element(By.ID, "rows-empty").is_displayed())
    time.sleep(2.5)  # more than two polls: the panel would exist by now
    if d.find_elements(By.ID, "outbox") or d.find_elements(By.CSS_SELECTOR, '[data-tab="outbox"]'):
        fail("the outbox panel exists without --dev")
    check_no_token_leak(d)


def main():
    signal.signal(signal.SIGALRM, on_deadline)
    signal.alarm(DEADLINE_S)
    for path in (BIN, CHROMIUM, CHROMEDRIVER):
        if not os.access(path, os.X_OK):
            fail(f"{path} missing")
    started = time.time()
    d = browser()
    try:
        dev_scenario(d)
        plain_scenario(d)
    finally:
        try:
            d.quit()
        except Exception:  # noqa: BLE001 (the browser may be gone already)
            pass
    log(f"ok ({time.time() - started:.1f} s)")


if __name__ == "__main__":
    try:
        main()
    except BaseException as e:  # noqa: BLE001
        print(f"dashboard-browser: FAILED: {e}", file=sys.stderr, flush=True)
        errs = [f for f in os.listdir(tmp) if f.endswith(".err")] if os.path.isdir(tmp) else []
        for f in errs:
            with open(os.path.join(tmp, f)) as fh:
                tail = fh.read()[-2000:]
            if tail:
                print(f"--- {f}\n{tail}", file=sys.stderr)
        cleanup()
        sys.exit(1)
    cleanup()
