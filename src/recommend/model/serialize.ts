// A trained model as bytes (stored in recommend_models.model) and back. Layout: "CRM1", u32 header length, a JSON
// header (params, ids, where each array lies), then the typed arrays, each starting at a multiple of 8.
import { makeScratch, modelMemoryBytes } from './train.js';
import type { ModelParams, RecModel, SparseRows, UserHistory } from './types.js';

const MAGIC = 'CRM1';

type ArrayKind = 'u32' | 'f32' | 'f64';
type Typed = Uint32Array | Float32Array | Float64Array;
const CTORS = { u32: Uint32Array, f32: Float32Array, f64: Float64Array } as const;
const kindOf = (a: Typed): ArrayKind => (a instanceof Uint32Array ? 'u32' : a instanceof Float32Array ? 'f32' : 'f64');

interface Header {
  params: ModelParams;
  itemIds: string[];
  userIds: string[];
  peerIds: string[];
  arrays: Record<string, { kind: ArrayKind; offset: number; length: number }>;
}

/** Users' histories as one CSR per field (item order kept: best first). */
function packUsers(users: Map<string, UserHistory>, ids: string[]) {
  let total = 0,
    totalLast = 0;
  for (const id of ids) {
    total += users.get(id)!.items.length;
    totalLast += users.get(id)!.lastBasket.length;
  }
  const offsets = new Uint32Array(ids.length + 1),
    lastOffsets = new Uint32Array(ids.length + 1);
  const items = new Uint32Array(total),
    scores = new Float32Array(total),
    counts = new Uint32Array(total);
  const lastBasket = new Uint32Array(totalLast),
    lastAt = new Float64Array(ids.length);
  ids.forEach((id, u) => {
    const h = users.get(id)!;
    items.set(h.items, offsets[u]);
    scores.set(h.scores, offsets[u]);
    counts.set(h.counts, offsets[u]);
    offsets[u + 1] = offsets[u] + h.items.length;
    lastBasket.set(h.lastBasket, lastOffsets[u]);
    lastOffsets[u + 1] = lastOffsets[u] + h.lastBasket.length;
    lastAt[u] = h.lastAt;
  });
  return { offsets, items, scores, counts, lastOffsets, lastBasket, lastAt };
}

const sparse = (prefix: string, s: SparseRows): Record<string, Typed> => ({
  [`${prefix}.offsets`]: s.offsets,
  [`${prefix}.idx`]: s.idx,
  [`${prefix}.val`]: s.val,
});

export function serializeModel(m: RecModel): Buffer {
  const userIds = [...m.users.keys()];
  const u = packUsers(m.users, userIds);
  const arrays: Record<string, Typed> = {
    ...sparse('neighbours', m.neighbours),
    ...sparse('complements', m.complements),
    ...sparse('adoptions', m.peers.adoptions),
    'peers.itemUsers.offsets': m.peers.itemUsers.offsets,
    'peers.itemUsers.idx': m.peers.itemUsers.idx,
    'peers.invNorm': m.peers.invNorm,
    popularity: m.popularity,
    trending: m.trending,
    popularOrder: m.popularOrder,
    trendingOrder: m.trendingOrder,
    'users.offsets': u.offsets,
    'users.items': u.items,
    'users.scores': u.scores,
    'users.counts': u.counts,
    'users.lastOffsets': u.lastOffsets,
    'users.lastBasket': u.lastBasket,
    'users.lastAt': u.lastAt,
  };
  const header: Header = { params: m.params, itemIds: m.itemIds, userIds, peerIds: m.peers.userIds, arrays: {} };
  let offset = 0;
  for (const [name, a] of Object.entries(arrays)) {
    header.arrays[name] = { kind: kindOf(a), offset, length: a.length };
    offset += Math.ceil(a.byteLength / 8) * 8;
  }
  const json = Buffer.from(JSON.stringify(header), 'utf8');
  const start = Math.ceil((8 + json.length) / 8) * 8;
  const out = Buffer.alloc(start + offset);
  out.write(MAGIC, 0, 'latin1');
  out.writeUInt32LE(json.length, 4);
  json.copy(out, 8);
  for (const [name, a] of Object.entries(arrays))
    Buffer.from(a.buffer, a.byteOffset, a.byteLength).copy(out, start + header.arrays[name].offset);
  return out;
}

export function deserializeModel(buf: Buffer): RecModel {
  if (buf.toString('latin1', 0, 4) !== MAGIC) throw new Error('not a Confidant recommendation model');
  const len = buf.readUInt32LE(4);
  const header = JSON.parse(buf.toString('utf8', 8, 8 + len)) as Header;
  const start = Math.ceil((8 + len) / 8) * 8;
  // One aligned copy of the array region; every array is a view into it.
  const region = new ArrayBuffer(buf.length - start);
  new Uint8Array(region).set(buf.subarray(start));
  const get = <K extends ArrayKind>(name: string, kind: K): InstanceType<(typeof CTORS)[K]> => {
    const a = header.arrays[name];
    if (!a || a.kind !== kind) throw new Error(`model array ${name} is missing`);
    return new CTORS[kind](region, a.offset, a.length) as InstanceType<(typeof CTORS)[K]>;
  };
  const sparseOf = (prefix: string): SparseRows => ({
    offsets: get(`${prefix}.offsets`, 'u32'),
    idx: get(`${prefix}.idx`, 'u32'),
    val: get(`${prefix}.val`, 'f32'),
  });

  const uOff = get('users.offsets', 'u32'),
    uItems = get('users.items', 'u32'),
    uScores = get('users.scores', 'f32'),
    uCounts = get('users.counts', 'u32');
  const lOff = get('users.lastOffsets', 'u32'),
    lItems = get('users.lastBasket', 'u32'),
    lastAt = get('users.lastAt', 'f64');
  const users = new Map<string, UserHistory>();
  header.userIds.forEach((id, u) => {
    users.set(id, {
      items: uItems.subarray(uOff[u], uOff[u + 1]),
      scores: uScores.subarray(uOff[u], uOff[u + 1]),
      counts: uCounts.subarray(uOff[u], uOff[u + 1]),
      lastBasket: lItems.subarray(lOff[u], lOff[u + 1]),
      lastAt: lastAt[u],
    });
  });
  const model: Omit<RecModel, 'memoryBytes'> = {
    itemIds: header.itemIds,
    itemIndex: new Map(header.itemIds.map((id, i) => [id, i])),
    neighbours: sparseOf('neighbours'),
    complements: sparseOf('complements'),
    users,
    peers: {
      userIds: header.peerIds,
      userIndex: new Map(header.peerIds.map((id, v) => [id, v])),
      itemUsers: { offsets: get('peers.itemUsers.offsets', 'u32'), idx: get('peers.itemUsers.idx', 'u32') },
      invNorm: get('peers.invNorm', 'f32'),
      adoptions: sparseOf('adoptions'),
    },
    popularity: get('popularity', 'f32'),
    trending: get('trending', 'f32'),
    popularOrder: get('popularOrder', 'u32'),
    trendingOrder: get('trendingOrder', 'u32'),
    params: header.params,
    scratch: makeScratch(header.itemIds.length, header.peerIds.length),
  };
  return { ...model, memoryBytes: modelMemoryBytes(model) };
}
