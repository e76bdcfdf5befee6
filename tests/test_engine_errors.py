"""Every invalid argument raises ValueError with one sentence that starts with the argument's
name (``"<argument>: ..."``), so a student knows what to change; a rejected live setting
leaves the old value in place."""
from __future__ import annotations

import re

import numpy as np
import pytest

from engine import (
    MLP,
    SGD,
    Adam,
    Trainer,
    boundary_grid,
    gradient_check,
    load_dataset,
    parse_hidden_spec,
)

X4 = np.array([[0.0, 1.0], [1.0, 0.0], [0.5, 0.5], [1.0, 1.0]])
Y4 = np.array([0, 1, 0, 1])
NET = MLP([2, 3, 2], seed=0)


def check_message(exc_info, argument: str, given=None):
    """The message names the argument first, is a sentence, and (if given) shows the value."""
    msg = str(exc_info.value)
    assert re.match(re.escape(argument) + r"\s*(\(.*?\))?\s*:", msg), msg
    assert msg.rstrip().endswith((".", "?")) and len(msg) > len(argument) + 15, msg
    if given is not None:
        assert given in msg, msg


# ----------------------------------------------------------------------------- MLP(...)
BAD_NETS = [
    # sizes < 1, too few layers, not a list, not whole numbers
    (dict(sizes=[2, 0, 2]), "sizes[1]", "0"), (dict(sizes=[0, 2]), "sizes[0]", "0"),
    (dict(sizes=[2, 3, -1]), "sizes[2]", "-1"), (dict(sizes=[2, 2.5, 2]), "sizes[1]", "2.5"),
    (dict(sizes=[2, True, 2]), "sizes[1]", "True"), (dict(sizes=[2]), "sizes", "[2]"),
    (dict(sizes=[]), "sizes", "[]"), (dict(sizes="2,2"), "sizes", "'2,2'"), (dict(sizes=5), "sizes", "5"),
    (dict(sizes=[2, 1]), "sizes", "cross_entropy"),  # softmax over one unit
    # activations: unknown names (also without hidden layers), wrong per-layer list length
    (dict(sizes=[2, 3, 2], activations="swish"), "activations", "'swish'"),
    (dict(sizes=[2, 2], activations="swish"), "activations", "'swish'"),
    (dict(sizes=[2, 3, 3, 2], activations=["tanh", "swish"]), "activations[1]", "'swish'"),
    (dict(sizes=[2, 3, 2], activations=[None]), "activations[0]", "None"),
    (dict(sizes=[2, 3, 3, 2], activations=["tanh"]), "activations", "2 hidden layers"),
    (dict(sizes=[2, 3, 2], activations=["tanh", "relu"]), "activations", "1 hidden layer"),
    (dict(sizes=[2, 2], activations=["tanh"]), "activations", "0 hidden layers"),
    # loss and output activation
    (dict(sizes=[2, 2], loss="hinge"), "loss", "'hinge'"), (dict(sizes=[2, 2], loss=None), "loss", "None"),
    (dict(sizes=[2, 2], loss="mse", output_activation="relu"), "output_activation", "'relu'"),
    (dict(sizes=[2, 2], loss="mse", output_activation="softmax"), "output_activation", "'softmax'"),
    (dict(sizes=[2, 2], loss="cross_entropy", output_activation="linear"), "output_activation", "'linear'"),
    (dict(sizes=[2, 2], loss="bce", output_activation="tanh"), "output_activation", "'tanh'"),
    # init, variance, seed, dtype
    (dict(sizes=[2, 2], init="lecun"), "init", "'lecun'"), (dict(sizes=[2, 2], init_var=-1.0), "init_var", "-1"),
    (dict(sizes=[2, 2], init_var=0.0), "init_var", "0"), (dict(sizes=[2, 2], init_var=np.nan), "init_var", "nan"),
    (dict(sizes=[2, 2], init_var=np.inf), "init_var", "inf"), (dict(sizes=[2, 2], init_var="big"), "init_var", "'big'"),
    (dict(sizes=[2, 2], init="xavier", init_var=-1.0), "init_var", "-1"),
    (dict(sizes=[2, 2], seed=-1), "seed", "-1"), (dict(sizes=[2, 2], seed=1.5), "seed", "1.5"),
    (dict(sizes=[2, 2], dtype=np.int32), "dtype", "int32"), (dict(sizes=[2, 2], dtype=np.float16), "dtype", "float16"),
]


