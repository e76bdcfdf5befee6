"""A class on one public link: crafted inputs a curious student could send (issue 18).

Every refused input gets one sentence, leaves the session exactly as it was (a snapshot of
st.session_state, the page's Lab included, compared before and after), costs the server
little memory (tracemalloc: Python and NumPy allocations), and the next Step still works.
Through the app (AppTest), the way a visitor sends them: a saved run in "Take it home", a
CSV in the sidebar, a share link.
"""
from __future__ import annotations

import base64
import io
import zipfile

import numpy as np
import pytest

from tests._hostile import changed_keys, craft, pack, saved_run, session_snapshot, traced, unpack
from tests.test_app_pages import lab, open_page
from ui import limits
from ui.echo import plain


def unplain(text: str) -> str:
    """What the visitor reads (the escapes and zero-width spaces of ui.echo.plain removed)."""
    return text.replace("\\", "").replace("\u200b", "")

MAX_MB = 20  # what refusing a crafted input may cost the server, at most (a legit run file: < 1 MB)


def take_home(page: str = "xor", params: dict | None = None, steps: int = 2):
    """A page with a run in progress (``steps`` steps) and its "Take it home" tab open."""
    at = open_page(page, params)
    at.session_state[f"{page}.inspect_tab"] = "Take it home"
    at.run()
    for _ in range(steps):
        at.button(key=f"{page}._step").click().run()
    assert not at.exception and lab(at, page).step == steps
    return at


def upload_refused(at, page: str, blob: bytes, *words: str, name: str = "crafted.npz") -> str:
    """Upload ``blob`` as a saved run: it must be refused with one sentence naming ``words``,
    change nothing, cost < MAX_MB, and the page must go on (a re-run, then a working Step)."""
    ignore = (f"{page}.run_file", f"{page}._run_error")
    before = session_snapshot(at, ignore)
    step = lab(at, page).step
    with traced() as mem:
        at.file_uploader(key=f"{page}.run_file").set_value((name, blob, "application/octet-stream")).run()
    assert not at.exception, [e.value for e in at.exception]
    errors = [e.value for e in at.error]
    assert len(errors) == 1 and errors[0].startswith(plain(name)), errors  # the name as text
    sentence = errors[0]
    assert "Nothing was changed" in sentence and "Continued" not in " ".join(i.value for i in at.info)
    for w in words:
        assert w.lower() in unplain(sentence).lower(), (w, sentence)
    assert changed_keys(before, session_snapshot(at, ignore)) == []
    assert mem["peak_mb"] < MAX_MB, f"refusing the file allocated {mem['peak_mb']:.0f} MB"
    at.run()  # the page is not stuck: a plain re-run, then a Step
    assert not at.exception, [e.value for e in at.exception]
    at.button(key=f"{page}._step").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert lab(at, page).step == step + 1 and lab(at, page).error is None
    return sentence


@pytest.fixture(scope="module")
def xor_run():
    return saved_run("xor", {"hidden": "8,8"}, 5)


@pytest.fixture(scope="module")
def adam_run():
    return saved_run("xor", {"hidden": "8,8", "opt": "adam", "lr": "0.01", "batch": "32"}, 7)


def _sizes(sizes):
    def edit(meta):
        n_hidden = len(sizes) - 2
        meta["net"].update(sizes=sizes, activations=["tanh"] * n_hidden, batch_norm=[False] * n_hidden,
                           dropout=[0.0] * n_hidden)
    return edit


# ----------------------------------------------------------------------------- saved runs: sizes
@pytest.mark.parametrize("sizes,words", [
    ([2, 4000, 2], ("hidden", "64 units")),                      # +240 MB before "damaged" (issue 18)
    ([2, 40000, 2], ("hidden", "64 units")),                     # would be ~24 GB
    ([2, 3000, 3000, 3000, 3000, 3000, 3000, 2000], ("hidden",)),  # +420 MB before refused
    ([2, 8, 8, 8, 8, 8, 8, 8, 2], ("hidden", "6 layers")),       # 7 hidden layers: the slider stops at 6
    ([2, 8, 8, 2000], ("outputs",)),                             # the data has 2 classes
    ([5, 8, 8, 2], ("inputs",)),                                 # the data has 2 features
], ids=["4000", "40000", "6x3000-2000out", "7layers", "2000outputs", "5inputs"])
def test_a_run_asking_for_a_huge_network_is_refused_before_building_it(xor_run, sizes, words):
    at = take_home()
    upload_refused(at, "xor", craft(xor_run, _sizes(sizes)), *words)


