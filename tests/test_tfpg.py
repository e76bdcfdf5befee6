"""TensorFlow Playground links -> our share links (ui/tfpg.py), read by TF PG's own rules.

The expected values are written out by hand from TF PG's source (github.com/tensorflow/playground
src/state.ts deserializeState, src/playground.ts, src/dataset.ts), not computed with the module's
helpers. The real links below were copied from public course material; each names its source.
"""
from __future__ import annotations

import math

import pytest

from ui.config import config_from_params, hide_names
from ui.tfpg import (
    MAX_CHARS,
    fields_from_query,
    js_number,
    noise_for,
    parse_fragment,
    seed_number,
    tf_state,
    translate,
)

# --- real links (source: repository, file, commit where the link was found) ---------------------
# hiraditya/fool, tensorflow/FeatureEngineering.md ("Lab: Neural Networks Playground", Google's
# ML crash course): the circle solved by features, and by a hidden layer
FOOL_FEATURES = ("http://playground.tensorflow.org/#activation=relu&batchSize=15&dataset=circle&regDataset=reg-plane"
                 "&learningRate=0.01&regularizationRate=0&noise=20&networkShape=&seed=0.54001&showTestData=false"
                 "&discretize=false&percTrainData=50&x=false&y=false&xTimesY=false&xSquared=true&ySquared=true"
                 "&cosX=false&sinX=false&cosY=false&sinY=false&collectStats=false&problem=classification"
                 "&initZero=false&hideText=false")
FOOL_LAYER = ("http://playground.tensorflow.org/#activation=relu&batchSize=20&dataset=circle&regDataset=reg-plane"
              "&learningRate=0.01&regularizationRate=0&noise=20&networkShape=5,4,2&seed=0.21800&showTestData=false"
              "&discretize=false&percTrainData=50&x=true&y=true&xTimesY=false&xSquared=false&ySquared=false"
              "&cosX=false&sinX=true&cosY=false&sinY=true&collectStats=false&problem=classification&initZero=false"
              "&hideText=false")
# bpesquet/mlhandbook, README.md at 605e41d ("Machine Learning Handbook", ENSC course): linear
# regression on the plane, with half the controls hidden; logistic regression on the blobs
PESQUET_REGRESSION = ("https://playground.tensorflow.org/#activation=tanh&batchSize=10&dataset=circle"
                      "&regDataset=reg-plane&learningRate=0.03&regularizationRate=0&noise=25&networkShape="
                      "&seed=0.27079&showTestData=false&discretize=false&percTrainData=50&x=true&y=true"
                      "&xTimesY=false&xSquared=false&ySquared=false&cosX=false&sinX=false&cosY=false&sinY=false"
                      "&collectStats=false&problem=regression&initZero=false&hideText=false&showTestData_hide=false"
                      "&activation_hide=true&noise_hide=false&discretize_hide=true&dataset_hide=true"
                      "&batchSize_hide=true&percTrainData_hide=true&numHiddenLayers_hide=true&problem_hide=true")
PESQUET_GAUSS = ("https://playground.tensorflow.org/#activation=sigmoid&batchSize=10&dataset=gauss"
                 "&regDataset=reg-plane&learningRate=0.03&regularizationRate=0&noise=0&networkShape=&seed=0.61489"
                 "&showTestData=false&discretize=false&percTrainData=50&x=true&y=true&xTimesY=false&xSquared=false"
                 "&ySquared=false&cosX=false&sinX=false&cosY=false&sinY=false&collectStats=false"
                 "&problem=classification&initZero=false&hideText=false&numHiddenLayers_hide=true"
                 "&percTrainData_hide=true&discretize_hide=true&problem_hide=true&activation_hide=true")