@pytest.mark.parametrize("kwargs,argument,given", BAD_NETS, ids=[f"{a}-{i}" for i, (_, a, _) in enumerate(BAD_NETS)])
def test_invalid_network_arguments(kwargs, argument, given):
    with pytest.raises(ValueError) as exc:
        MLP(**kwargs)
    check_message(exc, argument, given)


def test_valid_edge_cases_are_accepted():
    MLP([1, 1], loss="bce")  # one input, one output unit
    MLP([2, 1], loss="mse", output_activation="tanh")
    MLP([2, 2], activations=[])  # no hidden layer, empty per-layer list
    MLP([np.int64(2), 3, 2], init_var=np.float32(0.5), seed=np.int32(1))
    MLP([2, 2], loss="cross_entropy", output_activation="softmax")


# ----------------------------------------------------------------------------- optimizers
BAD_OPTIMIZERS = [
    (lambda: SGD(lr=-0.1), "lr", "-0.1"), (lambda: SGD(lr=np.nan), "lr", "nan"), (lambda: SGD(lr=np.inf), "lr", "inf"),
    (lambda: SGD(lr="x"), "lr", "'x'"), (lambda: SGD(lr=None), "lr", "None"),
    (lambda: SGD(momentum=1.0), "momentum", "1"), (lambda: SGD(momentum=1.5), "momentum", "1.5"),
    (lambda: SGD(momentum=-0.1), "momentum", "-0.1"), (lambda: SGD(weight_decay=-1), "weight_decay", "-1"),
    (lambda: Adam(lr=-1e-3), "lr", "-0.001"), (lambda: Adam(betas=(0.9, 1.0)), "betas[1]", "1"),
    (lambda: Adam(betas=(-0.1, 0.9)), "betas[0]", "-0.1"), (lambda: Adam(betas=0.9), "betas", "0.9"),
    (lambda: Adam(betas=(0.9, 0.99, 0.9)), "betas", None), (lambda: Adam(eps=-1.0), "eps", "-1"),
    (lambda: Adam(weight_decay=np.nan), "weight_decay", "nan"),
]


@pytest.mark.parametrize("make,argument,given", BAD_OPTIMIZERS,
                         ids=[f"{a}-{i}" for i, (_, a, _) in enumerate(BAD_OPTIMIZERS)])
def test_invalid_optimizer_arguments(make, argument, given):
    with pytest.raises(ValueError) as exc:
        make()
    check_message(exc, argument, given)


@pytest.mark.parametrize("attr,value", [("lr", -1.0), ("lr", np.nan), ("momentum", 1.0), ("momentum", -0.5),
                                        ("weight_decay", -0.1)])
def test_live_sgd_setters_validate_and_keep_the_old_value(attr, value):
    opt = SGD(lr=0.1, momentum=0.5, weight_decay=0.01)
    old = getattr(opt, attr)
    with pytest.raises(ValueError) as exc:
        setattr(opt, attr, value)
    check_message(exc, attr)
    assert getattr(opt, attr) == old


def test_live_adam_setters_validate_and_keep_the_old_value():
    opt = Adam(lr=0.01)
    with pytest.raises(ValueError) as exc:
        opt.betas = (0.9, 1.5)
    check_message(exc, "betas[1]", "1.5")
    assert opt.betas == (0.9, 0.999)
    with pytest.raises(ValueError):
        opt.lr = -1
    assert opt.lr == 0.01