def test_an_extra_array_of_60m_zeros_is_refused_unread(xor_run):
    """460 KB compressed, 480 MB once read: it used to cost +460 MB and then be accepted."""
    blob = craft(xor_run, arrays_edit=lambda a: a.update(junk=np.zeros(60_000_000)))
    assert len(blob) < 1_000_000
    at = take_home()
    upload_refused(at, "xor", blob, "MB")


def test_an_oversized_array_the_format_defines_is_refused_from_its_header(xor_run):
    """history/numbers is a format name: a header claiming 10**8 rows is refused before reading."""
    def edit(a):
        a["history/numbers"] = np.zeros((2_000_000, 14))
    at = take_home()
    upload_refused(at, "xor", craft(xor_run, arrays_edit=edit), "MB")


# ----------------------------------------------------------------------------- saved runs: settings
@pytest.mark.parametrize("edit,words", [
    (lambda m: m["data_spec"].update(n_samples=3000), ("n=3000", "50 to 2000")),
    (lambda m: m["data_spec"].update(n_samples=100000), ("n=100000",)),
    (lambda m: m["optimizer"].update(momentum=0.995), ("mom=0.995", "0.99")),
    (lambda m: m["data_spec"].update(noise=7.0), ("noise",)),
    (lambda m: m["net"].update(seed=10**9), ("seed",)),
    (lambda m: m["trainer"].update(max_history=10**9), ("history",)),
    (lambda m: m["trainer"].update(eval_every=1000), ("evaluat",)),
    (lambda m: m["net"].update(dtype="float32"), ("float32",)),
], ids=["3000samples", "100000samples", "momentum0.995", "noise7", "seed1e9", "max_history", "eval_every",
        "dtype"])
def test_a_run_with_settings_the_sidebar_cannot_show_is_refused(xor_run, edit, words):
    """These were adopted, then every re-run raised StreamlitValueAboveMaxError until a reload."""
    at = take_home()
    upload_refused(at, "xor", craft(xor_run, edit), *words)


def _drop(section):
    def edit(meta):
        del meta[section]
    return edit


def _set(section, value):
    def edit(meta):
        meta[section] = value
    return edit


def _trainer(**kw):
    def edit(meta):
        meta["trainer"].update(kw)
    return edit


BAD_SETTINGS = {
    "no-net": _drop("net"), "no-trainer": _drop("trainer"), "no-optimizer": _drop("optimizer"),
    "no-optimizer-state": _drop("optimizer_state"), "optimizer-str": _set("optimizer", "adam"),
    "optimizer-list": _set("optimizer", [1, 2]), "net-int": _set("net", 3), "trainer-none": _set("trainer", None),
    "adam-betas-str": _set("optimizer", {"name": "adam", "lr": 0.01, "betas": "x", "eps": 1e-8, "weight_decay": 0}),
    "sgd-extra-key": _set("optimizer", {"name": "sgd", "lr": 0.03, "momentum": 0.9, "nesterov": False,
                                        "weight_decay": 0, "extra": 1}),
    "slots-99": _set("optimizer_state", {"t": 5, "slots": 99}), "t-negative": _set("optimizer_state", {"t": -1, "slots": 6}),
    "cursor-huge": _trainer(cursor=10**6), "cursor-negative": _trainer(cursor=-3),
    "step-negative": _trainer(step_count=-5), "step-text": _trainer(step_count="many"), "epoch-1e300": _trainer(epoch=1e300),
    "rng-bad-state": _trainer(rng={"bit_generator": "PCG64", "state": "no"}), "rng-int": _trainer(rng=7),
    "mask-rng-mt": _trainer(mask_rng={"bit_generator": "MT19937"}), "last-eval-short": _trainer(last_eval=[1.0]),
    "loss-ref-text": _trainer(loss_ref="x"), "explode-negative": _trainer(explode_factor=-1),
    "batch-0": _trainer(batch_size=0), "batch-1e9": _trainer(batch_size=10**9),
    "spec-incomplete": _set("data_spec", {"name": "xor"}), "spec-mnist-10": _set("data_spec", {"name": "mnist", "n_train": 10}),
    "spec-str": _set("data_spec", "xor"), "meta-format-only": lambda m: {"format": m["format"]},
}


