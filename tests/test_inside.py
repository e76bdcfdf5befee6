"""Issue 5's engine parts: shape ledger, bug zoo, hidden space, digit preprocessing, step phases."""
import numpy as np
import pytest

from engine import MLP, SGD, Adam, Diverged, Trainer, gradient_check, load_dataset
from engine.bugs import (
    BUGS,
    NET_BUGS,
    BugShapeError,
    update_check,
    with_bugs,
    with_update_bug,
)
from engine.digits import centre_of_mass, preprocess_drawing
from engine.hidden import hidden_map
from engine.ledger import shape_ledger
from engine.phases import StepWalk


def _data(n=40, d=2, k=2, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d))
    y = rng.integers(0, k, n)
    return X, y


# ----------------------------------------------------------------------------- ledger
@pytest.mark.parametrize("sizes,acts", [([2, 30, 10], "sigmoid"), ([3, 5, 7, 4], ["tanh", "relu"]), ([4, 3], "tanh")])
@pytest.mark.parametrize("per_sample", [False, True])
def test_ledger_shapes_equal_the_arrays(sizes, acts, per_sample):
    X, y = _data(17, sizes[0], sizes[-1])
    net = MLP(sizes, acts, seed=2)
    rows = {r.name: r for r in shape_ledger(net, X, y, per_sample=per_sample)}
    N = 1 if per_sample else 17
    zs = net.preactivations(X[:N])
    acts_ = net.activations(X[:N])
    _, grads = net.gradients(X[:N], y[:N])
    deltas = net.last_deltas
    L = net.n_layers
    row_shape = (lambda a: a.shape[1:]) if per_sample else (lambda a: a.shape)
    for l in range(1, L + 1):
        assert rows[f"z{l}"].shape == row_shape(zs[l - 1])
        assert rows[f"a{l}"].shape == row_shape(acts_[l])
        assert rows[f"delta{l}"].shape == row_shape(deltas[l - 1])
        assert rows[f"dW{l}"].shape == grads[l - 1][0].shape == net.weights[l - 1].shape
        assert rows[f"db{l}"].shape == grads[l - 1][1].shape
        assert rows[f"W{l}"].shape == net.weights[l - 1].shape
        # the live numbers, too
        assert rows[f"delta{l}"].mean_abs == pytest.approx(np.abs(deltas[l - 1]).mean())
    assert rows["L"].shape == ()
    # the equation text carries the live shapes
    if L > 1 and not per_sample:
        d = rows[f"delta{L - 1}"].latex
        assert rf"{N}\times{sizes[-1]}" in d and rf"{sizes[-1]}\times{sizes[-2]}" in d  # delta_L and W_L^T


def test_ledger_leaves_the_network_alone():
    X, y = _data()
    net = MLP([2, 4, 2], "tanh")
    net.gradients(X[:5], y[:5])
    before = [d.copy() for d in net.last_deltas]
    shape_ledger(net, X, y)
    assert all(np.array_equal(a, b) for a, b in zip(before, net.last_deltas))


# ----------------------------------------------------------------------------- bug zoo
def _net_for(bug):
    if bug == "missing_transpose":
        net = MLP([2, 2, 2, 2], "sigmoid", init_var=1.0, seed=3)  # square W: runs, silently wrong
    elif bug == "bn_no_batch_terms":
        net = MLP([2, 5, 4, 2], "sigmoid", init_var=1.0, seed=3, batch_norm=True)
    else:
        net = MLP([2, 5, 4, 2], "sigmoid", init_var=1.0, seed=3)
    if bug == "softmax_no_max":
        net.weights[-1] *= 2000.0  # logits in the thousands: exp overflows without the max trick
    rng = np.random.default_rng(1)
    for b in net.biases:
        b += rng.normal(scale=0.3, size=b.shape)
    return net


@pytest.mark.parametrize("bug", NET_BUGS)
def test_each_bug_fails_the_gradient_check_and_the_clean_engine_passes(bug):
    X, y = _data(24)
    net = _net_for(bug)
    # losses in the thousands (huge logits) need a larger eps: rounding error ~ |L| 1e-16 / eps
    eps = 1e-4 if bug == "softmax_no_max" else 1e-5
    clean = gradient_check(net, X, y, eps=eps)
    assert clean.max_rel_error < 1e-7, clean.frame()
    buggy = with_bugs(net, {bug})
    assert buggy.bugs == {bug} and type(net) is MLP and not getattr(net, "bugs", None)
    assert all(type(a) is type(b) for a, b in zip(net.layers, with_bugs(net, set()).layers))
    report = gradient_check(buggy, X, y, eps=eps)
    assert not report.max_rel_error < 1e-4, (bug, report.frame())


