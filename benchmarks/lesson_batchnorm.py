"""The batch-norm lesson's numbers: a deep sigmoid net on Circles (400 points, noise 0.08, the
page's defaults: SGD + momentum 0.9, lr 0.03, init N(0, 0.3), seed 0) stalls without batch norm
and trains with it. Prints the steps to 95 % test accuracy (cap 3,000), the final test accuracy
and the first layer's mean |delta|, with and without batch norm. ~20 s.

    python benchmarks/lesson_batchnorm.py
"""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from engine import MLP, SGD, Trainer, load_dataset  # noqa: E402

ds = load_dataset("circles", n_samples=400, noise=0.08, test_fraction=0.2, seed=0)
def steps_to(acc, bn, hidden, act="sigmoid", lr=0.03, cap=3000, batch=None, init="normal", var=0.3):
    net = MLP([2, *hidden, 2], act, init=init, init_var=var, seed=0, batch_norm=bn)
    tr = Trainer(net, SGD(lr, momentum=0.9), ds.X_train, ds.y_train, ds.X_test, ds.y_test, batch_size=batch, eval_every=1)
    for s in range(1, cap + 1):
        rec = tr.step()
        if rec.test_acc >= acc:
            return s, rec
    return None, rec
print(f"{'hidden':<20}{'batch':>7}{'batch norm':>12}{'steps to 95 %':>15}{'test acc':>10}{'mean |δ1|':>11}")
for hidden in [(8,) * 4, (8,) * 6]:
    for batch in [None, 32]:
        for bn in (False, True):
            s, rec = steps_to(0.95, bn, hidden, batch=batch)
            print(f"{'-'.join(map(str, hidden)):<20}{batch or 'full':>7}{'on' if bn else 'off':>12}"
                  f"{s if s else 'never (3,000)':>15}{rec.test_acc:>10.1%}{rec.delta_norms[0]:>11.1e}")
