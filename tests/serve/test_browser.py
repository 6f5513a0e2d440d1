"""What a person sees: headless Chromium (Debian's chromium + chromium-driver, installed
by .ci/run) driven by Selenium over `litkg serve` on a loopback port. Screenshots are
kept in test-artifacts/."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest
from test_serve import start_server, stop_server

from conftest import ROOT, SEEDS
from litkg.build import build

ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"


@pytest.fixture(scope="module")
def browser():
    if not (Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists()):
        message = "Debian packages chromium and chromium-driver are not installed (.ci/run installs them)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    profile = tempfile.mkdtemp(prefix="litkg-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
        "--window-size=1280,1600",
        f"--user-data-dir={profile}",
    ):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(30)
    yield driver
    driver.quit()
    shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    out = tmp_path_factory.mktemp("browsed")
    build([SEEDS], out, formats=("ttl", "nq"))
    process, url = start_server(out)
    yield url
    stop_server(process)


def screenshot(driver, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    assert driver.save_screenshot(str(ARTIFACTS / f"{name}.png"))


def test_a_reader_goes_from_the_landing_page_to_a_query_to_an_article(browser, site):
    from selenium.webdriver.common.by import By

    browser.get(site + "/")
    assert browser.find_element(By.TAG_NAME, "h1").text == "litkg knowledge graph"
    assert "triples" in browser.find_element(By.TAG_NAME, "table").text
    screenshot(browser, "landing")

    browser.find_element(By.LINK_TEXT, "cited-by-several").click()
    rows = browser.find_elements(By.CSS_SELECTOR, "#results tr")
    assert len(rows) == 3  # header + Boillée 2006 + Clement 2003
    assert "work/key/clement_2003_science_302_113 2" in browser.find_element(By.ID, "results").text
    screenshot(browser, "sparql-result")

    clement = next(
        a
        for a in browser.find_elements(By.CSS_SELECTOR, "#results a")
        if "clement_2003" in a.get_attribute("href")
    )
    clement.click()  # 303 to the HTML page of the cited work
    assert browser.current_url.endswith("/work/key/clement_2003_science_302_113.html")
    citing = browser.find_elements(By.CSS_SELECTOR, "#cited-by a")
    assert sorted(a.text for a in citing) == [
        "ALS: astrocytes move in as deadly neighbors",
        "Help from peripheral macrophages in ALS?",
    ]
    next(a for a in citing if a.text.startswith("Help")).click()

    assert browser.find_element(By.ID, "title").text == "Help from peripheral macrophages in ALS?"
    assert "Özdinler" in browser.find_element(By.ID, "authors").text
    mentions = browser.find_element(By.ID, "mentions")
    microglia = mentions.find_element(By.LINK_TEXT, "microglial cell")
    assert microglia.get_attribute("href") == "http://purl.obolibrary.org/obo/CL_0000129"
    assert "amyotrophic lateral sclerosis" in mentions.text
    screenshot(browser, "article")

    author = browser.find_element(By.CSS_SELECTOR, "#authors a")
    author.click()
    assert "Özdinler" in browser.find_element(By.ID, "title").text


def test_search_box(browser, site):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    browser.get(site + "/")
    box = browser.find_element(By.CSS_SELECTOR, "header input[name=q]")
    box.send_keys("deadly neighbors")
    box.submit()
    # the results page loads after submit() returns: wait for it, not for the old page
    hits = WebDriverWait(browser, 20).until(lambda b: b.find_elements(By.CSS_SELECTOR, "main ol a"))
    assert [a.text for a in hits] == ["ALS: astrocytes move in as deadly neighbors"]
    hits[0].click()
    assert browser.find_element(By.ID, "title").text == "ALS: astrocytes move in as deadly neighbors"
    screenshot(browser, "search-to-article")


def _outside_the_picture(driver, svg_id: str) -> list[str]:
    """The texts of the picture that the browser drew (partly) outside its viewBox."""
    return driver.execute_script(
        """
        const svg = document.getElementById(arguments[0]);
        const box = svg.viewBox.baseVal;
        const out = [];
        for (const text of svg.querySelectorAll('text')) {
          const b = text.getBBox();
          if (b.x < box.x - 0.5 || b.y < box.y - 0.5 || b.x + b.width > box.x + box.width + 0.5
              || b.y + b.height > box.y + box.height + 0.5) out.push(text.textContent);
        }
        return out;
        """,
        svg_id,
    )


def test_the_pictures_render_and_their_links_work(browser, site):
    """The landing page's charts and an article's neighbourhood, drawn in Chromium: every
    label inside its picture, and a node is a link a reader can click."""
    from selenium.webdriver.common.by import By

    browser.get(site + "/")
    for svg_id in ("top-cell-types", "top-diseases", "citations-by-year"):
        svg = browser.find_element(By.ID, svg_id)
        assert svg.size["width"] > 200 and svg.size["height"] > 40, svg_id
        assert _outside_the_picture(browser, svg_id) == [], svg_id
    browser.execute_script("document.getElementById('top-cell-types').scrollIntoView()")
    screenshot(browser, "landing-charts")
    bars = browser.find_elements(By.CSS_SELECTOR, "#top-cell-types a.bar")
    assert bars[0].text.startswith("motor neuron")

    browser.get(site + "/work/key/clement_2003_science_302_113.html")
    picture = browser.find_element(By.ID, "neighbourhood")
    assert picture.size["width"] > 500
    assert _outside_the_picture(browser, "neighbourhood") == []
    browser.execute_script("arguments[0].scrollIntoView()", picture)
    screenshot(browser, "neighbourhood")
    node = browser.find_element(By.CSS_SELECTOR, "#neighbourhood a.node.cited-by")
    node.find_element(By.TAG_NAME, "circle").click()
    assert browser.find_element(By.ID, "title").text in {
        "ALS: astrocytes move in as deadly neighbors",
        "Help from peripheral macrophages in ALS?",
    }
    picture = browser.find_element(By.ID, "neighbourhood")
    assert _outside_the_picture(browser, "neighbourhood") == []
    browser.execute_script("arguments[0].scrollIntoView()", picture)
    screenshot(browser, "article-neighbourhood")