def test_update_bug_is_caught_by_the_update_check_not_the_gradient_check():
    X, y = _data(24)
    net = _net_for("update_times_weights")
    for opt in (SGD(0.1), SGD(0.1, momentum=0.9, nesterov=True), Adam(0.01)):
        assert max(p.max_rel_error for p in update_check(opt, net, X, y)) == 0.0
        buggy = with_update_bug(opt, True)
        assert max(p.max_rel_error for p in update_check(buggy, net, X, y)) > 1e-4
        assert gradient_check(net, X, y, eps=1e-5).max_rel_error < 1e-7
        assert type(with_update_bug(buggy, False)) is type(opt)


def test_missing_transpose_crashes_with_a_shape_message_when_layers_differ():
    X, y = _data()
    buggy = with_bugs(MLP([2, 8, 2], "tanh"), {"missing_transpose"})
    with pytest.raises(BugShapeError, match=r"8×2.*Wᵀ"):
        buggy.gradients(X, y)


def test_bugs_share_weights_and_never_change_the_clean_class():
    X, y = _data()
    net = MLP([2, 6, 2], "sigmoid", seed=1)
    buggy = with_bugs(net, {"no_mean", "bias_mean"})
    assert buggy.weights[0] is net.weights[0]
    opt = SGD(0.1)
    Trainer(buggy, opt, X, y, seed=0).step()  # trains the shared arrays
    assert not hasattr(MLP, "bugs") or MLP.__dict__.get("bugs") is None
    assert net.gradients(X, y)[1][0][0].shape == (2, 6)  # the clean object still works normally
    cured = with_bugs(buggy, set())
    assert type(cured) is MLP and cured.weights[0] is net.weights[0] and not cured.bugs
    assert [type(x) for x in cured.layers] == [type(x) for x in net.layers]
    with pytest.raises(ValueError, match="unknown bug"):
        with_bugs(net, {"nope"})


def test_no_mean_bug_makes_training_diverge_where_clean_training_does_not():
    ds = load_dataset("circles", n_samples=200, seed=0)
    runs = {}
    for bugs in (set(), {"no_mean"}):
        net = with_bugs(MLP([2, 8, 2], "tanh", seed=0), bugs)
        tr = Trainer(net, SGD(0.2, momentum=0.9), ds.X_train, ds.y_train, seed=0)
        try:
            tr.run(300)
            runs[bool(bugs)] = tr.history[-1].loss
        except Diverged:
            runs[bool(bugs)] = np.inf
    assert runs[False] < 0.1
    assert not runs[True] < 1.0  # diverged, or far worse


@pytest.mark.parametrize("page", ["xor", "circles", "more2d", "mnist"])
def test_show_the_symptom_of_softmax_without_max_makes_the_clean_net_green_and_the_bug_red(page):
    """Issue 17: the button's old setting (three ReLU layers, init variance 10) left the clean
    net red at seed 0 (dead units put pre-activations exactly on ReLU's kink) and the bug green
    at seed 1 (logits of only ~135). Each page's defaults plus the button's settings, checked
    as the Bug zoo tab does (the next batch of at most 128, eps 1e-5, 150 entries an array)."""
    from dataclasses import replace

    from engine.bugs import quiet
    from engine.gradcheck import summary
    from ui.config import PAGE_DEFAULTS
    from ui.lab import Lab

    def load(c):
        if c.dataset == "mnist":
            return load_dataset("mnist", n_train=c.n_train, n_test=c.n_test, digits=c.digits, seed=c.data_seed)
        return load_dataset(c.dataset, n_samples=c.n_samples, noise=c.noise, test_fraction=c.test_fraction,
                            seed=c.data_seed)

    lab = Lab(page, PAGE_DEFAULTS[page], load)
    q = quiet("softmax_no_max", lab.net, lab.trainer.effective_batch_size)
    show = {k: v for k, v in q.show.items() if k != "per_layer_on"}  # a sidebar switch, not a setting
    lab = Lab(page, replace(PAGE_DEFAULTS[page], **show, per_layer=()), load)
    X, y = lab.trainer.peek_batch(128)
    clean = gradient_check(lab.net, X, y, eps=1e-5, max_entries=150)
    assert summary(clean.params)[0] == "good", clean.frame()
    assert np.abs(lab.net.logits(X)).max() > 1000  # past exp's overflow at ~709, with room
    lab.set_bugs({"softmax_no_max"})
    buggy = gradient_check(lab.net, X, y, eps=1e-5, max_entries=150)
    assert summary(buggy.params)[0] == "broken", buggy.frame()


def test_every_bug_is_documented():
    for b in BUGS.values():
        assert b.title and b.wrong and b.right and len(b.effect) > 40
        assert b.exposed_by in ("gradient", "update")


