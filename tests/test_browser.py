"""The page of ``veille serve`` in a real browser: headless Chromium (Debian's) driven by Selenium, over the
real server on loopback, with the demo corpus and a hostile WhatsApp export in its knowledge base.

Each test leaves a screenshot in tests/out/screenshots/. The module is skipped only when chromium or
chromedriver is not installed (.ci/run installs them)."""

from __future__ import annotations

import json
import shutil
import socket
import threading
import time
import urllib.request
from pathlib import Path

import pytest

from .conftest import DATA, EXAMPLES, ROOT

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
if not (Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists()):
    pytest.skip("the browser tests need chromium and chromedriver (apt-get install chromium chromium-driver)",
                allow_module_level=True)

uvicorn = pytest.importorskip("uvicorn", reason="the serve extra is not installed")
from selenium import webdriver  # noqa: E402
from selenium.common.exceptions import NoAlertPresentException  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.common.keys import Keys  # noqa: E402
from selenium.webdriver.support import expected_conditions as ready  # noqa: E402
from selenium.webdriver.support.ui import Select, WebDriverWait  # noqa: E402

SCREENSHOTS = ROOT / "tests" / "out" / "screenshots"
HOSTILE = DATA / "hostile"
QUESTION = "Combien de temps faut-il pour raccorder un data center au réseau ?"

# A conversation over several days, only uploaded by test_upload: its words are in nothing else.
UPLOADED_CHAT = """\
03/06/2024, 08:55 - Inès Garnier: L'ornithoptère du labo a volé ce matin, douze minutes sans casse.
03/06/2024, 09:02 - Bruno Salaün: Bravo ! Quelle autonomie pour l'ornithoptère avec la nouvelle batterie ?
03/06/2024, 09:05 - Inès Garnier: Environ 18 minutes à pleine charge, 40 Wh embarqués.
04/06/2024, 14:10 - Bruno Salaün: J'ai commandé deux hélices de rechange, 35 € pièce.
04/06/2024, 14:12 - Inès Garnier: Parfait, on refait un essai jeudi.
06/06/2024, 10:30 - Inès Garnier: Essai de jeudi : l'ornithoptère a tenu 17 minutes, vent de travers.
06/06/2024, 10:31 - Bruno Salaün: On note tout dans le carnet d'essais.
06/06/2024, 10:33 - Bruno Salaün: Et on prévoit un essai en extérieur lundi.
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


TOKEN = "jeton-de-test-0123456789"


@pytest.fixture(scope="module")
def knowledge_base(tmp_path_factory) -> Path:
    """A knowledge base file of examples/ and the hostile chat."""
    from veille import KnowledgeBase

    db = tmp_path_factory.mktemp("serve") / "kb.db"
    with KnowledgeBase(db, embed=False) as kb:
        assert kb.ingest(EXAMPLES).ok
        assert kb.ingest(HOSTILE).ok
    return db


def run_server(db: Path, token: str | None = None):
    """The real server on a free loopback port, in a thread; yields its address, then stops it."""
    from veille.server import Service, create_app

    service = Service(db, embed=False)
    port = free_port()
    app = create_app(service, token=token, port=port)
    runner = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=runner.run, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            with urllib.request.urlopen(base + "/api/health", timeout=2) as answer:
                assert json.load(answer)["ok"]
            break
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)
    try:
        yield base
    finally:
        runner.should_exit = True
        thread.join(timeout=10)
        service.close()


@pytest.fixture(scope="module")
def server(knowledge_base):
    yield from run_server(knowledge_base)


@pytest.fixture(scope="module")
def token_server(knowledge_base):
    yield from run_server(knowledge_base, token=TOKEN)


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic",
                 "--no-first-run", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--lang=fr-FR",
                 f"--user-data-dir={tmp_path_factory.mktemp('chromium')}"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(options=options, service=webdriver.ChromeService(executable_path=CHROMEDRIVER))
    driver.set_window_size(1280, 900)
    yield driver
    driver.quit()


@pytest.fixture
def page(server, browser):
    """The browser, its console checked after the test: no script error and no CSP violation."""
    browser.get_log("browser")  # what earlier tests left
    yield browser
    problems = console_problems(browser)
    assert not problems, problems


def console_problems(driver, allowed: str = "") -> list[str]:
    """The browser console's errors and CSP violations since the last call (but those holding ``allowed``)."""
    return [entry["message"] for entry in driver.get_log("browser")
            if (entry["level"] == "SEVERE" or "Content Security Policy" in entry["message"])
            and not (allowed and allowed in entry["message"])]


