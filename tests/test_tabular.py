"""Uploaded CSV points: the good file becomes a Dataset; every malformed file is a ValueError
with a sentence (never a pandas traceback)."""
import numpy as np
import pytest

from engine.tabular import csv_dataset

GOOD = "x1,x2,label\n" + "\n".join(f"{i % 7},{(i * 3) % 11 - 5},{'cat' if i % 2 else 'dog'}" for i in range(40))


def test_good_csv_becomes_a_scaled_stratified_dataset():
    ds = csv_dataset(GOOD.encode(), test_fraction=0.25, seed=1)
    assert ds.class_names == ["cat", "dog"] and ds.n_classes == 2
    assert ds.X_train.shape == (30, 2) and ds.X_test.shape == (10, 2)
    X = np.vstack([ds.X_train, ds.X_test])
    assert np.allclose(X.min(axis=0), -1) and np.allclose(X.max(axis=0), 1)
    assert np.array_equal(np.bincount(ds.y_test), [5, 5])
    assert ds.bounds[0] < -1 and ds.bounds[1] > 1
    assert "x1 ∈ [0, 6]" in ds.description
    again = csv_dataset(GOOD.encode(), test_fraction=0.25, seed=1)
    assert np.array_equal(again.X_train, ds.X_train)


def test_label_column_by_name_and_other_separators():
    text = "label;a;b\n" + "\n".join(f"{i % 3};{i};{i * i % 13}" for i in range(30))
    ds = csv_dataset(text)
    assert ds.class_names == ["0", "1", "2"] and ds.meta["features"] == ["a", "b"]
    tsv = GOOD.replace(",", "\t")
    assert csv_dataset(tsv).n_classes == 2


BAD = {
    "empty": (b"", "empty"),
    "not utf-8": (b"\xff\xfe\x00\x81garbage", "UTF-8"),
    "too few columns": (b"x,label\n" + b"\n".join(b"1,a" for _ in range(10)), "column"),
    "too many features": (b"a,b,c,label\n" + b"\n".join(b"1,2,3,x" for _ in range(10)), "exactly two"),
    "text in a feature": (GOOD.replace("\n3,", "\nthree,", 1).encode(), "row"),
    "empty cell": (GOOD.replace(",dog", ",", 1).replace("\n0,-5,", "\n0,,", 1).encode(), "empty"),
    "one class": (b"x1,x2,label\n" + b"\n".join(b"%d,2,a" % i for i in range(10)), "one class"),
    "too many classes": (("x1,x2,label\n" + "\n".join(f"{i},{i},{i}" for i in range(40))).encode(), "10"),
    "too few rows": (b"x1,x2,label\n1,2,a\n3,4,b\n", "at least 8"),
    "lonely class": (("x1,x2,label\n" + "\n".join(f"{i},{i},{'a' if i else 'b'}" for i in range(20))).encode(),
                     "at least 2"),
    "ragged quotes": (b'x1,x2,label\n1,2,a\n"oops,3\n4,5,6,7,8\n', "could not read"),
    "inf": (b"x1,x2,label\n" + b"\n".join(b"1,inf,a" for _ in range(10)), "needs numbers"),
}


@pytest.mark.parametrize("case", list(BAD))
def test_bad_csv_gets_a_sentence(case):
    data, words = BAD[case]
    with pytest.raises(ValueError) as exc:
        csv_dataset(data)
    msg = str(exc.value)
    assert msg.startswith("CSV:") and words in msg, msg


def test_size_limits():
    big = ("x1,x2,label\n" + "\n".join(f"{i},{i},{i % 2}" for i in range(6000))).encode()
    with pytest.raises(ValueError, match="at most 5,000"):
        csv_dataset(big)
    with pytest.raises(ValueError, match="MB"):
        csv_dataset(b"x" * 3_000_000)