def test_nesterov_needs_momentum():
    net = MLP([2, 3, 2])
    _, grads = net.gradients(X4, Y4)
    flat = [g for pair in grads for g in pair]
    before = [p.copy() for p in net.params()]
    with pytest.raises(ValueError) as exc:
        SGD(lr=0.1, nesterov=True).step(net.params(), flat)
    check_message(exc, "nesterov")
    assert all(np.array_equal(a, b) for a, b in zip(before, net.params()))


# ----------------------------------------------------------------------------- data given to the net
BAD_DATA = [
    (np.zeros((4, 3)), Y4, "X", "(4, 3)"), (np.zeros(4), Y4, "X", "(4,)"), (np.zeros((0, 2)), Y4[:0], "X", "(0, 2)"),
    (np.array([["a", "b"]] * 4), Y4, "X", None), (X4, Y4[:3], "y", "(3,)"), (X4, Y4.reshape(4, 1), "y", "(4, 1)"),
    (X4, np.array([0, 1, 2, 1]), "y", "0 to 2"), (X4, np.array([0, -1, 0, 1]), "y", "-1 to 1"),
    (np.array([[0.0, np.nan]] * 4), Y4, "X", "NaN"), (np.array([[0.0, np.inf]] * 4), Y4, "X", "infinite"),
    (np.array([[0.0, -np.inf]] * 4), Y4, "X", "infinite"), (X4, np.array([0.5, 1, 0, 1]), "y", "non-integers"),
    (X4, np.array([np.nan, 1, 0, 1]), "y", "non-integers"), (X4, np.array(["a", "b", "a", "b"]), "y", "dtype"),
]
DATA_IDS = [f"{a}-{i}" for i, (_, _, a, _) in enumerate(BAD_DATA)]


@pytest.mark.parametrize("X,y,argument,given", BAD_DATA, ids=DATA_IDS)
def test_invalid_data_for_the_network(X, y, argument, given):
    for call in (lambda: NET.gradients(X, y), lambda: NET.loss(X, y)):
        with pytest.raises(ValueError) as exc:
            call()
        check_message(exc, argument, given)
    if argument == "X":
        for call in (NET.forward, NET.predict, NET.activations, NET.preactivations):
            with pytest.raises(ValueError) as exc:
                call(X)
            check_message(exc, "X", given)


@pytest.mark.parametrize("X,y,argument,given", BAD_DATA, ids=DATA_IDS)
def test_invalid_data_for_the_trainer(X, y, argument, given):
    with pytest.raises(ValueError) as exc:
        Trainer(NET, SGD(0.1), X, y)
    check_message(exc, f"{argument}_train", given)
    with pytest.raises(ValueError) as exc:
        Trainer(NET, SGD(0.1), X4, Y4, X, y)
    check_message(exc, f"{argument}_test", given)


def test_labels_must_fit_the_output_units():
    with pytest.raises(ValueError) as exc:
        MLP([2, 3, 3]).gradients(X4, np.array([0, 1, 3, 2]))
    check_message(exc, "y", "0..2")
    MLP([2, 3, 1], loss="bce").gradients(X4, Y4)  # one output unit: labels 0/1
    with pytest.raises(ValueError) as exc:
        MLP([2, 3, 1], loss="bce").gradients(X4, np.array([0, 1, 2, 1]))
    check_message(exc, "y", "0..1")


# ----------------------------------------------------------------------------- Trainer(...)
BAD_TRAINERS = [
    (dict(batch_size=0), "batch_size", "0"), (dict(batch_size=-3), "batch_size", "-3"),
    (dict(batch_size=2.5), "batch_size", "2.5"), (dict(batch_size="all"), "batch_size", "'all'"),
    (dict(eval_every=0), "eval_every", "0"), (dict(max_history=5), "max_history", "5"),
    (dict(seed=-1), "seed", "-1"), (dict(X_test=X4), "X_test, y_test", None),
    (dict(y_test=Y4), "X_test, y_test", None), (dict(net="mlp"), "net", "str"),
    (dict(optimizer="sgd"), "optimizer", "str"),
]