def go(driver, server: str, route: str) -> None:
    driver.get(f"{server}/#/{route}")


def wait(driver, seconds: float = 20) -> WebDriverWait:
    return WebDriverWait(driver, seconds)


def screenshot(driver, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    driver.save_screenshot(str(SCREENSHOTS / f"{name}.png"))


def search(driver, query: str) -> list:
    """Type a query in the search box, submit it, and wait for the summary of the new results."""
    box = driver.find_element(By.ID, "q")
    box.clear()
    box.send_keys(query, Keys.ENTER)
    wait(driver).until(lambda d: "#/recherche?q=" in d.current_url and d.find_element(By.ID, "search-summary").text
                       not in ("", "Recherche…"))
    return driver.find_elements(By.CSS_SELECTOR, "#results .result")


def open_filters(driver) -> None:
    details = driver.find_element(By.CSS_SELECTOR, "#search-form details")
    if not details.get_attribute("open"):
        details.find_element(By.TAG_NAME, "summary").click()


def cited_unit(driver, unit: str):
    """The highlighted unit of the document view, once it is the one asked for."""
    return wait(driver).until(ready.visibility_of_element_located(
        (By.CSS_SELECTOR, f"#doc-units .unit.cited[data-unit='{unit}']")))


def in_view(driver, element) -> bool:
    return driver.execute_script(
        "const r = arguments[0].getBoundingClientRect();"
        "return r.top >= 0 && r.bottom <= window.innerHeight && r.height > 0;", element)


def assert_no_alert(driver) -> None:
    with pytest.raises(NoAlertPresentException):
        driver.switch_to.alert.text  # noqa: B018 - reading it raises when no alert is open


def test_search_with_a_filter_opens_the_cited_message(page, server):
    go(page, server, "recherche")
    open_filters(page)
    Select(page.find_element(By.NAME, "kind")).select_by_value("transcript")
    hits = search(page, "nucléaire")
    assert hits, "no result for nucléaire among the transcripts"
    assert all("transcription" in hit.find_element(By.CSS_SELECTOR, ".meta").text for hit in hits)
    assert "kind=transcript" in page.current_url
    marks = page.find_elements(By.CSS_SELECTOR, "#results .snippet mark")
    assert marks and all(m.text.lower().startswith("nucléaire") for m in marks)
    screenshot(page, "search_filter")

    link = hits[0].find_element(By.CSS_SELECTOR, "a.result-link")
    doc_id, unit = link.get_attribute("href").split("#/doc/")[1].split("/")
    link.click()
    cited = cited_unit(page, unit)
    assert len(page.find_elements(By.CSS_SELECTOR, "#doc-units .cited")) == 1
    assert f"/doc/{doc_id}/{unit}" in page.current_url
    assert in_view(page, cited)
    assert page.find_elements(By.CSS_SELECTOR, "#doc-units .chunk-bound"), "no chunk boundary shown"
    offset = cited.find_element(By.CSS_SELECTOR, ".offset").text  # a transcript unit shows its mm:ss
    assert len(offset) == 5 and offset[2] == ":"
    screenshot(page, "search_filter_document")


def test_search_by_participant(page, server):
    go(page, server, "recherche")
    open_filters(page)
    who = Select(page.find_element(By.ID, "who"))
    wait(page).until(lambda d: len(who.options) > 1)
    assert "Karim Benali" in [o.text for o in who.options]
    who.select_by_visible_text("Karim Benali")
    hits = search(page, "TWh")
    assert hits
    for hit in hits:
        assert "Karim Benali" in hit.find_element(By.CSS_SELECTOR, ".meta").text


def test_ask_and_follow_a_citation(page, server):
    go(page, server, "question")
    box = page.find_element(By.ID, "ask-q")
    box.send_keys(QUESTION, Keys.ENTER)
    answer = wait(page).until(ready.visibility_of_element_located((By.CSS_SELECTOR, "#answer .answer-text")))
    assert "3 ans" in answer.text
    cites = answer.find_elements(By.CSS_SELECTOR, "a.cite")
    assert [c.text for c in cites][:2] == ["[1]", "[2]"]
    sources = page.find_elements(By.CSS_SELECTOR, "#answer .sources a")
    assert len(sources) >= len({c.text for c in cites})
    screenshot(page, "ask")

    href = cites[0].get_attribute("href")
    doc_id, unit = href.split("#/doc/")[1].split("/")
    cites[0].click()
    cited = cited_unit(page, unit)
    assert len(page.find_elements(By.CSS_SELECTOR, "#doc-units .cited")) == 1
    assert "3 ans" in cited.text  # the cited sentence is the one shown highlighted
    assert in_view(page, cited)
    screenshot(page, "ask_citation")


def test_a_question_nothing_answers(page, server):
    go(page, server, "question?q=" + "recette de la tarte aux pommes")
    said = wait(page).until(ready.visibility_of_element_located((By.CSS_SELECTOR, "#answer .not-answered")))
    assert said.text == "Rien dans la base ne répond."
    assert not page.find_elements(By.CSS_SELECTOR, "#answer a.cite")


def test_upload_then_search_what_was_uploaded(page, server, tmp_path):
    chat = tmp_path / "essais_ornithoptere.txt"
    chat.write_text(UPLOADED_CHAT, encoding="utf-8")
    copy = tmp_path / "copie_du_post.txt"
    copy.write_bytes((EXAMPLES / "post_linkedin.txt").read_bytes())
    empty = tmp_path / "vide.txt"
    empty.write_bytes(b"")
    go(page, server, "ajout")
    page.find_element(By.ID, "files").send_keys("\n".join(str(p) for p in (chat, copy, empty)))
    page.find_element(By.CSS_SELECTOR, "#upload-form button[type=submit]").click()
    wait(page, 60).until(lambda d: d.find_element(By.ID, "job-status").text.startswith("Terminé"))
    rows = wait(page).until(lambda d: d.find_elements(By.CSS_SELECTOR, "#job-report tbody tr"))
    report = {r.find_elements(By.TAG_NAME, "td")[0].text: [c.text for c in r.find_elements(By.TAG_NAME, "td")]
              for r in rows}
    assert set(report) == {"essais_ornithoptere.txt", "copie_du_post.txt", "vide.txt"}
    assert report["essais_ornithoptere.txt"][1] == "ajouté"
    assert report["copie_du_post.txt"][1] in ("doublon", "inchangé")  # the same text as examples/post_linkedin.txt
    assert report["vide.txt"][1] != "ajouté" and report["vide.txt"][2], "an empty file says why it was not added"
    progress = page.find_element(By.ID, "job-progress")
    assert progress.get_attribute("value") == progress.get_attribute("max") == "3"
    screenshot(page, "upload_report")

    go(page, server, "recherche")
    hits = search(page, "hélices de rechange")
    assert hits and "essais_ornithoptere" in hits[0].text
    screenshot(page, "uploaded_search")
    link = hits[0].find_element(By.CSS_SELECTOR, "a.result-link")
    link.click()
    cited = cited_unit(page, link.get_attribute("href").rsplit("/", 1)[1])
    assert "hélices de rechange" in cited.text and "Bruno Salaün" in cited.text
    timeline = wait(page).until(ready.visibility_of_element_located((By.CSS_SELECTOR, "#timeline svg")))
    bars = timeline.find_elements(By.CSS_SELECTOR, "rect.series")
    assert len(bars) == 6  # both wrote on each of the 3 days: one bar per author and day
    legend = page.find_element(By.ID, "timeline-legend").text
    assert "Inès Garnier (4)" in legend and "Bruno Salaün (4)" in legend
    screenshot(page, "uploaded_conversation")
    page.set_window_size(1100, 1200)  # the whole conversation with its timeline, for the README
    page.execute_script("window.scrollTo(0, 0)")
    screenshot(page, "uploaded_conversation_whole")
    page.set_window_size(1280, 900)


def test_sort_figures_by_value(page, server):
    go(page, server, "chiffres?q=data+center&unit=W")
    table = wait(page).until(ready.visibility_of_element_located((By.ID, "figures")))

    def values() -> list[float]:
        return [float(td.get_attribute("data-value")) for td in table.find_elements(By.CSS_SELECTOR, "td.value")]

    assert len(values()) >= 3
    header = table.find_element(By.CSS_SELECTOR, "th[data-key=value] button")
    header.click()
    assert values() == sorted(values()) and values() != []
    assert table.find_element(By.CSS_SELECTOR, "th[data-key=value]").get_attribute("aria-sort") == "ascending"
    header.send_keys(Keys.ENTER)  # a real button: the keyboard sorts too
    assert values() == sorted(values(), reverse=True)
    assert values()[0] > values()[-1]
    bars = page.find_elements(By.CSS_SELECTOR, "#figures-svg rect")
    assert len(bars) == min(30, len(values()))
    screenshot(page, "figures_sorted")


def test_hostile_chat_is_shown_as_text(page, server):
    go(page, server, "recherche")
    hits = search(page, "zeppelin")
    assert_no_alert(page)
    results = page.find_element(By.ID, "results")
    assert "<script>alert(1)</script>" in results.text
    assert "<img src=x onerror=alert(2)>" in results.text
    assert '"><svg onload=alert(4)>' in results.text
    for tag in ("script", "img", "svg", "b", "iframe"):
        assert not results.find_elements(By.TAG_NAME, tag), f"a <{tag}> element came from the data"
    assert all(a.get_attribute("href").split("#", 1)[1].startswith("/doc/")
               for a in results.find_elements(By.TAG_NAME, "a"))
    screenshot(page, "hostile_results")

    link = hits[0].find_element(By.CSS_SELECTOR, "a.result-link")
    link.click()
    cited_unit(page, link.get_attribute("href").rsplit("/", 1)[1])
    wait(page).until(ready.visibility_of_element_located((By.CSS_SELECTOR, "#timeline svg")))
    assert_no_alert(page)
    units = page.find_element(By.ID, "doc-units")
    texts = [u.text for u in units.find_elements(By.CSS_SELECTOR, ".unit .text")]
    assert "<script>alert(1)</script> zeppelin" in texts
    assert "le lien du zeppelin : javascript:alert(3)" in texts
    assert "[zeppelin](javascript:alert(3)) **gras** <b>balise</b>" in texts
    authors = {a.text for a in units.find_elements(By.CSS_SELECTOR, ".author")}
    assert authors == {"Margot Lefèvre", '"><svg onload=alert(4)>'}
    for tag in ("script", "img", "svg", "b", "a", "mark"):
        assert not units.find_elements(By.TAG_NAME, tag), f"a <{tag}> element came from the data"
    legend = page.find_element(By.ID, "timeline-legend")
    assert '"><svg onload=alert(4)> (2)' in legend.text and not legend.find_elements(By.TAG_NAME, "svg")
    chart_svgs = page.find_elements(By.CSS_SELECTOR, "#timeline-chart svg")
    assert len(chart_svgs) == 1 and not page.find_elements(By.CSS_SELECTOR, "svg svg, svg[onload]")
    # nothing ran: a script from the data would have opened an alert or changed the title
    assert page.title == "veille" and page.execute_script("return document.scripts.length") == 1
    screenshot(page, "hostile_document")


def test_phone_width_and_keyboard_only(page, server):
    page.set_window_size(390, 844)
    try:
        go(page, server, "recherche")
        wait(page).until(lambda d: d.find_element(By.ID, "base").text)
        body = page.find_element(By.TAG_NAME, "body")
        body.click()
        for _ in range(12):  # tab from the top of the page to the search box
            if page.switch_to.active_element.get_attribute("id") == "q":
                break
            page.switch_to.active_element.send_keys(Keys.TAB)
        assert page.switch_to.active_element.get_attribute("id") == "q", "the search box is not reached by Tab"
        page.switch_to.active_element.send_keys("raccordement réseau", Keys.ENTER)
        wait(page).until(lambda d: d.find_elements(By.CSS_SELECTOR, "#results .result"))
        width = page.execute_script("return [document.documentElement.scrollWidth, window.innerWidth]")
        assert width[0] <= width[1], f"horizontal scroll at 390 px: {width}"
        screenshot(page, "phone_search")
        go(page, server, "chiffres")
        wait(page).until(ready.visibility_of_element_located((By.ID, "figures")))
        width = page.execute_script("return [document.documentElement.scrollWidth, window.innerWidth]")
        assert width[0] <= width[1], f"horizontal scroll on the figures at 390 px: {width}"
        screenshot(page, "phone_figures")
    finally:
        page.set_window_size(1280, 900)


def test_the_token_is_asked_once_and_sent(browser, token_server):
    browser.get_log("browser")
    browser.get(f"{token_server}/#/recherche?q=raccordement")
    form = wait(browser).until(ready.visibility_of_element_located((By.ID, "token-form")))
    assert browser.switch_to.active_element.get_attribute("id") == "token"
    assert not browser.find_elements(By.CSS_SELECTOR, "#results .result")
    screenshot(browser, "token_form")
    browser.switch_to.active_element.send_keys(TOKEN, Keys.ENTER)
    wait(browser).until(lambda d: d.find_elements(By.CSS_SELECTOR, "#results .result"))
    assert not form.is_displayed()
    assert browser.execute_script("return sessionStorage.getItem('veille-token')") == TOKEN
    browser.get(f"{token_server}/#/chiffres")  # a new page load: the token is kept, not asked again
    wait(browser).until(ready.visibility_of_element_located((By.ID, "figures")))
    assert not browser.find_element(By.ID, "token-form").is_displayed()
    assert console_problems(browser, allowed="status of 401") == []


def test_no_token_form_without_a_token(page, server):
    go(page, server, "recherche")
    wait(page).until(lambda d: d.find_element(By.ID, "base").text)
    assert not page.find_element(By.ID, "token-form").is_displayed()


def test_generated_answer_says_why_without_a_model(page, server, monkeypatch):
    for name in ("VEILLE_LLM_URL", "OPENAI_BASE_URL"):  # the server runs in this process: no model configured
        monkeypatch.delenv(name, raising=False)
    go(page, server, "question?q=" + QUESTION.replace(" ", "+"))
    button = wait(page).until(ready.visibility_of_element_located((By.ID, "generate")))
    button.send_keys(Keys.ENTER)
    said = wait(page).until(ready.visibility_of_element_located((By.CSS_SELECTOR, "#generated .meta"))).text
    assert "Pas de réponse générée" in said and "VEILLE_LLM_URL" in said


def documents(server: str) -> dict[str, dict]:
    with urllib.request.urlopen(server + "/api/documents", timeout=10) as answer:
        return {Path(d["source"]).name: d for d in json.load(answer)}


def test_a_long_transcript_pages_by_units(page, server):
    transcript = documents(server)["emission_tech.txt"]
    assert transcript["units"] > 100
    go(page, server, f"doc/{transcript['id']}/0")
    wait(page).until(lambda d: d.find_elements(By.CSS_SELECTOR, "#doc-units .unit[data-unit='0']"))
    shown = page.find_elements(By.CSS_SELECTOR, "#doc-units .unit")
    assert page.find_element(By.ID, "doc-prev").get_attribute("disabled")
    page.find_element(By.ID, "doc-next").click()
    wait(page).until(lambda d: d.find_elements(By.CSS_SELECTOR, f"#doc-units .unit[data-unit='{len(shown)}']"))
    units = [int(u.get_attribute("data-unit")) for u in page.find_elements(By.CSS_SELECTOR, "#doc-units .unit")]
    assert units == list(range(len(shown), transcript["units"]))
    assert page.find_element(By.ID, "doc-range").text == f"unités {len(shown)}–{transcript['units'] - 1} " \
                                                          f"sur {transcript['units']}"
    assert page.find_element(By.ID, "doc-next").get_attribute("disabled")
    assert not page.find_element(By.ID, "doc-prev").get_attribute("disabled")


def test_an_unknown_document_is_said(browser, server):
    browser.get(f"{server}/#/doc/inconnu/0")
    message = wait(browser).until(ready.visibility_of_element_located((By.ID, "message")))
    assert "inconnu" in message.text and message.text.startswith("Le serveur répond")
    assert console_problems(browser, allowed="status of 404") == []