# tensorchiefs/dl_course, docs/index.md at 2162aaf (CAS machine intelligence, ZHAW): the XOR with
# noise 5 (the href ends in a line break, as in the file), and the blobs without Play and Step
CHIEFS_XOR = ("http://playground.tensorflow.org/#activation=sigmoid&batchSize=10&dataset=xor&regDataset=reg-plane"
              "&learningRate=0.03&regularizationRate=0&noise=5&networkShape=&seed=0.07296&showTestData=false"
              "&discretize=false&percTrainData=50&x=true&y=true&xTimesY=false&xSquared=false&ySquared=false"
              "&cosX=false&sinX=false&cosY=false&sinY=false&collectStats=false&problem=classification"
              "&initZero=false&hideText=false&problem_hide=true&batchSize_hide=true&dataset_hide=true"
              "&percTrainData_hide=true&regularizationRate_hide=true&learningRate_hide=true&discretize_hide=true"
              "&activation_hide=true&regularization_hide=true\n")
CHIEFS_GAUSS = ("http://playground.tensorflow.org/#activation=sigmoid&batchSize=10&dataset=gauss"
                "&regDataset=reg-plane&learningRate=0.03&regularizationRate=0&noise=50&networkShape=&seed=0.26637"
                "&showTestData=false&discretize=false&percTrainData=50&x=true&y=true&xTimesY=false&xSquared=false"
                "&ySquared=false&cosX=false&sinX=false&cosY=false&sinY=false&collectStats=false"
                "&problem=classification&initZero=false&hideText=false&stepButton_hide=true&activation_hide=true"
                "&problem_hide=true&noise_hide=false&batchSize_hide=true&dataset_hide=true&regularization_hide=true"
                "&playButton_hide=true&learningRate_hide=true&regularizationRate_hide=true&percTrainData_hide=true"
                "&numHiddenLayers_hide=true")
# oblivion0218/ES_AstroStatistic, "Riccardo_Bossi/lez 21/TensorFlow.ipynb" (astro-statistics course):
# the spiral with L2 and noise 50
ASTRO_SPIRAL = ("https://playground.tensorflow.org/#activation=relu&regularization=L2&batchSize=10&dataset=spiral"
                "&regDataset=reg-plane&learningRate=0.1&regularizationRate=0.01&noise=50&networkShape=3,2"
                "&seed=0.65406&showTestData=false&discretize=false&percTrainData=50&x=true&y=true&xTimesY=false"
                "&xSquared=false&ySquared=false&cosX=false&sinX=false&cosY=false&sinY=false&collectStats=false"
                "&problem=classification&initZero=false&hideText=false")
# jflorespampano/actividades-ia, rp-actividades/actividad-11/actividad.md: TF PG's opening state
FLORES_DEFAULT = ("https://playground.tensorflow.org/#activation=tanh&batchSize=10&dataset=circle"
                  "&regDataset=reg-plane&learningRate=0.03&regularizationRate=0&noise=0&networkShape=4,2"
                  "&seed=0.04258&showTestData=false&discretize=false&percTrainData=50&x=true&y=true&xTimesY=false"
                  "&xSquared=false&ySquared=false&cosX=false&sinX=false&cosY=false&sinY=false&collectStats=false"
                  "&problem=classification&initZero=false&hideText=false")
REAL = [FOOL_FEATURES, FOOL_LAYER, PESQUET_REGRESSION, PESQUET_GAUSS, CHIEFS_XOR, CHIEFS_GAUSS, ASTRO_SPIRAL,
        FLORES_DEFAULT]


def tr(link):
    return translate(parse_fragment(link))


# --- the real links, value by value --------------------------------------------------------------
def test_feature_engineering_circle():
    t = tr(FOOL_FEATURES)
    assert t.page == "circles"
    p = t.params
    assert p["hidden"] == ""                       # networkShape= : no hidden layer
    assert p["features"] == "x1sq,x2sq"            # x=false, y=false, xSquared, ySquared
    assert p["act"] == "relu" and p["lr"] == "0.01" and p["batch"] == "15" and p["opt"] == "sgd"
    assert p["n"] == "500" and p["test"] == "0.5"  # NUM_SAMPLES_CLASSIFY, percTrainData=50
    assert p["seed"] == p["dseed"] == "54001"
    assert p["testdata"] == "0" and p["discretize"] == "0"
    # circle noise 20: label point moved by U(-5, 5)·0.2 (std 1/√3 on radius 5) -> ours std 0.2/√3
    assert p["noise"] == "0.12"
    assert "l2" not in p and "l1" not in p and "hide" not in p