@pytest.mark.parametrize("kwargs,argument,given", BAD_TRAINERS,
                         ids=[f"{a}-{i}" for i, (_, a, _) in enumerate(BAD_TRAINERS)])
def test_invalid_trainer_arguments(kwargs, argument, given):
    args = dict(net=NET, optimizer=SGD(0.1), X_train=X4, y_train=Y4) | kwargs
    with pytest.raises(ValueError) as exc:
        Trainer(**args)
    check_message(exc, argument, given)


def test_invalid_live_trainer_calls():
    tr = Trainer(MLP([2, 3, 2]), SGD(0.1), X4, Y4, batch_size=2)
    with pytest.raises(ValueError) as exc:
        tr.batch_size = 0
    check_message(exc, "batch_size", "0")
    assert tr.batch_size == 2
    with pytest.raises(ValueError) as exc:
        tr.run(-1)
    check_message(exc, "n_steps", "-1")
    with pytest.raises(ValueError) as exc:
        tr.evaluate()  # no test set
    check_message(exc, "evaluate")
    assert tr.step_count == 0 and tr.history == []


# ----------------------------------------------------------------------------- other entry points
def test_invalid_gradient_check_and_view_arguments():
    for kwargs, argument in ((dict(eps=0.0), "eps"), (dict(eps=-1e-6), "eps"), (dict(max_entries=0), "max_entries")):
        with pytest.raises(ValueError) as exc:
            gradient_check(NET, X4, Y4, **kwargs)
        check_message(exc, argument)
    with pytest.raises(ValueError) as exc:
        gradient_check(NET, np.zeros((4, 5)), Y4)
    check_message(exc, "X", "(4, 5)")
    with pytest.raises(ValueError) as exc:
        boundary_grid(MLP([3, 2]), (-1, 1, -1, 1), 10)
    check_message(exc, "boundary_grid", "3")
    with pytest.raises(ValueError) as exc:
        boundary_grid(NET, (-1, 1, -1, 1), 1)
    check_message(exc, "resolution", "1")


BAD_DATASETS = [
    (dict(name="rings"), "name", "'rings'"), (dict(name="xor", n_samples=3), "n_samples", "3"),
    (dict(name="xor", n_samples=10.5), "n_samples", "10.5"), (dict(name="xor", noise=-1), "noise", "-1"),
    (dict(name="xor", test_fraction=0.95), "test_fraction", "0.95"),
    (dict(name="xor", test_fraction=-0.1), "test_fraction", "-0.1"),
    (dict(name="xor", n_samples=10, test_fraction=0.05), "test_fraction", "fewer than 2"),
    (dict(name="moons", seed=-1), "seed", "-1"), (dict(name="mnist", digits=(4,)), "digits", "[4]"),
    (dict(name="mnist", digits=(0, 10)), "digits", "10"), (dict(name="mnist", digits="ab"), "digits", "'ab'"),
    (dict(name="mnist", n_train=5), "n_train", "5"), (dict(name="mnist", n_test=-1), "n_test", "-1"),
    (dict(name="mnist", digits=(0, 1), n_train=2000, n_test=1000), "n_train + n_test", "3000"),
]


@pytest.mark.parametrize("kwargs,argument,given", BAD_DATASETS,
                         ids=[f"{a}-{i}" for i, (_, a, _) in enumerate(BAD_DATASETS)])
def test_invalid_dataset_arguments(kwargs, argument, given):
    with pytest.raises(ValueError) as exc:
        load_dataset(**kwargs)
    check_message(exc, argument, given)


@pytest.mark.parametrize("text,given", [("8, a", "'a'"), ("1 2 3 4 5 6 7", "7"), ("8, 0", "0"), ("300", "300")])
def test_invalid_hidden_layer_spec(text, given):
    with pytest.raises(ValueError) as exc:
        parse_hidden_spec(text)
    check_message(exc, "hidden layers", given)
    assert parse_hidden_spec("8, 8") == parse_hidden_spec("8-8") == parse_hidden_spec("8 8") == [8, 8]
    assert parse_hidden_spec("") == []
