#!/usr/bin/python3
"""Drives the operator page (/admin/) in headless Chromium, the way an operator on a phone would.

    operator_page.py --url http://127.0.0.1:PORT/admin/ --token TOKEN --pool sales \\
        --member +15551111111 --screenshot .build/operator-page.png [--desktop-screenshot PATH]

Opens the page; checks that no member number is in it before logging in; logs in with the token;
waits for the pool and the member's row; presses the member's Pause button with a reason; waits
until the row shows the member paused; reloads and checks the page comes back logged in and still
paused; saves a full-page screenshot in a phone-sized window (412x915, and a desktop one when
asked). Prints one JSON line of what it saw. Exit 0 on success; 1 with a message on stderr
otherwise. Every wait is bounded (20 s), so it always ends.

Needs Debian's chromium, chromium-driver and python3-selenium (the Makefile's APT_PACKAGES).
"""
import argparse
import json
import os
import shutil
import sys
import tempfile
import time

WAIT = 20  # seconds, the bound on every wait
REASON = "browser test"


class Failure(Exception):
    pass


def parse():
    parser = argparse.ArgumentParser(description="Drive /admin/ in headless Chromium.")
    parser.add_argument("--url", required=True, help="the page, e.g. http://127.0.0.1:8080/admin/")
    parser.add_argument("--token", required=True, help="the daemon's admin token")
    parser.add_argument("--pool", required=True)
    parser.add_argument("--member", required=True, help="the member's address, e.g. +15551111111")
    parser.add_argument("--screenshot", required=True, help="where to save the phone-sized screenshot (PNG)")
    parser.add_argument("--desktop-screenshot", help="also a 1280-wide one here")
    parser.add_argument("--chromium", default=os.environ.get("CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium")
    parser.add_argument("--chromedriver", default=os.environ.get("CHROMEDRIVER") or shutil.which("chromedriver") or "/usr/bin/chromedriver")
    return parser.parse_args()


def start(args, profile):
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError as e:
        raise Failure(f"selenium is not importable by {sys.executable} ({e}); install python3-selenium")
    for path, package in ((args.chromium, "chromium"), (args.chromedriver, "chromium-driver")):
        if not os.path.exists(path):
            raise Failure(f"{path} not found; install {package}")
    options = webdriver.ChromeOptions()
    options.binary_location = args.chromium
    for flag in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                 "--no-first-run", "--no-default-browser-check", "--disable-extensions",
                 "--disable-background-networking", "--disable-sync", "--mute-audio",
                 "--window-size=412,915", f"--user-data-dir={profile}"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    service = Service(executable_path=args.chromedriver, log_path=os.devnull)
    try:
        driver = webdriver.Chrome(service=service, options=options)
    except Exception as e:  # WebDriverException and friends: say what it was, briefly
        raise Failure(f"could not start headless Chromium via {args.chromedriver}: {first_line(e)}")
    driver.set_page_load_timeout(WAIT)
    driver.set_script_timeout(WAIT)
    phone(driver, 412, 915)  # a headless window has a desktop's minimum width; this is a phone's viewport
    return driver


def phone(driver, width, height):
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                           {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 600})


def first_line(error):
    text = getattr(error, "msg", None) or str(error)
    return text.strip().splitlines()[0] if text.strip() else type(error).__name__


def wait_for(what, predicate, timeout=WAIT):
    """Polls `predicate` until it returns something truthy; Failure naming `what` after `timeout` s."""
    deadline = time.monotonic() + timeout
    last_error = None
    while True:
        try:
            value = predicate()
            if value:
                return value
        except Exception as e:  # a stale element during a re-render: try again
            last_error = e
        if time.monotonic() >= deadline:
            detail = f" (last error: {first_line(last_error)})" if last_error else ""
            raise Failure(f"timed out after {timeout} s waiting for {what}{detail}")
        time.sleep(0.1)


