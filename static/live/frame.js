// Unpack one live-view frame (the server side: ui/frames.py pack, which documents the format):
// "BPF1", uint32 header length, JSON header {meta, arrays: {name: [dtype, shape, offset, nbytes]}},
// then the arrays' little-endian bytes, 8-aligned.

const TYPES = { float64: Float64Array, float32: Float32Array, uint8: Uint8Array };

// a frame's parameters of an L-layer net, as net.js evaluates them: W_l (null where not sent:
// MNIST's W1 comes as tiles), b_l, and each hidden layer's BatchNorm or null; ``prefix``
// selects one run of the Compare view ("r0/")
export function netParams(arrays, L, prefix = '') {
  const a = (k) => arrays[prefix + k];
  return {
    W: Array.from({ length: L }, (_, l) => a(`W${l + 1}`) || null),
    b: Array.from({ length: L }, (_, l) => a(`b${l + 1}`)),
    bnParams: Array.from({ length: L - 1 }, (_, l) => (a(`gamma${l + 1}`)
      ? { gamma: a(`gamma${l + 1}`), beta: a(`beta${l + 1}`), mean: a(`mean${l + 1}`), var: a(`var${l + 1}`) } : null)),
  };
}

export function unpack(u8) {
  const magic = String.fromCharCode(u8[0], u8[1], u8[2], u8[3]);
  if (magic !== 'BPF1') throw new Error('not a live-view frame');
  const n = new DataView(u8.buffer, u8.byteOffset, 8).getUint32(4, true);
  const head = JSON.parse(new TextDecoder().decode(u8.subarray(8, 8 + n)));
  const base = u8.byteOffset + 8 + n, arrays = {};
  for (const [name, [dtype, shape, offset, nbytes]] of Object.entries(head.arrays)) {
    const T = TYPES[dtype];
    if (!T) throw new Error(`unknown array type ${dtype}`);
    // a copy: the received bytes may sit at any offset of their buffer, typed arrays need alignment
    arrays[name] = new T(u8.buffer.slice(base + offset, base + offset + nbytes));
    arrays[name].shape = shape;
  }
  return { meta: head.meta, arrays };
}
