// The network's forward pass over the boundary grid, in the browser.
//
// A replica of the engine's eval-mode forward (engine/network.py, engine/views.py
// boundary_grid with normalize=True) and of ui/charts.py probability_image, so the picture can
// be drawn from the weights the server sends (~1 KB) instead of a picture (~10 KB, and the
// server's CPU). tests/test_browser_live.py checks pixel by pixel that this draws what
// engine.boundary_grid computes. Conventions as in the engine: samples are rows,
// W_l is (n_{l-1}, n_l) row-major, z_l = a_{l-1} W_l + b_l.

// numpy.linspace(start, stop, num): start + i * step, the last point exactly stop
export function linspace(start, stop, num) {
  const out = new Float64Array(num), step = (stop - start) / (num - 1);
  for (let i = 0; i < num; i++) out[i] = start + i * step;
  out[num - 1] = stop;
  return out;
}

// engine.views.grid_points: row-major from the top edge (y = y_max) down
export function gridPoints(bounds, res) {
  const [x0, x1, y0, y1] = bounds, xs = linspace(x0, x1, res), ys = linspace(y1, y0, res);
  const P = new Float64Array(res * res * 2);
  for (let r = 0; r < res; r++) for (let c = 0; c < res; c++) {
    P[2 * (r * res + c)] = xs[c]; P[2 * (r * res + c) + 1] = ys[r];
  }
  return P;
}

export function sigmoid(z) {  // engine.activations.sigmoid: exp only of -|z|
  const e = Math.exp(-Math.abs(z)), r = 1 / (1 + e);
  return z >= 0 ? r : e * r;
}

// One dense step for N rows: z (N, m) = a (N, n) @ W (n, m) + b. Plain loops over typed arrays.
function affine(a, N, n, W, b, m) {
  const z = new Float64Array(N * m);
  for (let i = 0; i < N; i++) {
    const ai = i * n, oi = i * m;
    for (let j = 0; j < m; j++) z[oi + j] = b[j];
    for (let k = 0; k < n; k++) {
      const v = a[ai + k];
      if (v === 0) continue;  // ReLU zeros: nothing to add
      const wk = k * m;
      for (let j = 0; j < m; j++) z[oi + j] += v * W[wk + j];
    }
  }
  return z;
}

// The activation, in place, one loop per kind (a function call per element would double the
// cost of the grid).
export function activate(z, act) {
  const len = z.length;
  if (act === 'tanh') for (let i = 0; i < len; i++) z[i] = Math.tanh(z[i]);
  else if (act === 'sigmoid') for (let i = 0; i < len; i++) z[i] = sigmoid(z[i]);
  else if (act === 'relu') for (let i = 0; i < len; i++) z[i] = z[i] > 0 ? z[i] : 0;  // np.maximum(z, 0)
  else if (act === 'leaky_relu') for (let i = 0; i < len; i++) z[i] = z[i] > 0 ? z[i] : 0.01 * z[i];
  else if (act !== 'linear') throw new Error(`unknown activation ${act}`);
}

// BatchNorm in eval mode (engine/layers.py BatchNorm.forward with train=False), in place on
// z (N, n): x_hat = (z - running_mean) / sqrt(running_var + eps), y = gamma x_hat + beta
export function batchNormEval(z, N, n, bn, eps) {
  for (let j = 0; j < n; j++) {
    const invStd = 1 / Math.sqrt(bn.var[j] + eps);
    for (let i = 0; i < N; i++) z[i * n + j] = bn.gamma[j] * ((z[i * n + j] - bn.mean[j]) * invStd) + bn.beta[j];
  }
}

// engine/features.py feature_map: the points X (N*2) -> the inputs a_0 (N*k) the first layer
// sees, column j the feature names[j] of each row (TF Playground's seven)
const FEATURES = {
  x1: (x1, x2) => x1, x2: (x1, x2) => x2, x1x2: (x1, x2) => x1 * x2, x1sq: (x1, x2) => x1 * x1,
  x2sq: (x1, x2) => x2 * x2, sin1: (x1, x2) => Math.sin(x1), sin2: (x1, x2) => Math.sin(x2),
};
export function featureMap(names, X, N) {
  const k = names.length, fs = names.map((n) => FEATURES[n]), A = new Float64Array(N * k);
  if (fs.some((f) => !f)) throw new Error(`unknown input feature in ${names}`);
  for (let i = 0; i < N; i++) for (let j = 0; j < k; j++) A[i * k + j] = fs[j](X[2 * i], X[2 * i + 1]);
  return A;
}

// net: {sizes, acts, W, b, bnParams: [null | {gamma, beta, mean, var}] per hidden layer, bn_eps,
// features: null or the engineered inputs' names}; X (N*2 points, or N*n_0 without features)
// -> z_L (N*n_L), eval mode (dropout is off in eval mode: nothing to do for it)
export function logits(net, X, N) {
  let a = net.features ? featureMap(net.features, X, N) : X;
  const L = net.sizes.length - 1;
  for (let l = 0; l < L; l++) {
    a = affine(a, N, net.sizes[l], net.W[l], net.b[l], net.sizes[l + 1]);
    if (l < L - 1) {
      const bn = net.bnParams ? net.bnParams[l] : null;
      if (bn) batchNormEval(a, N, net.sizes[l + 1], bn, net.bn_eps);
      activate(a, net.acts[l]);
    }
  }
  return a;
}