# The row, found by comparing attributes in the page (no selector quoting of arbitrary addresses).
ROW_JS = """
var pool = arguments[0], member = arguments[1];
var rows = document.querySelectorAll('tr.member');
for (var i = 0; i < rows.length; i++) {
  if (rows[i].getAttribute('data-pool') === pool && rows[i].getAttribute('data-member') === member) return rows[i];
}
return null;
"""

POOL_JS = """
var sections = document.querySelectorAll('section.pool');
for (var i = 0; i < sections.length; i++) if (sections[i].getAttribute('data-pool') === arguments[0]) return sections[i];
return null;
"""

SEEN_JS = """
var pools = Array.prototype.map.call(document.querySelectorAll('section.pool'), function (s) {
  return {name: s.getAttribute('data-pool'), open: s.getAttribute('data-open') === 'true',
          members: s.querySelectorAll('tr.member').length};
});
var routes = document.querySelector('#routes .routes');
return {pools: pools,
        routes_ok: routes ? routes.getAttribute('data-ok') === 'true' : null,
        calls: document.querySelectorAll('#calls tr.call').length,
        messages: document.querySelectorAll('#messages tr.message').length,
        voicemails: document.querySelectorAll('#voicemails tr.voicemail').length,
        players: document.querySelectorAll('#voicemails audio[controls]').length,
        width: document.documentElement.clientWidth,
        scroll_width: document.documentElement.scrollWidth};
"""


def row_state(driver, args):
    row = driver.execute_script(ROW_JS, args.pool, args.member)
    if row is None:
        return None
    return row.get_attribute("data-state")


def visible(driver, element_id):
    return driver.execute_script(
        "var e = document.getElementById(arguments[0]); return !!e && !e.hidden && e.offsetParent !== null;",
        element_id)


def screenshot(driver, path, width, height):
    """A full-page PNG at `width` CSS pixels (the whole page, not just the viewport)."""
    import base64
    phone(driver, width, height)
    time.sleep(0.3)  # a layout at the new size
    full = driver.execute_script("return Math.ceil(document.documentElement.scrollHeight)")
    shot = driver.execute_cdp_cmd("Page.captureScreenshot", {
        "format": "png", "captureBeyondViewport": True,
        "clip": {"x": 0, "y": 0, "width": width, "height": max(height, min(full, 16000)), "scale": 1}})
    directory = os.path.dirname(os.path.abspath(path))
    os.makedirs(directory, exist_ok=True)
    with open(path, "wb") as f:
        f.write(base64.b64decode(shot["data"]))
    return path


def console_errors(driver):
    try:
        entries = driver.get_log("browser")
    except Exception:
        return []
    # The browser asks for /favicon.ico on its own; the daemon has none, and that is fine.
    return [e.get("message", "") for e in entries if e.get("level") == "SEVERE" and "/favicon.ico" not in e.get("message", "")]