# ----------------------------------------------------------------------------- hidden space
def test_hidden_map_equals_the_activations():
    X, _ = _data(30)
    net = MLP([2, 2, 3, 6, 2], "tanh", seed=4)
    acts = net.activations(X)
    v1 = hidden_map(net, X, 1)
    assert v1.method == "units" and np.allclose(v1.points, acts[1])
    v2 = hidden_map(net, X, 2, dims=3)
    assert v2.method == "units" and v2.points.shape == (30, 3) and np.allclose(v2.points, acts[2])
    v3 = hidden_map(net, X, 3, bounds=(-2, 2, -2, 2), resolution=7)
    assert v3.method == "pca" and v3.points.shape == (30, 2) and v3.grid.shape == (49, 2)
    A = acts[3] - acts[3].mean(axis=0)
    assert np.allclose(v3.points, A @ v3.components.T)  # the projection of the real activations
    assert v3.explained[0] >= v3.explained[1] > 0
    # sign alignment: handing in flipped axes flips the result back to match them
    flipped = hidden_map(net, X, 3, previous=-v3.components)
    assert np.allclose(flipped.points, -v3.points)
    with pytest.raises(ValueError, match="layer"):
        hidden_map(net, X, 4)


def test_hidden_map_grid_is_classified_like_predict():
    net = MLP([2, 4, 2], "tanh", seed=0)
    v = hidden_map(net, np.zeros((3, 2)), 1, bounds=(-1, 1, -1, 1), resolution=5)
    from engine.views import grid_points

    assert np.array_equal(v.grid_class, net.predict(grid_points((-1.0, 1.0, -1.0, 1.0), 5)))


# ----------------------------------------------------------------------------- digits
def test_preprocessing_centres_a_shifted_digit():
    ds = load_dataset("mnist", n_train=200, n_test=100, seed=0)
    digit = ds.X_train[0].reshape(28, 28)
    canvas = np.zeros((280, 280))
    big = np.kron(digit, np.ones((6, 6)))  # 168 px, drawn off-centre in the top-left corner
    canvas[5:5 + 168, 10:10 + 168] = big
    x = preprocess_drawing((canvas * 255).astype(np.uint8))
    img = x.reshape(28, 28)
    assert x.dtype == np.float32 and 0 <= img.min() and img.max() <= 1
    cy, cx = centre_of_mass(img)
    assert abs(cy - 13.5) <= 1.0 and abs(cx - 13.5) <= 1.0
    ink = np.argwhere(img > 0.1)
    assert max(np.ptp(ink[:, 0]), np.ptp(ink[:, 1])) + 1 in range(18, 22)  # fitted into ~20 px
    # and it still looks like the digit it was: high correlation with the (centred) original
    c = np.corrcoef(img.ravel(), digit.ravel())[0, 1]
    assert c > 0.6


def test_preprocessing_empty_and_bad_input():
    assert preprocess_drawing(np.zeros((50, 50), np.uint8)) is None
    with pytest.raises(ValueError, match="drawing"):
        preprocess_drawing(np.zeros(10))


# ----------------------------------------------------------------------------- step phases
@pytest.mark.parametrize("batch", [None, 16])
def test_walkthrough_equals_a_real_step(batch):
    ds = load_dataset("xor", n_samples=120, seed=1)

    def trainer():
        return Trainer(MLP([2, 5, 3, 2], "tanh", seed=7), SGD(0.2, momentum=0.9), ds.X_train, ds.y_train,
                       batch_size=batch, seed=3)

    a, b = trainer(), trainer()
    a.run(3)
    b.run(3)
    walk = StepWalk(a)
    kinds = []
    while not walk.done:
        kinds.append(walk.advance().kind)
    assert kinds == ["forward"] * 3 + ["loss"] + ["backward"] * 3 + ["update"]
    rec = b.step()
    assert walk.record.loss == rec.loss == walk.loss
    for (dW, db), (gW, gb) in zip(walk.grads, b.last_grads):
        assert np.array_equal(dW, gW) and np.array_equal(db, gb)
    for Wa, Wb in zip(a.net.weights, b.net.weights):
        assert np.array_equal(Wa, Wb)
    assert a.step_count == 4 and not walk.stale
    a.step()
    assert walk.stale
    with pytest.raises(ValueError, match="finished"):
        walk.advance()


def test_gradient_check_counts_relu_kinks():
    X = np.array([[0.0, 0.0], [1.0, -2.0], [0.5, 0.5]])
    y = np.array([0, 1, 0])
    relu = MLP([2, 4, 2], "relu", seed=0)  # zero biases: the zero input row sits exactly on every kink
    assert gradient_check(relu, X, y).near_kinks >= 4
    assert gradient_check(MLP([2, 4, 2], "tanh", seed=0), X, y).near_kinks == 0