def test_adding_a_layer_circle_with_sines():
    p = tr(FOOL_LAYER).params
    assert p["hidden"] == "5,4,2" and p["batch"] == "20" and p["seed"] == "21800"
    assert p["features"] == "x1,x2,sin1,sin2"     # our order: x1 x2 x1x2 x1sq x2sq sin1 sin2
    assert any("sin" in n and "[−6, 6]" in n for n in tr(FOOL_LAYER).notes)


def test_pesquet_linear_regression_with_hidden_controls():
    t = tr(PESQUET_REGRESSION)
    assert t.page == "regression"
    p = t.params
    assert p["problem"] == "regression" and p["data"] == "reg-plane"  # dataset=circle is not used for regression
    assert p["n"] == "1200"                                          # NUM_SAMPLES_REGRESS
    assert p["noise"] == "0.25"                                      # the same generator here: noise / 100
    assert p["hidden"] == "" and p["act"] == "tanh"
    hidden = p["hide"].split(",")
    # activation, discretize, dataset, batchSize, percTrainData, numHiddenLayers are "true";
    # showTestData_hide and noise_hide are "false"; problem has no control here
    assert {"act", "discretize", "data", "batch", "test", "hidden"} <= set(hidden)
    assert "testdata" not in hidden and "noise" not in hidden


def test_pesquet_logistic_regression_on_blobs():
    t = tr(PESQUET_GAUSS)
    assert t.page == "more2d" and t.params["data"] == "gaussians" and t.params["act"] == "sigmoid"
    # gauss noise 0: variance 0.5 at centres ±(2, 2); ours at ±(0.5, 0.5): std √0.5 / 4 = 0.177
    assert t.params["noise"] == "0.18"
    assert set(t.params["hide"].split(",")) == {"hidden", "test", "discretize", "act", "acts"}


def test_chiefs_xor_and_blobs():
    x = tr(CHIEFS_XOR)
    assert x.page == "xor" and x.params["hidden"] == "" and x.params["act"] == "sigmoid"
    # xor noise 5: U(-5, 5)·0.05 on quadrants 5 wide (std 0.25/√3); ours 0.9 wide: 0.9·0.05/√3 = 0.026
    assert x.params["noise"] == "0.03"
    assert {"lr", "batch", "data", "test", "l2", "act", "discretize"} <= set(x.params["hide"].split(","))
    assert "play" not in x.params["hide"].split(",")
    g = tr(CHIEFS_GAUSS)
    hidden = g.params["hide"].split(",")
    assert {"play", "step", "epoch", "lr", "noise"} - {"noise"} <= set(hidden) and "noise" not in hidden
    # gauss noise 50: variance 0.5 + 7·0.5 = 4 -> std 2, /4 -> 0.5 (just inside our slider)
    assert g.params["noise"] == "0.5"


def test_astro_spiral_with_l2():
    t = tr(ASTRO_SPIRAL)
    assert t.page == "more2d" and t.params["data"] == "spiral"
    assert t.params["hidden"] == "3,2" and t.params["l2"] == "0.01" and t.params["lr"] == "0.1"
    # spiral noise 50: points moved by U(-1, 1)·0.5 on arms of radius 5 -> ours 0.5 / (5·√3) = 0.058
    assert t.params["noise"] == "0.06"
    assert any("L2" in n and "biases" in n for n in t.notes)


def test_the_default_link_is_tf_playgrounds_opening_state():
    p = tr(FLORES_DEFAULT).params
    assert (p["hidden"], p["act"], p["lr"], p["batch"], p["noise"], p["test"]) == ("4,2", "tanh", "0.03", "10", "0",
                                                                                   "0.5")
    assert "features" not in p  # x and y only: the page's own inputs