@pytest.mark.parametrize("edit", BAD_SETTINGS.values(), ids=BAD_SETTINGS.keys())
def test_a_run_with_missing_or_malformed_settings_gets_a_sentence(xor_run, edit):
    """KeyError, TypeError and IndexError used to reach the visitor (now or at the first Step)."""
    at = take_home()
    upload_refused(at, "xor", craft(xor_run, edit))


def _put(name, make):
    def edit(a):
        a[name] = make(a)
    return edit


BAD_ARRAYS = {
    "no-m1": lambda a: a.pop("opt/m1"),
    "v0-shape": _put("opt/v0", lambda a: np.zeros((3, 3))),
    "m0-int8": _put("opt/m0", lambda a: np.zeros((2, 8), dtype=np.int8)),
    "perm-out-of-range": _put("trainer/perm", lambda a: a["trainer/perm"] + 10**6),
    "perm-repeats": _put("trainer/perm", lambda a: np.zeros_like(a["trainer/perm"])),
    "perm-short": _put("trainer/perm", lambda a: np.arange(5)),
    "perm-float": _put("trainer/perm", lambda a: a["trainer/perm"].astype(float)),
    "no-perm": lambda a: a.pop("trainer/perm"),
    "nan-weights": _put("param/W1", lambda a: np.full((2, 8), np.nan)),
    "text-weights": _put("param/W1", lambda a: np.zeros((2, 8), dtype="<U3")),
    "complex-weights": _put("param/W1", lambda a: np.zeros((2, 8), dtype=np.complex128)),
    "object-weights": _put("param/W1", lambda a: np.zeros((2, 8), dtype=object)),
    "no-b2": lambda a: a.pop("param/b2"),
    "inf-history": _put("history/numbers", lambda a: np.full(a["history/numbers"].shape, np.inf)),
    "history-columns": _put("history/numbers", lambda a: np.zeros((7, 3))),
    "history-3d": _put("history/numbers", lambda a: np.zeros((7, 17, 2))),
}


@pytest.mark.parametrize("edit", BAD_ARRAYS.values(), ids=BAD_ARRAYS.keys())
def test_a_run_with_bad_arrays_gets_a_sentence(adam_run, edit):
    at = take_home()
    upload_refused(at, "xor", craft(adam_run, arrays_edit=edit))


@pytest.mark.parametrize("blob,words", [
    (b"", ("not a saved run",)),
    (b"PK\x05\x06" + b"\0" * 18, ("not a saved run",)),
    (b"\x93NUMPY" + b"\0" * 100, ("not a saved run",)),
    (pack([1, 2, 3], {}), ("not a saved run",)),
    (pack({"format": "something else"}, {}), ("format",)),
], ids=["empty", "empty-zip", "npy", "meta-list", "foreign"])
def test_files_that_are_not_saved_runs_get_a_sentence(blob, words):
    at = take_home()
    upload_refused(at, "xor", blob, *words)


def test_a_zip_of_many_members_is_refused_before_listing_them(xor_run):
    buf = io.BytesIO(xor_run)
    with zipfile.ZipFile(buf, "a") as zf:
        for i in range(5000):
            zf.writestr(f"x{i}", b"")
    at = take_home()
    upload_refused(at, "xor", buf.getvalue(), "members")


def test_a_meta_of_many_megabytes_is_refused_from_its_header(xor_run):
    meta, arrays = unpack(xor_run)
    meta["padding"] = "x" * 3_000_000  # a 12 MB unicode array once read
    at = take_home()
    upload_refused(at, "xor", pack(meta, arrays), "settings")


def test_the_file_name_is_shown_as_text_not_markdown(xor_run):
    at = take_home()
    name = "[Log in again](https://evil.example/login)![x](https://evil.example/p.png).npz"
    sentence = upload_refused(at, "xor", craft(xor_run, _drop("net")), name=name)
    assert "](" not in sentence and "\\[Log in again\\]" in sentence


