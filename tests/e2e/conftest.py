"""The hub served on loopback by a real (threaded werkzeug) server, and headless Debian Chromium
driven by Playwright. Screenshots of each main page go to tests/e2e/screenshots/."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from playwright.sync_api import Browser, sync_playwright

from tests.support.servers import ErpServer

CHROMIUM = "/usr/bin/chromium"  # Debian's package, installed by .ci/run; Playwright downloads nothing
SCREENSHOTS = Path(__file__).resolve().parent / "screenshots"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]


@pytest.fixture
def hub_url(app: Flask) -> Iterator[str]:
    server = ErpServer(app.wsgi_app)
    with server:
        yield server.url.rstrip("/")


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def shots() -> Path:
    SCREENSHOTS.mkdir(exist_ok=True)
    return SCREENSHOTS