@pytest.mark.parametrize("link", REAL)
def test_every_real_link_passes_our_link_parser(link):
    """Our own parser takes each translated parameter, apart from what this branch's app does not
    have yet (features, problem: other helpers' settings) and a snapped batch size."""
    t = tr(link)
    page = t.page if t.page != "regression" else "circles"  # the parser of a 2-D page, without its data
    params = {k: v for k, v in t.params.items() if k not in ("data", "problem") or t.page == "more2d"}
    cfg, warnings = config_from_params(page, params)
    allowed = ("features", "problem", "Batch size")
    assert all(any(a in w for a in allowed) for w in warnings), warnings
    assert cfg.optimizer == "sgd" and cfg.n_samples in (500, 1200)


# --- TF PG's reading rules ------------------------------------------------------------------------
def test_js_number_is_javascripts_plus():
    assert js_number("0.03") == 0.03 and js_number(" 3 ") == 3 and js_number("1e-2") == 0.01
    assert js_number("0x10") == 16 and js_number(".5") == 0.5 and js_number("5.") == 5
    assert js_number("") == 0 and js_number("-Infinity") == -math.inf
    for bad in ("abc", "1,5", "inf", "nan", "1_000", "0x", "--1", None):
        assert math.isnan(js_number(bad)), bad


def test_booleans_anything_but_false_is_true_and_hides_only_true():
    s = tf_state(parse_fragment("#x=0&y=no&xSquared=False&ySquared=false&sinX=&showTestData=1"
                                "&noise_hide=yes&lr_x=1&batchSize_hide=true"))
    assert s["x"] is True and s["y"] is True and s["xSquared"] is True  # "0", "no", "False": not "false"
    assert s["ySquared"] is False
    assert s["sinX"] is False            # blank: hasKey fails, the default stays
    assert s["showTestData"] is True
    assert s["hide"] == ["batchSize"]    # *_hide: only "true"


def test_network_shape_rules():
    assert tf_state(parse_fragment("#networkShape="))["networkShape"] == []
    assert tf_state(parse_fragment("#dataset=xor"))["networkShape"] == [4, 2]  # absent: the default
    assert tr("#networkShape=2.5,3").params["hidden"] == "3,3"                # builds ceil(2.5) units
    for bad in ("#networkShape=4,,2", "#networkShape=0", "#networkShape=-1", "#networkShape=a", "#networkShape"):
        t = tr(bad)
        assert "hidden" not in t.params and any("networkShape" in n for n in t.notes), bad


def test_last_key_wins_and_value_ends_at_a_second_equals_sign():
    s = tf_state(parse_fragment("#activation=relu&activation=sigmoid&learningRate=0.1=5"))
    assert s["activation"] == "sigmoid" and s["learningRate"] == 0.1


def test_unknown_choices_keep_tf_playgrounds_default_with_a_sentence():
    t = tr("#activation=swish&dataset=moons&regularization=l2&regularizationRate=0.1")
    assert t.params["act"] == "tanh" and t.page == "circles"
    assert "l2" not in t.params  # "l2" is not "L2": TF PG's names are case-sensitive
    assert sum("is not one of TensorFlow Playground's" in n for n in t.notes) == 3


def test_noise_clamps_like_playground_ts():
    assert tf_state(parse_fragment("#noise=80"))["noise"] == 80
    assert tf_state(parse_fragment("#noise=81"))["noise"] == 50
    assert tf_state(parse_fragment("#noise=-3"))["noise"] == 0
    t = tr("#dataset=gauss&noise=80")  # std √(0.5 + 7·0.8) / 4 = 0.617: above our 0.5
    assert t.params["noise"] == "0.5" and any("above this page's 0.5" in n for n in t.notes)


def test_noise_mapping_independent_values():
    # worked by hand from dataset.ts; see each generator's comment in test names above
    assert noise_for("circle", 0.5) == round(0.5 / math.sqrt(3), 2) == 0.29
    assert noise_for("xor", 0.5) == 0.26
    assert noise_for("spiral", 0.25) == 0.03
    assert noise_for("gauss", 0.0) == 0.18 and noise_for("gauss", 0.5) == 0.5
    assert noise_for("reg-gauss", 0.3) == 0.3