def run(args, driver):
    seen = {"url": args.url, "pool": args.pool, "member": args.member}
    member_forms = {args.member, args.member.lstrip("+"), args.member.replace("+", "%2B")}

    # 1. Before logging in: the form, and no member number anywhere in the document.
    driver.get(args.url)
    wait_for("the login form (#login)", lambda: visible(driver, "login"))
    source = driver.page_source
    leaked = [form for form in member_forms if form and form in source]
    if leaked:
        raise Failure(f"the page shows {leaked[0]} before logging in")
    if visible(driver, "app"):
        raise Failure("the page shows #app before logging in")
    seen["login_form_first"] = True

    # 2. Log in.
    field = driver.find_element("id", "token")
    field.clear()
    field.send_keys(args.token)
    driver.find_element("id", "login-submit").click()

    def logged_in():
        error = driver.execute_script("var e = document.getElementById('login-error'); return e ? e.textContent : '';")
        if error and visible(driver, "login"):
            raise Failure(f"logging in failed: {error}")
        return visible(driver, "app") and not visible(driver, "login")
    try:
        wait_for("the page to open after logging in (#app)", logged_in)
    except Failure as e:
        raise Failure(f"{e}; status line: {driver.find_element('id', 'status').text!r}")
    wait_for(f"pool {args.pool!r} (section.pool[data-pool])", lambda: driver.execute_script(POOL_JS, args.pool))
    seen["state_before"] = wait_for(f"member {args.member!r} in {args.pool!r} (tr.member)", lambda: row_state(driver, args))

    # Left paused by an earlier run: resume first, so the press below is a real pause.
    if seen["state_before"] == "paused":
        driver.execute_script(ROW_JS, args.pool, args.member).find_element("css selector", "button.resume").click()
        wait_for("the member to be resumed first", lambda: row_state(driver, args) not in (None, "paused"))
        seen["resumed_first"] = True

    # 3. Pause with a reason.
    def pause_controls():
        row = driver.execute_script(ROW_JS, args.pool, args.member)
        if row is None:
            return None
        buttons = row.find_elements("css selector", "button.pause")
        return (row, buttons[0]) if buttons and buttons[0].is_enabled() else None
    row, button = wait_for("the member's Pause button (button.pause)", pause_controls)
    reasons = row.find_elements("css selector", "input.reason")
    if reasons:
        reasons[0].clear()
        reasons[0].send_keys(REASON)
    button.click()

    def paused():
        row = driver.execute_script(ROW_JS, args.pool, args.member)
        if row is None or row.get_attribute("data-state") != "paused":
            notice = driver.execute_script("var n = document.getElementById('notice'); return n && !n.hidden ? n.textContent : '';")
            if notice:
                raise Failure(f"pausing failed: {notice}")
            return None
        if not row.find_elements("css selector", "button.resume"):
            return None
        details = row.find_elements("css selector", ".paused-detail")
        return details[0].text if details else "paused"
    seen["paused_detail"] = wait_for("the row to show the member paused (data-state=paused, button.resume)", paused)
    if reasons and REASON not in seen["paused_detail"]:
        raise Failure(f"the paused row does not show the reason {REASON!r}: {seen['paused_detail']!r}")

    # 4. A reload keeps the login (sessionStorage) and shows the state from the server.
    driver.refresh()
    wait_for("the page to come back logged in after a reload", lambda: visible(driver, "app"))
    seen["state_after_reload"] = wait_for("the member's row after a reload", lambda: row_state(driver, args))
    if seen["state_after_reload"] != "paused":
        raise Failure(f"after a reload the member is {seen['state_after_reload']!r}, not paused")
    wait_for("the page to settle", lambda: driver.execute_script(
        "return document.getElementById('status').textContent.indexOf('updated') === 0"))

    seen.update(driver.execute_script(SEEN_JS))
    if seen["scroll_width"] > seen["width"] + 1:
        raise Failure(f"the page is wider than a phone screen: {seen['scroll_width']} px in a {seen['width']} px window")

    # 5. Screenshots.
    seen["screenshot"] = screenshot(driver, args.screenshot, 412, 915)
    if args.desktop_screenshot:
        seen["desktop_screenshot"] = screenshot(driver, args.desktop_screenshot, 1280, 900)

    errors = console_errors(driver)
    seen["console_errors"] = errors
    blocked = [e for e in errors if "Content Security Policy" in e or "Refused to" in e]
    if blocked:
        raise Failure(f"the Content-Security-Policy blocked something: {blocked[0]}")
    seen["ok"] = True
    return seen


def main():
    args = parse()
    profile = tempfile.mkdtemp(prefix="operator-page-")
    driver = None
    try:
        driver = start(args, profile)
        print(json.dumps(run(args, driver), sort_keys=True), flush=True)
        return 0
    except Failure as e:
        print(f"operator_page: {e}", file=sys.stderr, flush=True)
        print(json.dumps({"ok": False, "error": str(e)}), flush=True)
        return 1
    except Exception as e:  # selenium's own errors: one line, not a traceback
        print(f"operator_page: {type(e).__name__}: {first_line(e)}", file=sys.stderr, flush=True)
        print(json.dumps({"ok": False, "error": f"{type(e).__name__}: {first_line(e)}"}), flush=True)
        return 1
    finally:
        if driver is not None:
            try:
                driver.quit()
            except Exception:
                pass
        shutil.rmtree(profile, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
