"""The project's mutation check: every listed bug, put into a copy of the code, must fail the suite.

    python tests/mutate.py              # every mutant, each against the whole suite (stops at the
                                        # first failing test: a killed mutant usually costs seconds)
    python tests/mutate.py --list       # the mutants
    python tests/mutate.py --only bn_momentum,loss_ref_not_saved

Why: a test that cannot fail proves nothing. Each mutant below is a small, realistic bug (the
kind a student or a tired maintainer writes); it is applied as an exact text replacement to a
fresh copy of the tracked files (git ls-files), so the working tree is never touched. The
script exits 1 and names every mutant the suite let pass ("survived"), or whose text no longer
matches the code (then update the mutant with the code it guards).

Not a test module (pytest collects test_*.py only): it runs the suite many times. Run it before
every stop (README, "Mutation check").
"""
from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Mutant:
    name: str   # short id, used by --only
    path: str   # file relative to the repository root
    old: str    # exact text, must occur exactly once in the file
    new: str    # what it becomes
    why: str    # the bug in words
    more: tuple = ()  # further (old, new) edits of the same file, for a bug that spans two lines


# Add mutants here (engine and UI alike). Keep `old` short but unique in its file.
MUTANTS: list[Mutant] = [
    # --- engine: layers, activations, losses
    Mutant("bn_momentum", "engine/layers.py", "BN_MOMENTUM = 0.1", "BN_MOMENTUM = 0.3",
           "BatchNorm's running statistics weight the new batch by 0.3 instead of torch's 0.1"),
    Mutant("bn_eps", "engine/layers.py", "BN_EPS = 1e-5", "BN_EPS = 1e-3",
           "BatchNorm adds 1e-3 to the variance instead of torch's 1e-5"),
    Mutant("bn_running_var_biased", "engine/layers.py", "m * var * (N / (N - 1))", "m * var",
           "BatchNorm's running variance is the biased batch variance (torch keeps the unbiased one)"),
    Mutant("bn_backward_missing_term", "engine/layers.py", "(N * dout - self.dbeta - x_hat * self.dgamma)",
           "(N * dout - self.dbeta)", "BatchNorm's backward drops the term through the batch variance"),
    Mutant("bn_eval_backward_batch_formula", "engine/layers.py", "        if not self.batch_stats:\n",
           "        if False:\n", "BatchNorm's backward after an eval-mode forward uses the batch formula"),
    Mutant("dropout_scale_1_over_p", "engine/layers.py", "return x * mask / (1.0 - self.p)",
           "return x * mask / self.p", "inverted dropout scales kept units by 1/p instead of 1/(1-p)"),
    Mutant("dropout_no_scale", "engine/layers.py", "return x * mask / (1.0 - self.p)", "return x * mask",
           "dropout's forward pass forgets to scale the kept units"),
    Mutant("dropout_in_eval", "engine/layers.py", "if not train or self.p == 0 or mask is None:",
           "if self.p == 0 or mask is None:", "dropout also drops units in eval mode"),
    Mutant("db_mean", "engine/layers.py", "self.db = dout.sum(axis=0)", "self.db = dout.mean(axis=0)",
           "the bias gradient averages over the batch (delta already carries 1/N)"),
    Mutant("tanh_prime", "engine/activations.py", "return 1.0 - a * a", "return 1.0 - a",
           "tanh' written as 1 - a instead of 1 - a^2"),
    Mutant("sigmoid_prime", "engine/activations.py", "return a * (1.0 - a)", "return z * (1.0 - z)",
           "sigmoid' = a(1 - a) evaluated with z"),
    Mutant("leaky_slope", "engine/activations.py", "LEAKY_SLOPE = 0.01", "LEAKY_SLOPE = 0.1",
           "leaky ReLU's slope 0.1 instead of torch's default 0.01"),
    Mutant("ce_delta_missing_1_over_n", "engine/losses.py", "(softmax(z) - one_hot(y, K, z.dtype)) / N",
           "(softmax(z) - one_hot(y, K, z.dtype))", "cross-entropy's delta forgets the 1/N of the mean"),
    Mutant("ce_log_of_one_plus", "engine/losses.py", "log_sum = np.log1p(others.sum(axis=1))",
           "log_sum = np.log(1.0 + others.sum(axis=1))",
           "cross-entropy's log-sum-exp rounds 1 + s (a confident net's loss loses its digits)"),
    Mutant("mse_delta_without_g_prime", "engine/losses.py", "delta = self.act.backward(diff, z, a)",
           "delta = diff", "MSE's delta forgets the output activation's derivative"),
    Mutant("he_variance", "engine/network.py", '"he": 2.0 / fan_in', '"he": 1.0 / fan_in',
           "He init draws with variance 1/fan_in (that is LeCun's) instead of 2/fan_in"),
    # --- engine: optimizers
    Mutant("momentum_first_step_dampened", "engine/optimizers.py", "buf = g.copy() if buf is None",
           "buf = (1 - mu) * g if buf is None", "SGD's momentum buffer starts at (1 - momentum) g instead of g"),
    Mutant("nesterov_formula", "engine/optimizers.py", "d = g + mu * buf if self.nesterov else buf",
           "d = g + buf if self.nesterov else buf", "Nesterov's look-ahead forgets the momentum factor"),
    Mutant("weight_decay_after_momentum", "engine/optimizers.py",
           "            if wd:\n                g = g + wd * p\n", "",
           "SGD adds the weight decay to the update after the momentum buffer instead of to the gradient",
           more=(("            updates.append(lr * d)", "            updates.append(lr * (d + wd * p))"),)),
    Mutant("adam_bias_correction_off_by_one", "engine/optimizers.py", "bc1 = 1 - b1 ** t",
           "bc1 = 1 - b1 ** (t + 1)", "Adam's first-moment bias correction counts one step ahead"),
    Mutant("adam_eps_inside_sqrt", "engine/optimizers.py", "denom = np.sqrt(v) / bc2_sqrt + self.eps",
           "denom = np.sqrt(v / bc2_sqrt ** 2 + self.eps)", "Adam's eps inside the square root"),
    Mutant("adam_no_weight_decay", "engine/optimizers.py", "                g = g + self.weight_decay * p\n",
           "                pass\n", "Adam ignores weight_decay"),
    Mutant("adam_float32_promoted", "engine/optimizers.py", "bc2_sqrt = math.sqrt(1 - b2 ** t)",
           "bc2_sqrt = np.sqrt(1 - b2 ** t)", "Adam's bias correction as a float64 NumPy scalar promotes "
           "a float32 update to float64"),
    # --- engine: trainer, refusals, export
    Mutant("last_partial_batch_skipped", "engine/trainer.py", "return self.X[idx], self.y[idx], end >= n",
           "return self.X[idx], self.y[idx], end + B > n", "the trainer skips an epoch's last partial batch"),
    Mutant("not_reshuffled", "engine/trainer.py", "if self._perm_epoch != self.epoch:",
           "if self._perm is None:", "the trainer shuffles once, not every epoch"),
    Mutant("history_thinning_off_by_one", "engine/trainer.py", "self.history = old[::2] + new",
           "self.history = old[1::2] + new", "thinning the history drops the first record"),
    Mutant("refused_step_advances_masks", "engine/divergence.py",
           "        net.mask_rng.bit_generator.state = masks\n", "",
           "a refused step leaves the dropout mask generator advanced"),
    Mutant("explosion_reference_undone", "engine/divergence.py", 'if exc.reason != "exploded":', "if True:",
           "after an explosion the old loss reference is put back: the same batch is refused forever"),
    Mutant("loss_ref_not_saved", "engine/export.py", '"loss_ref": tr.loss_ref,', '"loss_ref": None,',
           "save_run does not save the explosion check's loss reference"),
    Mutant("mask_rng_not_loaded", "engine/export.py", '    net.mask_rng.bit_generator.state = tc["mask_rng"]\n',
           "", "load_run does not restore the dropout mask generator"),
    Mutant("script_adam_float32_promoted", "engine/script_template.py",
           'math.sqrt(1 - b2 ** state["t"])', 'np.sqrt(1 - b2 ** state["t"])',
           "the exported script's Adam promotes a float32 update to float64 (issue 17's bug)"),
    # --- engine: gradient check
    Mutant("gradcheck_broken_threshold", "engine/gradcheck.py", "GOOD, BROKEN = 1e-7, 1e-4",
           "GOOD, BROKEN = 1e-7, 1e-1", "the gradient check calls an error up to 0.1 only suspicious"),
    Mutant("gradcheck_good_threshold", "engine/gradcheck.py", "GOOD, BROKEN = 1e-7, 1e-4",
           "GOOD, BROKEN = 1e-5, 1e-4", "the gradient check calls an error of 1e-6 good"),
    Mutant("gradcheck_noise_floor_100x", "engine/gradcheck.py", "ROUNDING = 16 * np.finfo",
           "ROUNDING = 1600 * np.finfo", "the rounding-noise floor is 100 times too high: real errors pass as noise"),
    Mutant("gradcheck_no_richardson", "engine/gradcheck.py", "numeric[j] = (4 * numeric[j] - wide) / 3",
           "numeric[j] = numeric[j]", "the second look at 2 eps is taken but its extrapolation never used"),
    Mutant("gradcheck_summary_best_row", "engine/gradcheck.py", "v = max((p.verdict for p in params), key=VERDICTS.index)",
           "v = min((p.verdict for p in params), key=VERDICTS.index)",
           "the box above the gradient check's table takes the best row's verdict, not the worst"),
    Mutant("gradcheck_eval_mode", "engine/gradcheck.py", "lp = work.loss(X, y, train=True, dropout_masks=masks)",
           "lp = work.loss(X, y, train=False, dropout_masks=masks)",
           "the numerical gradient's L(w + eps) is taken in eval mode (running statistics, no dropout)"),
    # --- engine: more realistic slips
    Mutant("relu_prime_at_zero", "engine/activations.py", "return (z > 0).astype(z.dtype)",
           "return (z >= 0).astype(z.dtype)", "ReLU'(0) = 1 (torch: 0): a zero-init ReLU net passes gradients it should not"),
    Mutant("softmax_without_max", "engine/losses.py", "e = np.exp(z - z.max(axis=1, keepdims=True))",
           "e = np.exp(z)", "the softmax of the output delta overflows for large logits"),
    Mutant("setting_not_checked", "engine/checks.py", "setattr(obj, self.attr, self.check(self.label, value, **self.limits))",
           "setattr(obj, self.attr, value)", "hyper-parameters assigned after construction are not validated"),
    Mutant("refused_step_keeps_running_stats", "engine/divergence.py", "        net.set_running_stats(running)\n", "",
           "a refused step leaves BatchNorm's running statistics updated by its forward pass"),
    Mutant("restore_forgets_masks", "engine/snapshots.py",
           '    net.mask_rng.bit_generator.state = snap["mask_rng"]\n', "",
           "undoing steps (the live loop's Pause) leaves the dropout mask generator advanced"),
    # --- engine: issue 19's features, L1, schedules, clipping
    Mutant("feature_x1sq_product", "engine/features.py", "lambda x1, x2: x1 * x1)", "lambda x1, x2: x1 * x2)",
           "the feature x1² is computed as x1·x2"),
    Mutant("l1_on_biases", "engine/regularization.py", 'return name.startswith("W")', "return True",
           "L1 pulls the biases (and batch norm's gamma, beta) too"),
    Mutant("l1_sign_at_zero", "engine/regularization.py", "g + l1 * np.sign(p)",
           "g + l1 * np.where(p >= 0, 1.0, -1.0)", "the L1 subgradient at w = 0 is +l1 (torch's autograd: 0)"),
    Mutant("clip_without_eps", "engine/clipping.py", "max_norm / (norm + CLIP_EPS)", "max_norm / norm",
           "clipping divides by the norm without torch's 1e-6"),
    Mutant("clip_scales_up", "engine/clipping.py", "scale = min(1.0, max_norm / (norm + CLIP_EPS))",
           "scale = max_norm / (norm + CLIP_EPS)", "clipping also scales small gradients up to max_norm"),
    Mutant("steplr_off_by_one", "engine/schedules.py", "base_lr * self.gamma ** (t // self.step_size)",
           "base_lr * self.gamma ** ((t + 1) // self.step_size)", "step decay multiplies one update too early"),
    Mutant("cosine_without_eta_min", "engine/schedules.py",
           "self.eta_min + (base_lr - self.eta_min) * (1 + math.cos", "(base_lr) * (1 + math.cos",
           "the cosine schedule ignores eta_min"),
    Mutant("schedule_counts_from_one", "engine/trainer.py", "self.schedule.lr(self.opt.lr, self.step_count)",
           "self.schedule.lr(self.opt.lr, self.step_count + 1)",
           "the first update already runs at the schedule's second rate (torch: the base rate)"),
    Mutant("l1_after_clipping", "engine/trainer.py",
           "            grads = with_l1(names, params, grads, self.l1)    # dL/dW + l1 sign(W)\n", "",
           "the L1 term is added after clipping (torch: the penalty is in the loss, clipped with it)", more=(
               ("grads = clip_grad_norm(grads, self.clip_norm, total_norm)  # one factor for all, <= 1",
                "grads = with_l1(names, params, clip_grad_norm(grads, self.clip_norm, total_norm), self.l1)"),)),
    Mutant("schedule_not_saved", "engine/export.py", '"schedule": tr.schedule.config(),', '"schedule": None,',
           "save_run forgets the learning-rate schedule"),
    Mutant("script_l1_on_biases", "engine/script_template.py", "IS_WEIGHT = [p.ndim == 2 for p in params]",
           "IS_WEIGHT = [True for p in params]", "the exported script's L1 also pulls the biases"),
    # --- UI mutants ---
    Mutant("curves_version_only", "static/live/curves.js",
           "if (hist === this.drawnHist && hist.version === this.drawn) return;",
           "if (hist.version === this.drawn) return;",
           "the charts skip a full frame's new History (its version restarts at 1): Step never draws the curves"),
    Mutant("full_frame_without_hist", "ui/frames.py", "records = _thinned(tr.history, FULL_HISTORY)",
           "records = []", "a full frame (every click: Step, Reset, a lesson) carries no history for the charts"),
    Mutant("rerun_pending_unknown_true", "ui/st_internals.py",
           "Play would look frozen\n        return None", "Play would look frozen\n        return True",
           "a request state rerun_pending does not know counts as a waiting Pause: every frame's steps undone"),
    Mutant("projector_not_kept", "ui/projector.py", 'key=KEY, persist_state="session",', "key=KEY,",
           "the projector toggle is not kept for the session: a lesson's page opens at normal size"),
    Mutant("projector_sidebar_not_folded", "ui/projector.py",
           "if (b && !d.querySelector", "if (false && b && !d.querySelector",
           "opening a page in projector mode never folds a sidebar the teacher opened"),
    Mutant("leave_button_over_charts", "ui/projector.py", "position: fixed; left: 4rem; top: 0.55rem;",
           "position: fixed; right: 1rem; bottom: 0.8rem;",
           "'Leave projector mode' floats at the bottom right again, over the charts"),
    Mutant("lesson_box_omitted", "ui/page2d.py", "    lessons.box(page, lab)\n", "",
           "the 2-D pages never show the open lesson's watch / ask / you-should-see box"),
    Mutant("lesson_keeps_old_steps", "ui/state.py", "        lab(page).reset()  # a lesson starts at step 0",
           "        lab(page).playing = False  # a lesson starts at step 0",
           "a lesson whose settings are the page's own continues the old run instead of starting at step 0"),
    Mutant("boundary_colour_flipped", "static/live/net.js", "cls = p1 > 0.5 ? 1 : 0;", "cls = p1 > 0.5 ? 0 : 1;",
           "the decision field paints each side in the other class's colour"),
    Mutant("boundary_stray_line", "static/live/boundary.js", "ctx.strokeStyle = '#222222d9';",
           "ctx.moveTo(0, 0); ctx.lineTo(S, S * 0.1); ctx.strokeStyle = '#222222d9';",
           "the line canvas gets ink where the engine has no boundary"),
    Mutant("heatmap_transposed", "static/live/heatmaps.js",
           "for (let i = 0; i < rows * cols; i++) put(image.data, i, w[i]);",
           "for (let i = 0; i < rows * cols; i++) put(image.data, i, w[(i % cols) * rows + Math.floor(i / cols)]);",
           "the weight heatmap reads W column-major: cells show the wrong weights"),
    Mutant("status_step_off_by_one", "static/live/main.js", "const values = [s.step.toLocaleString('en-US'),",
           "const values = [(s.step + 1).toLocaleString('en-US'),", "the status line shows one step more than the run"),
    Mutant("dead_units_not_said", "ui/controls.py", "    if dead:\n", "    if False:\n",
           "after a collapse the page does not say the ReLU units are dead"),
    Mutant("js_feature_sin_of_x2", "static/live/net.js", "sin1: (x1, x2) => Math.sin(x1)",
           "sin1: (x1, x2) => Math.sin(x2)", "the browser's forward pass computes sin x₁ from x₂"),
    Mutant("dead_weights_chart_only_with_l2", "ui/frames.py", '(["small"] if tr.l1 > 0 or tr.opt.weight_decay > 0',
           '(["small"] if tr.opt.weight_decay > 0', "the dead-weights chart does not appear for L1"),
    Mutant("neurons_inputs_x1_x2", "ui/inspect.py", 'return ["x₁", "x₂"] if net.features is None else',
           'return ["x₁", "x₂"] if True else', "the neurons panel labels W₁'s rows x₁, x₂ whatever the features"),
    # --- changes by hand (issue 19: the network graph, data by hand)
    Mutant("byhand_resent_change_applied_twice", "ui/byhand.py", "        if seq <= applied:\n",
           "        if seq < applied:\n", "a change sent again before its answer came is applied a second time"),
    Mutant("byhand_negative_value_unbounded", "ui/byhand.py", "if abs(value) > MAX_TYPED_VALUE:",
           "if value > MAX_TYPED_VALUE:", "a typed value far below -MAX_TYPED_VALUE reaches the engine"),
    Mutant("byhand_token_unchecked", "ui/byhand.py", 'if payload.get("token") != _token(page):',
           'if not payload.get("token"):', "a change numbered for the page before a reload is applied"),
    Mutant("byhand_refusals_not_counted", "ui/byhand.py",
           '{"applied": applied, "results": results, "messages": n})', '{"applied": applied, "results": results})',
           "every refused message gets the same number: the browser says the second one never"),
    Mutant("edits_refusal_known_by_text", "static/live/edits.js", "r.seq ? r.seq : `0:${r.msg}`",
           "r.seq ? r.seq : `0:${r.text}`", "the browser says a refusal once per sentence, not once per message"),
    Mutant("edits_applied_kept_pending", "static/live/edits.js", "c.pending.filter((op) => op.seq > e.applied)",
           "c.pending.filter((op) => op.seq >= e.applied)", "the last applied change is sent again forever"),
    Mutant("graph_edge_colour_flipped", "static/live/graph.js", "(w > 0 ? POS : w < 0 ? NEG : ZERO)",
           "(w < 0 ? POS : w > 0 ? NEG : ZERO)", "the graph draws positive weights in the negative colour"),
    Mutant("graph_widths_rewritten_every_frame", "static/live/graph.js", "if (width !== e.width) {",
           "if (+width !== e.width) {", "a number compared with the stored text: every line rewritten each frame"),
    Mutant("points_click_y_flipped", "static/live/points.js", "y1 - (e.clientY - r.top) / r.height * (y1 - y0)",
           "y0 + (e.clientY - r.top) / r.height * (y1 - y0)", "a click adds its point mirrored top to bottom"),
    # --- issue 19: keys, TensorFlow Playground links, the Test data / Discretize switches
    Mutant("keys_held_key_repeats", "static/live/keys.js", "  if (e.repeat) return;", "",
           "a key held down (auto-repeat) presses Step or Reset again and again"),
    Mutant("keys_press_hidden_button", "static/live/keys.js",
           "if (b && !b.disabled && b.getClientRects().length > 0) return b;", "if (b && !b.disabled) return b;",
           "Space presses the Play button a teacher's hide=play took off the screen"),
    Mutant("keys_ignore_ctrl", "static/live/keys.js", "if (!suffix || e.ctrlKey || e.altKey",
           "if (!suffix || e.altKey", "Ctrl+→ (the browser's and the OS's own shortcut) also presses Step"),
    Mutant("tfpg_train_share_as_test_share", "ui/tfpg.py", "test = round((100 - perc) / 100 * 20) / 20",
           "test = round(perc / 100 * 20) / 20", "a link's percTrainData (the training share) becomes our test share"),
    Mutant("discretize_still_shaded", "static/live/net.js", "const s = discrete ? 0.72 : 0.72 * Math.pow(conf, 0.8)",
           "const s = 0.72 * Math.pow(conf, 0.8)", "Discretize output still shades the field by confidence"),
    Mutant("bad_latex_caption", "app_pages/intro.py", r"$W_l$ is $n_{l-1} \times n_l$", "W_l is n_{l-1} x n_l",
           "Start here shows raw LaTeX again"),
    # --- regression (issue 19, item 1): engine, pages, browser
    Mutant("reg_targets_one_hot", "engine/losses.py", '        if self.problem == "regression":\n',
           "        if False:\n", "regression targets are turned into one-hot classes"),
    Mutant("reg_default_sigmoid_output", "engine/losses.py",
           'out = "linear" if problem == "regression" else "sigmoid"', 'out = "sigmoid"',
           "a regression network gets a sigmoid output by default (it cannot predict negative targets)"),
    Mutant("r2_not_centred", "engine/metrics.py", "ss_tot = ((t - t.mean(axis=0)) ** 2).sum(axis=0)",
           "ss_tot = (t ** 2).sum(axis=0)", "R²'s total sum of squares is taken around 0, not the mean target"),
    Mutant("r2_of_a_constant_batch_is_0", "engine/metrics.py", "        return None\n", "        return 0.0\n",
           "a batch whose targets are all equal reports R² = 0 (a number that looks measured)"),
    Mutant("reg_plane_scale", "engine/datasets.py", "(at[:, 0] + at[:, 1]) / 10", "(at[:, 0] + at[:, 1]) / 12",
           "the plane's targets are scaled differently from TensorFlow Playground's"),
    Mutant("reg_gauss_unclamped", "engine/datasets.py",
           "np.clip(1 - np.hypot(at[:, 0] - cx, at[:, 1] - cy) / 2, 0, 1)", "(1 - np.hypot(at[:, 0] - cx, at[:, 1] - cy) / 2)",
           "the Gaussian bumps are not clamped to [0, 1] (TF PG's scale clamps)"),
    Mutant("tf_noise_ignored", "engine/datasets.py", "return X, X + shift", "return X, X",
           "TF Playground's noise does not move where the target is computed"),
    Mutant("curve_noise_doubled", "engine/datasets.py", "rng.normal(0, noise, size=n)", "rng.normal(0, 2 * noise, size=n)",
           "the curve sets' noise has twice the standard deviation the slider says"),
    Mutant("regression_reports_accuracy", "engine/trainer.py",
           "scores = dict(train_acc=None, test_acc=None, train_r2=score, test_r2=test_score)",
           "scores = dict(train_acc=score, test_acc=test_score, train_r2=score, test_r2=test_score)",
           "a regression step record fills the accuracy fields with R² (a fake accuracy)"),
    Mutant("r2_history_not_saved", "engine/export.py", "    if net.is_regression:  # R² in place", "    if False:  # R² in place",
           "a saved regression run loses its R² history"),
    Mutant("script_regression_one_hot", "engine/script_template.py", '    if PROBLEM == "regression":\n',
           "    if False:\n", "the standalone script one-hot encodes regression targets"),
    Mutant("frames_send_accuracy", "ui/frames.py", 'train, test = ("train_r2", "test_r2") if regression else',
           'train, test = ("train_acc", "test_acc") if regression else',
           "the live view's score columns of a regression run are its (empty) accuracies"),
    Mutant("problem_any_page", "ui/config.py", "    if raw == mine:\n", '    if raw in ("regression", "classification"):\n',
           "problem=regression is silently accepted on a classification page"),
    Mutant("field_light", "static/live/regression.js", "const FIELD_LIGHT = 0.35;", "const FIELD_LIGHT = 0.2;",
           "the regression field is painted in other colours than the ones the tests and legend promise"),
    Mutant("points_not_by_target", "static/live/regression.js", "ctx.fillStyle = css(valueRGB(this.t[i], v, c));",
           "ctx.fillStyle = css(valueRGB(0, v, c));", "the regression points are not coloured by their targets"),
    Mutant("output_tanh_ignored", "static/live/regression.js", "kind === 'tanh' ? Math.tanh(v)", "kind === 'tan' ? Math.tanh(v)",
           "the browser forgets a tanh output activation"),
    Mutant("curve_unit_index", "static/live/curve.js", "p[i] = w * a[i * H + k];", "p[i] = w * a[i * H];",
           "every thin line of the curve page uses the first unit's activation"),
    Mutant("curve_no_batchnorm", "static/live/curve.js", "if (bn) batchNormEval(a, N, H, bn, net.bn_eps);", "",
           "the curve page's unit contributions skip the last hidden layer's batch norm"),
    Mutant("status_says_accuracy", "static/live/main.js", "'train R² (batch)', 'test loss', 'test R²'",
           "'train acc (batch)', 'test loss', 'test acc'", "the regression status line calls R² an accuracy"),
]


