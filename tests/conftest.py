"""Tests see full exception details (the app's config hides them from visitors)."""
from streamlit import config

config.set_option("client.showErrorDetails", "full")


import pytest  # noqa: E402


@pytest.fixture(scope="session")
def server():
    """One `streamlit run app.py` for all browser tests (tests/_browser.py)."""
    from _browser import start_server

    proc, url = start_server()
    yield url
    proc.terminate()
    proc.wait(10)


@pytest.fixture(scope="session")
def browser():
    from _browser import ARGS, CHROMIUM, sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


@pytest.fixture(scope="module")
def torch_single_thread():
    """Tiny tensors: torch's thread pool only costs time (a lot on a busy machine). For the
    torch-oracle modules: pytestmark = pytest.mark.usefixtures("torch_single_thread"). Without
    torch it does nothing (the oracle tests themselves skip, or fail in CI: tests/_require.py)."""
    try:
        import torch
    except ImportError:
        yield
        return

    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)
