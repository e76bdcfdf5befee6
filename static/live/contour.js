// Marching squares: where a (res x res) field crosses 0, as line segments.
//
// A line-by-line port of engine/views.py contour_segments (same edges, same order, same
// saddle rule), so the browser's boundary line is the engine's. Coordinates are field
// pixels: x = column, y = row, both 0 .. res-1.

function cross(p, q) {
  // where along an edge from p to q the field hits 0 (linear interpolation), or NaN
  return (p > 0) !== (q > 0) ? p / (p - q) : NaN;
}

// v: Float64Array (res*res), row-major; -> flat array [x0, y0, x1, y1, ...]
export function contourSegments(v, res) {
  const two = [], four = [], t = [0, 0, 0, 0], xs = [0, 0, 0, 0], ys = [0, 0, 0, 0];
  for (let r = 0; r < res - 1; r++) {
    for (let c = 0; c < res - 1; c++) {
      const a = v[r * res + c], b = v[r * res + c + 1];          // top-left, top-right
      const d = v[(r + 1) * res + c], cc = v[(r + 1) * res + c + 1];  // bottom-left, bottom-right
      const pa = a > 0, pb = b > 0, pc = cc > 0, pd = d > 0;
      if (pa === pb && pb === pc && pc === pd) continue;  // no crossing in this cell (most cells)
      t[0] = cross(a, b); t[1] = cross(b, cc); t[2] = cross(d, cc); t[3] = cross(a, d);  // top, right, bottom, left
      xs[0] = c + t[0]; xs[1] = c + 1; xs[2] = c + t[2]; xs[3] = c;
      ys[0] = r; ys[1] = r + t[1]; ys[2] = r + 1; ys[3] = r + t[3];
      let n = 0, e0 = -1, e1 = -1;
      for (let k = 0; k < 4; k++) if (!Number.isNaN(t[k])) { n++; if (e0 < 0) e0 = k; else if (e1 < 0) e1 = k; }
      if (n === 2) {
        two.push(xs[e0], ys[e0], xs[e1], ys[e1]);
      } else if (n === 4) {
        // saddle cell: pair the edges by the sign of the cell centre
        const p = a + b + cc + d > 0 ? [0, 3, 1, 2] : [0, 1, 2, 3];
        four.push([xs[p[0]], ys[p[0]], xs[p[1]], ys[p[1]]], [xs[p[2]], ys[p[2]], xs[p[3]], ys[p[3]]]);
      }
    }
  }
  // the engine lists the ordinary cells first, then the saddles' first pairs, then their second
  const out = two;
  for (let i = 0; i < four.length; i += 2) out.push(...four[i]);
  for (let i = 1; i < four.length; i += 2) out.push(...four[i]);
  return out;
}
