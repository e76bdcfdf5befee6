"""The More 2-D page with the user's own CSV (the real upload path is in test_browser.py)."""
from tests.test_app_pages import lab, open_page
from tests.test_tabular import GOOD


def test_choosing_csv_without_a_file_explains_and_keeps_the_model():
    at = open_page("more2d")
    before = lab(at, "more2d").dataset.name
    at.selectbox(key="more2d.dataset").set_value("csv").run()
    assert not at.exception
    assert any("Upload a CSV file" in e.value for e in at.error)
    assert lab(at, "more2d").dataset.name == before
    assert "csv" not in at.query_params.get("data", [])  # a file can never be in a share link


def test_a_stored_upload_trains():
    at = open_page("more2d")
    at.session_state["_csv_files"] = {"abc123": GOOD.encode()}
    at.session_state["more2d.csv_id"] = "abc123"
    at.selectbox(key="more2d.dataset").set_value("csv").run()
    assert not at.exception, [e.value for e in at.exception]
    lb = lab(at, "more2d")
    assert lb.dataset.class_names == ["cat", "dog"] and lb.step == 0
    at.button(key="more2d._step").click().run()
    assert not at.exception and lab(at, "more2d").step == 1


def test_after_a_bad_file_the_page_says_the_file_could_not_be_used():
    at = open_page("more2d")
    at.session_state["more2d._csv_error"] = 'bad.csv: column "x2" needs numbers, but row 3 has \'oops\'.'
    at.selectbox(key="more2d.dataset").set_value("csv").run()
    assert not at.exception
    errs = " ".join(e.value for e in at.error)
    assert "could not be used" in errs and "x2" in errs and "Upload a CSV file in the sidebar" not in errs


def test_the_rebuild_notice_names_the_new_file_once():
    at = open_page("more2d")
    at.session_state["_csv_files"] = {"abc123": GOOD.encode()}
    at.session_state["more2d.csv_id"] = "abc123"
    at.selectbox(key="more2d.dataset").set_value("csv").run()
    notes = " ".join(i.value for i in at.info)
    assert "because the data (your CSV file) changed" in notes and "dataset" not in notes