def test_train_share_to_test_fraction():
    assert tr("#percTrainData=80").params["test"] == "0.2"
    assert tr("#percTrainData=75").params["test"] == "0.25"
    t = tr("#percTrainData=10")
    assert t.params["test"] == "0.5" and any("10 % to 50 %" in n for n in t.notes)
    assert tr("#percTrainData=100").params["test"] == "0.1"


def test_learning_rate_batch_and_regularisation_edges():
    assert tr("#learningRate=0.00001").params["lr"] == "0.0001"
    assert "lr" not in tr("#learningRate=-1").params and "lr" not in tr("#learningRate=abc").params
    assert tr("#learningRate=0").params["lr"] == "0"
    assert "batch" not in tr("#batchSize=0").params and "batch" not in tr("#batchSize=2.5").params
    assert tr("#regularization=L1&regularizationRate=0.003").params["l1"] == "0.003"
    assert "l2" not in tr("#regularization=L2&regularizationRate=0").params
    assert "l2" not in tr("#regularization=none&regularizationRate=0.3").params


def test_seeds_and_init():
    assert seed_number("0.54001") == 54001 and seed_number("0.00010") == 10
    assert seed_number("hello") == seed_number("hello") and 0 <= seed_number("hello") <= 10**6
    assert tr("#initZero=true").params["init"] == "zeros"
    p = tr("#initZero=false").params
    assert p["init"] == "normal" and p["var"] == "0.1"
    assert "seed" not in tr("#dataset=xor").params


def test_inputs_hidden_there_are_removed_and_cos_ignored():
    t = tr("#x=true&y=true&xTimesY=true&x_hide=true&cosX=true")
    assert t.params["features"] == "x2,x1x2"
    assert any("cosX" in n for n in t.notes)
    t = tr("#x=false&y=false")
    assert "features" not in t.params and any("every input off" in n for n in t.notes)


def test_hide_text_and_every_hide_name_is_ours():
    t = tr("#hideText=true&playButton_hide=true&stepButton_hide=true&resetButton_hide=true"
           "&showTestData_hide=true&learningRate_hide=true&regularization_hide=true&noise_hide=true"
           "&numHiddenLayers_hide=true&dataset_hide=true&percTrainData_hide=true&batchSize_hide=true"
           "&discretize_hide=true&activation_hide=true&regularizationRate_hide=true&problem_hide=true")
    hidden = t.params["hide"].split(",")
    assert set(hidden) <= set(hide_names())
    assert {"text", "play", "step", "epoch", "reset", "testdata", "lr", "l2", "noise", "hidden"} <= set(hidden)


# --- hostile text ---------------------------------------------------------------------------------
@pytest.mark.parametrize("text", ["", "hello", "https://example.com/?a=1", "#=&=&&", "#foo=1&bar"])
def test_not_a_link_is_one_sentence(text):
    with pytest.raises(ValueError, match="not a TensorFlow Playground link"):
        parse_fragment(text)


def test_too_long_is_refused_before_reading():
    with pytest.raises(ValueError, match="characters long"):
        parse_fragment("#networkShape=" + "1," * MAX_CHARS)
    with pytest.raises(ValueError, match="characters long"):
        fields_from_query({"networkShape": ["1," * MAX_CHARS]})


def test_echoed_values_are_short():
    t = tr("#activation=" + "[x](https://evil.example)" * 10 + "&" + "k" * 300 + "=1")
    assert all(len(n) < 400 for n in t.notes)
    assert any("…" in n for n in t.notes)


def test_query_form_takes_the_last_value_and_reads_like_the_fragment():
    q = fields_from_query({"activation": ["relu", "sigmoid"], "networkShape": ["3"], "dataset": "xor"})
    assert translate(q).params == tr("#activation=sigmoid&networkShape=3&dataset=xor").params
