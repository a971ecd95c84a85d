# Browser test of the sandbox dashboard (scripts/checks/55-dashboard.sh): Debian's headless
# Chromium and its WebDriver, and Selenium (pinned: newer ones want a newer certifi than the
# registry serves here). Installed only when missing.
apt_install chromium chromium-driver
pip_install selenium==4.51.0