def tracked_copy(dest: Path) -> None:
    files = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True).stdout
    for rel in filter(None, files.decode().split("\0")):
        src = ROOT / rel
        if src.is_file():
            (dest / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / rel)


def apply(m: Mutant, tree: Path) -> str | None:
    """Apply the mutant in ``tree``; -> None, or why it could not be applied."""
    f = tree / m.path
    if not f.is_file():
        return f"{m.path} does not exist"
    text = f.read_text()
    for old, new in ((m.old, m.new), *m.more):
        n = text.count(old)
        if n != 1:
            return f"its text {old.strip()[:40]!r} occurs {n} times in {m.path} (must be exactly once)"
        text = text.replace(old, new)
    f.write_text(text)
    return None


def suite_order(tree: Path) -> list[str]:
    """Every test module, the fast ones first: with -x a killed mutant stops at its first failing
    test, so engine and unit tests (seconds) run before AppTest modules and browser tests last.
    The set is the whole suite either way; only the order changes."""
    files = sorted(p.relative_to(tree).as_posix() for p in (tree / "tests").glob("test_*.py"))
    return sorted(files, key=lambda f: (Path(f).name.startswith("test_browser"), Path(f).name.startswith("test_app")))


def run_suite(tree: Path, pytest_args: list[str]) -> tuple[int, str]:
    env = dict(os.environ, BACKPROP_REQUIRE_BROWSER="1", BACKPROP_REQUIRE_ALL="1", PYTHONDONTWRITEBYTECODE="1")
    targets = pytest_args or suite_order(tree)
    proc = subprocess.run([sys.executable, "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider", *targets],
                          cwd=tree, env=env, capture_output=True, text=True)
    lines = [l for l in proc.stdout.splitlines() if l.startswith(("FAILED", "ERROR"))]
    tail = proc.stdout.strip().splitlines()[-1:] or [""]
    return proc.returncode, lines[0] if lines else tail[0]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--list", action="store_true", help="list the mutants and exit")
    ap.add_argument("--only", default="", help="comma-separated mutant names")
    ap.add_argument("pytest_args", nargs="*", help="extra pytest arguments (e.g. a test path)")
    args = ap.parse_args(argv)
    mutants = MUTANTS
    if args.only:
        wanted = set(args.only.split(","))
        unknown = wanted - {m.name for m in MUTANTS}
        if unknown:
            ap.error(f"unknown mutant(s): {', '.join(sorted(unknown))}")
        mutants = [m for m in MUTANTS if m.name in wanted]
    if args.list:
        for m in mutants:
            print(f"{m.name:32s} {m.path:28s} {m.why}")
        return 0
    bad = []
    for m in mutants:
        t0 = time.monotonic()
        with tempfile.TemporaryDirectory(prefix="mutant-") as tmp:
            tree = Path(tmp)
            tracked_copy(tree)
            problem = apply(m, tree)
            if problem:
                print(f"STALE     {m.name}: {problem}", flush=True)
                bad.append(m.name)
                continue
            code, first = run_suite(tree, args.pytest_args)
        took = time.monotonic() - t0
        if code == 1:
            print(f"killed    {m.name} ({took:.0f} s): {first}", flush=True)
        elif code == 0:
            print(f"SURVIVED  {m.name} ({took:.0f} s): {m.why}", flush=True)
            bad.append(m.name)
        else:
            print(f"ERROR     {m.name} ({took:.0f} s): pytest exit {code}: {first}", flush=True)
            bad.append(m.name)
    print(f"{len(mutants) - len(bad)} of {len(mutants)} mutants killed" + (f"; not killed: {', '.join(bad)}" if bad else ""))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