def test_a_legit_run_still_continues_exactly_after_all_the_checks(adam_run):
    at = take_home()
    at.file_uploader(key="xor.run_file").upload("run.npz", adam_run).run()
    assert not at.exception and not at.error
    assert "Continued the saved run at step 7" in " ".join(i.value for i in at.info)
    lb = lab(at, "xor")
    assert lb.step == 7 and lb.cfg.optimizer == "adam" and lb.cfg.batch_size == 32
    at.button(key="xor._step").click().run()
    assert lab(at, "xor").step == 8 and not at.exception


# ----------------------------------------------------------------------------- the script's step count
def test_take_it_home_past_step_100000_does_not_raise():
    """XOR at 50 steps a frame passes step 100,000 in about a minute: the script-steps input's
    default was max(100, step), above its maximum, and every re-run raised until Reset."""
    at = take_home()
    lab(at, "xor").trainer.step_count = 100_050
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    box = at.number_input(key="xor.script_steps")
    assert box.value <= box.max
    at.run()
    assert not at.exception


# ----------------------------------------------------------------------------- CSV
def test_a_csv_with_plus_minus_1e308_trains_or_is_refused_but_never_splits_data_from_model():
    """±1e308 overflowed the rescaling (span = inf): the rebuild failed, and the new data stayed
    next to the old network. Now it trains (rescaled without overflow)."""
    at = open_page("more2d")
    at.selectbox(key="more2d.dataset").set_value("csv").run()
    rows = "\n".join(f"{x},{y},{c}" for x, y, c in [(1e308, 0, "a"), (-1e308, 1, "b")] * 6)
    at.file_uploader(key="more2d.csv_file").upload("big.csv", f"x1,x2,label\n{rows}\n".encode()).run()
    assert not at.exception, [e.value for e in at.exception]
    lb = lab(at, "more2d")
    assert lb.dataset.name == "csv" and np.array_equal(lb.trainer.X, lb.dataset.X_train)
    assert np.isfinite(lb.dataset.X_train).all() and np.abs(lb.dataset.X_train).max() <= 1
    at.button(key="more2d._step").click().run()
    assert not at.exception and lab(at, "more2d").step == 1


def test_a_failed_rebuild_keeps_the_data_that_belongs_to_the_model():
    """Lab.update: if building the model on new data fails, the old data stays with the old model."""
    from engine.datasets import Dataset
    from tests._hostile import load
    from ui.config import config_from_params
    from ui.lab import Lab

    cfg = config_from_params("xor", {})[0]
    good = load(cfg)

    def loader(c):
        if c.data_seed == 1:  # "new data" that no model can train on
            return Dataset("xor", np.full((8, 2), np.nan), np.zeros(8, int), good.X_test, good.y_test, 2,
                           ["a", "b"])
        return good

    lb = Lab("xor", cfg, loader)
    lb.advance(2)
    with pytest.raises(ValueError):
        lb.update(lb.with_cfg(data_seed=1))
    assert lb.dataset is good and lb.trainer.X is good.X_train and lb.cfg.data_seed == 0
    assert lb.advance(1) and lb.step == 3


@pytest.mark.parametrize("text,words", [
    ("x1,x2,label\n" + "1,2,a\n" * 3000 + "," * 400_000 + "\n", ("columns",)),
    ("," * 100_000 + "\n1,2,3\n", ("columns",)),  # 19 s and +116 MB in pandas (1.5 M commas: 265 s, 1.75 GB)
    ("x1,x2,label\n" + "1,2,a\n3,4,b\n" * 200_000, ("MB",)),
], ids=["wide-row", "wide-header", "too-big"])
def test_a_csv_that_is_too_wide_or_too_big_is_refused_before_parsing(text, words):
    at = open_page("more2d")
    at.selectbox(key="more2d.dataset").set_value("csv").run()
    before = lab(at, "more2d").dataset
    with traced() as mem:
        at.file_uploader(key="more2d.csv_file").upload("wide.csv", text.encode()).run()
    assert not at.exception, [e.value for e in at.exception]
    errs = " ".join(e.value for e in at.error).replace("\\", "")
    assert all(w in errs for w in words), errs
    assert lab(at, "more2d").dataset is before
    assert mem["peak_mb"] < MAX_MB, mem