// engine.views.as_class_probabilities of the loss's output activation: rows that sum to 1
// with the same winning class (softmax as is; sigmoids divided by their sum; linear / tanh
// outputs through a softmax of 2*out); one output unit: P(class 1).
export function classProbabilities(net, z, N) {
  const K = net.sizes[net.sizes.length - 1], kind = net.out, P = new Float64Array(N * K);
  for (let i = 0; i < N; i++) {
    const o = i * K;
    if (K === 1) {
      const v = z[o];
      if (kind === 'sigmoid') P[o] = sigmoid(v);
      else if (kind === 'linear') P[o] = 1 / (1 + Math.exp(-4 * v));
      else if (kind === 'tanh') P[o] = (Math.tanh(v) + 1) / 2;
      else P[o] = v;
      continue;
    }
    if (kind === 'softmax' || kind === 'linear' || kind === 'tanh') {
      const scale = kind === 'softmax' ? 1 : 2;
      let m = -Infinity;
      for (let k = 0; k < K; k++) {
        P[o + k] = kind === 'tanh' ? Math.tanh(z[o + k]) : z[o + k];
        m = Math.max(m, P[o + k]);  // NaN if any is NaN, like numpy's max
      }
      let s = 0;
      for (let k = 0; k < K; k++) { P[o + k] = Math.exp(scale * (P[o + k] - m)); s += P[o + k]; }
      for (let k = 0; k < K; k++) P[o + k] /= s;
    } else {  // sigmoid outputs (bce, mse + sigmoid)
      let s = 0;
      for (let k = 0; k < K; k++) { P[o + k] = sigmoid(z[o + k]); s += P[o + k]; }
      s = Math.max(s, 1e-12);
      for (let k = 0; k < K; k++) P[o + k] /= s;
    }
  }
  return P;
}

function hexRGB(h) { return [1, 3, 5].map((i) => parseInt(h.slice(i, i + 2), 16)); }
const nanToNum = (v) => (Number.isNaN(v) ? 0.5 : v === Infinity ? 1 : v === -Infinity ? 0 : v);

// ui.charts.probability_image: P (N*K) -> RGBA bytes. Two classes (or one output): white at
// p = 0.5, towards the class colour as the network gets sure; K > 2: the argmax class's
// colour by confidence. Kept light (at most 72 %) so the data points stay visible.
// discrete (TensorFlow Playground's "Discretize output"): the predicted class's colour at that
// 72 % everywhere, however sure the network is.
export function colourField(P, N, K, colors, rgba, discrete = false) {
  const C = colors.map(hexRGB);
  for (let i = 0; i < N; i++) {
    let cls, conf;
    if (K <= 2) {
      const p1 = nanToNum(P[i * K + (K - 1)]);
      cls = p1 > 0.5 ? 1 : 0;
      conf = Math.abs(2 * p1 - 1);
    } else {
      let top = -Infinity;
      cls = 0;
      for (let k = 0; k < K; k++) { const v = nanToNum(P[i * K + k]); if (v > top) { top = v; cls = k; } }
      conf = Math.min(Math.max((top - 1 / K) / (1 - 1 / K), 0), 1);
    }
    const s = discrete ? 0.72 : 0.72 * Math.pow(conf, 0.8), c = C[cls % C.length];
    rgba[4 * i] = Math.trunc(255 * (1 - s) + c[0] * s);
    rgba[4 * i + 1] = Math.trunc(255 * (1 - s) + c[1] * s);
    rgba[4 * i + 2] = Math.trunc(255 * (1 - s) + c[2] * s);
    rgba[4 * i + 3] = 255;
  }
  return rgba;
}

// The scalar field whose 0-level is the decision boundary: p1 - 0.5 for two classes (the
// engine's p = 0.5 line), p_k - max_{j != k} p_j for class k when K > 2.
export function boundaryFields(P, N, K) {
  if (K <= 2) {
    const f = new Float64Array(N);
    for (let i = 0; i < N; i++) f[i] = P[i * K + (K - 1)] - 0.5;
    return [f];
  }
  const out = [];
  for (let k = 0; k < K; k++) {
    const f = new Float64Array(N);
    for (let i = 0; i < N; i++) {
      let other = -Infinity;
      for (let j = 0; j < K; j++) if (j !== k && P[i * K + j] > other) other = P[i * K + j];
      f[i] = P[i * K + k] - other;
    }
    out.push(f);
  }
  return out;
}

// Every layer's output over X, eval mode, as the engine's MLP.activations: [a_0 = X, a_1, ...,
// a_{L-1}, a_L = the output activation (softmax, sigmoid, tanh or linear: net.out)], each
// (N * n_l). For the network graph's unit pictures (graph.js). The loop is logits' own.
export function layerOutputs(net, X, N) {
  let a = X;  // the inputs a_0
  const L = net.sizes.length - 1, out = [a];
  for (let l = 0; l < L; l++) {
    a = affine(a, N, net.sizes[l], net.W[l], net.b[l], net.sizes[l + 1]);
    if (l < L - 1) {
      const bn = net.bnParams ? net.bnParams[l] : null;
      if (bn) batchNormEval(a, N, net.sizes[l + 1], bn, net.bn_eps);
      activate(a, net.acts[l]);
    }
    out.push(a);
  }
  const K = net.sizes[L], z = out[L];
  if (net.out === 'softmax') {  // engine.losses softmax: exp(z - max) / sum, row by row
    for (let i = 0; i < N; i++) {
      let m = -Infinity, s = 0;
      for (let k = 0; k < K; k++) m = Math.max(m, z[i * K + k]);
      for (let k = 0; k < K; k++) { z[i * K + k] = Math.exp(z[i * K + k] - m); s += z[i * K + k]; }
      for (let k = 0; k < K; k++) z[i * K + k] /= s;
    }
  } else if (net.out === 'sigmoid') activate(z, 'sigmoid');
  else if (net.out === 'tanh') activate(z, 'tanh');
  return out;
}