# ----------------------------------------------------------------------------- links
def test_an_unknown_link_parameter_is_echoed_as_text_not_as_a_link():
    """A parameter named like a Markdown link used to render as a working link (and an image
    URL loaded) inside the app's own warning."""
    key = "[Log in again](https://evil.example/login)"
    at = open_page("xor", {key: "1", "![p](https://evil.example/p.png)": "2", "hidden": "[x](https://e.example)"})
    warns = [w.value for w in at.warning]
    assert len(warns) == 3, warns
    for w in warns:
        assert "](" not in w and "https://" not in w, w
    assert any("\\[Log in again\\]" in w for w in warns)


def test_a_link_with_a_thousand_parameters_gives_a_few_warnings():
    at = open_page("xor", {f"p{i}": "1" for i in range(1000)})
    warns = [w.value for w in at.warning]
    assert len(warns) == limits.MAX_LINK_WARNINGS and "991 more" in warns[-1], warns[-3:]
    assert lab(at, "xor") is not None


def test_compare_warnings_are_text_not_markdown():
    at = AppTest_compare({"race": "inits", "[a](https://evil.example)": "1", "hidden": "[b](https://e.example)"})
    warns = [w.value for w in at.warning]
    assert len(warns) == 2 and all("](" not in w and "https://" not in w for w in warns), warns


def AppTest_compare(params):
    at = open_page(None, params)
    at.switch_page("app_pages/compare.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


# ----------------------------------------------------------------------------- drawings
def _png(w: int, h: int) -> str:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("L", (w, h)).save(buf, "PNG", optimize=True)
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode()


@pytest.mark.parametrize("side", [4000, 15000])
def test_a_huge_png_through_the_digit_canvas_is_refused_from_its_header(side):
    """4000x4000 (21 KB) cost +290 MB; 15000^2 raised Pillow's DecompressionBombError past the handler."""
    from ui.canvas import decode

    url = _png(side, side)
    assert len(url) < 2_000_000
    with traced() as mem:
        with pytest.raises(ValueError, match="pixels"):
            decode(url)
    assert mem["peak_mb"] < 10, mem


@pytest.mark.parametrize("url", [
    "data:image/png;base64," + base64.b64encode(b"\x89PNG\r\n\x1a\n" + b"\0" * 50).decode(),
    "data:image/png;base64,!!!!",
    "data:image/gif;base64," + base64.b64encode(b"GIF89a" + b"\0" * 20).decode(),
    "data:text/html,<b>x</b>",
    "no comma",
    "data:image/png;base64," + "A" * 3_000_000,
])
def test_a_broken_drawing_becomes_a_sentence(url):
    from ui.canvas import decode

    with pytest.raises(ValueError, match="drawing|Clear"):
        decode(url)


def test_a_legit_drawing_still_decodes():
    from PIL import Image, ImageDraw

    from ui.canvas import SIZE, decode

    img = Image.new("RGBA", (SIZE, SIZE), (0, 0, 0, 0))
    ImageDraw.Draw(img).line([(100, 40), (120, 240)], fill=(255, 255, 255, 255), width=20)
    buf = io.BytesIO()
    img.save(buf, "PNG")
    a = decode("data:image/png;base64," + base64.b64encode(buf.getvalue()).decode())
    assert a.shape == (SIZE, SIZE) and a.max() == 255


# ----------------------------------------------------------------------------- caches
def test_the_data_caches_are_bounded_in_entries_and_time():
    """MNIST's cache held up to 24 entries of ~31 MB with no expiry: any visitor could fill it."""
    from ui import limits, state

    mnist = state._cached_mnist
    toy = state._cached_toy
    csv = state._cached_csv
    for fn, most in ((mnist, limits.MNIST_CACHE_ENTRIES), (toy, limits.TOY_CACHE_ENTRIES),
                     (csv, limits.CSV_CACHE_ENTRIES)):
        info = fn._info
        assert info.max_entries == most and info.ttl is not None and info.ttl <= limits.CACHE_TTL_SECONDS
    assert limits.MNIST_CACHE_ENTRIES * 31 <= 100  # MB, counted in the memory budget (benchmarks/bench_memory.py)
