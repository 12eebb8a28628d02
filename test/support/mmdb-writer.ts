import { isIP } from 'node:net';

/**
 * A small writer of MaxMind DB files (format 2.0), so tests can build GeoLite2-shaped City and ASN databases:
 * the real ones cannot be downloaded here and their licence forbids shipping them.
 *
 * Layout: binary search tree (node_count nodes of two records each), 16 zero bytes, data section,
 * "\xAB\xCD\xEFMaxMind.com", metadata map. Like MaxMind's own databases the tree is an IPv6 tree with the IPv4
 * space at ::/96, and ::ffff:0:0/96 (IPv4-mapped), 2001::/32 (Teredo) and 2002::/16 (6to4) lead to that IPv4 subtree.
 */

/** A value with an explicit MaxMind DB type; plain JS values get a type inferred (see `encodeValue`). */
export class MmdbTyped {
  constructor(
    readonly type: 'double' | 'float' | 'uint16' | 'uint32' | 'uint64' | 'uint128' | 'int32',
    readonly value: number | bigint,
  ) {}
}

export type MmdbValue =
  string | number | bigint | boolean | Buffer | MmdbTyped | MmdbValue[] | { [key: string]: MmdbValue };

export const double = (value: number) => new MmdbTyped('double', value);
export const float = (value: number) => new MmdbTyped('float', value);
export const uint16 = (value: number) => new MmdbTyped('uint16', value);
export const uint32 = (value: number) => new MmdbTyped('uint32', value);
export const uint64 = (value: number | bigint) => new MmdbTyped('uint64', value);
export const uint128 = (value: number | bigint) => new MmdbTyped('uint128', value);
export const int32 = (value: number) => new MmdbTyped('int32', value);

export interface MmdbEntry {
  /** 'a.b.c.d/nn' or an IPv6 CIDR; host bits must be zero. */
  network: string;
  data: MmdbValue;
}

export interface MmdbOptions {
  databaseType: string;
  /** 6 (default, IPv4 under ::/96) or 4 (an IPv4-only tree). */
  ipVersion?: 4 | 6;
  /** Defaults to the smallest of 24, 28, 32 bits that holds every record value. */
  recordSize?: 24 | 28 | 32;
  /** IPv6 trees only: alias ::ffff:0:0/96, 2001::/32 and 2002::/16 to the IPv4 subtree, as MaxMind does. Default true. */
  ipv4Aliases?: boolean;
  languages?: string[];
  description?: Record<string, string>;
  /** Seconds since the epoch. */
  buildEpoch?: number;
}

// Data section type numbers (spec, "Output Data Section"); 8 and above are "extended" types.
const T = {
  pointer: 1,
  utf8: 2,
  double: 3,
  bytes: 4,
  uint16: 5,
  uint32: 6,
  map: 7,
  int32: 8,
  uint64: 9,
  uint128: 10,
  array: 11,
  boolean: 14,
  float: 15,
} as const;

/** IPv4-mapped, Teredo and 6to4: MaxMind's writers point these at the IPv4 subtree. */
const IPV4_ALIASES = ['::ffff:0:0/96', '2001::/32', '2002::/16'];

const METADATA_MARKER = Buffer.concat([Buffer.from([0xab, 0xcd, 0xef]), Buffer.from('MaxMind.com', 'ascii')]);
const DATA_SECTION_SEPARATOR = Buffer.alloc(16);

// ---------------------------------------------------------------------------------------------------------------
// Networks

interface ParsedNetwork {
  /** The address as a 128-bit (IPv6 tree) or 32-bit (IPv4 tree) number. */
  bits: bigint;
  /** Prefix length within the tree's address width. */
  depth: number;
}

function ipv4ToBigInt(ip: string): bigint {
  return ip.split('.').reduce((acc, part) => (acc << 8n) | BigInt(Number(part)), 0n);
}

function ipv6ToBigInt(ip: string): bigint {
  let text = ip;
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted) {
    const v4 = ipv4ToBigInt(dotted[1]);
    text = `${text.slice(0, -dotted[1].length)}${(v4 >> 16n).toString(16)}:${(v4 & 0xffffn).toString(16)}`;
  }
  const halves = text.split('::');
  const head = halves[0] ? halves[0].split(':') : [];
  const tail = halves.length > 1 && halves[1] ? halves[1].split(':') : [];
  const groups = halves.length > 1 ? [...head, ...Array(8 - head.length - tail.length).fill('0'), ...tail] : head;
  return groups.reduce((acc, g) => (acc << 16n) | BigInt(parseInt(g, 16)), 0n);
}

export function parseNetwork(cidr: string, ipVersion: 4 | 6): ParsedNetwork {
  const [address, lengthText, extra] = cidr.split('/');
  const family = isIP(address ?? '');
  const length = Number(lengthText);
  const width = family === 4 ? 32 : 128;
  if (!family || extra !== undefined || !/^\d{1,3}$/.test(lengthText ?? '') || length > width) {
    throw new Error(`mmdb-writer: not a CIDR network: ${cidr}`);
  }
  const value = family === 4 ? ipv4ToBigInt(address) : ipv6ToBigInt(address);
  const hostBits = BigInt(width - length);
  if ((value & ((1n << hostBits) - 1n)) !== 0n) throw new Error(`mmdb-writer: ${cidr} has host bits set`);
  if (ipVersion === 4) {
    if (family !== 4) throw new Error(`mmdb-writer: ${cidr} cannot go in an IPv4 database`);
    return { bits: value, depth: length };
  }
  // An IPv6 tree keeps IPv4 addresses as-is in its first 2^32 addresses, i.e. under ::/96.
  return family === 4 ? { bits: value, depth: 96 + length } : { bits: value, depth: length };
}

// ---------------------------------------------------------------------------------------------------------------
// Search tree

type TreeRecord = { kind: 'empty' } | { kind: 'data'; index: number } | { kind: 'node'; node: TreeNode };

class TreeNode {
  records: [TreeRecord, TreeRecord];
  constructor(left: TreeRecord, right: TreeRecord) {
    this.records = [left, right];
  }
}

const EMPTY: TreeRecord = { kind: 'empty' };

function bitAt(bits: bigint, width: number, depth: number): 0 | 1 {
  return Number((bits >> BigInt(width - 1 - depth)) & 1n) as 0 | 1;
}

/** The node reached from `root` along the first `depth` bits of `bits`, creating nodes (and splitting leaves) on the way. */
function nodeAt(root: TreeNode, bits: bigint, width: number, depth: number): TreeNode {
  let node = root;
  for (let d = 0; d < depth; d++) {
    const bit = bitAt(bits, width, d);
    const record = node.records[bit];
    if (record.kind === 'node') {
      node = record.node;
    } else {
      // A leaf (data or empty) covering a larger network becomes a node whose halves both keep that leaf.
      const child = new TreeNode(record, record);
      node.records[bit] = { kind: 'node', node: child };
      node = child;
    }
  }
  return node;
}

function insert(root: TreeNode, network: ParsedNetwork, width: number, record: TreeRecord): void {
  if (network.depth === 0) {
    root.records = [record, record];
    return;
  }
  const parent = nodeAt(root, network.bits, width, network.depth - 1);
  parent.records[bitAt(network.bits, width, network.depth - 1)] = record;
}

function aliasToIpv4(root: TreeNode, ipv4Root: TreeNode, cidr: string): void {
  const network = parseNetwork(cidr, 6);
  const parent = nodeAt(root, network.bits, 128, network.depth - 1);
  const bit = bitAt(network.bits, 128, network.depth - 1);
  if (parent.records[bit].kind !== 'empty')
    throw new Error(`mmdb-writer: ${cidr} is an IPv4 alias and cannot hold data`);
  parent.records[bit] = { kind: 'node', node: ipv4Root };
}

/** Node numbers in depth-first pre-order (the root is node 0); an aliased node is numbered once. */
function numberNodes(root: TreeNode): TreeNode[] {
  const order: TreeNode[] = [];
  const seen = new Set<TreeNode>();
  const stack = [root];
  while (stack.length) {
    const node = stack.pop()!;
    if (seen.has(node)) continue;
    seen.add(node);
    order.push(node);
    for (const record of [node.records[1], node.records[0]]) if (record.kind === 'node') stack.push(record.node);
  }
  return order;
}

// ---------------------------------------------------------------------------------------------------------------
// Data section

/** Encodes values into one growing buffer; repeated strings, maps and arrays become pointers to their first copy. */
class DataWriter {
  private chunks: Buffer[] = [];
  private length = 0;
  private written = new Map<string, number>();

  constructor(private readonly usePointers: boolean) {}

  toBuffer(): Buffer {
    return Buffer.concat(this.chunks);
  }

  /** Writes a value and returns its offset within this section (an earlier copy's offset when it was written before). */
  write(value: MmdbValue): number {
    const key = this.usePointers ? canonicalKey(value) : null;
    const previous = key === null ? undefined : this.written.get(key);
    if (previous !== undefined) return previous;
    const offset = this.length;
    this.encode(value);
    return offset;
  }

  private push(bytes: Buffer): void {
    this.chunks.push(bytes);
    this.length += bytes.length;
  }

  /** Emits a value in place, or a pointer when the same (pointer-worthy) value was written before. */
  private encode(value: MmdbValue): void {
    const key = this.usePointers ? canonicalKey(value) : null;
    if (key !== null) {
      const previous = this.written.get(key);
      if (previous !== undefined) {
        this.push(pointer(previous));
        return;
      }
      this.written.set(key, this.length);
    }
    if (typeof value === 'string') {
      const bytes = Buffer.from(value, 'utf8');
      this.push(controlBytes(T.utf8, bytes.length));
      this.push(bytes);
    } else if (typeof value === 'boolean') {
      this.push(controlBytes(T.boolean, value ? 1 : 0));
    } else if (Buffer.isBuffer(value)) {
      this.push(controlBytes(T.bytes, value.length));
      this.push(value);
    } else if (Array.isArray(value)) {
      this.push(controlBytes(T.array, value.length));
      for (const item of value) this.encode(item);
    } else if (value instanceof MmdbTyped) {
      this.push(encodeTyped(value));
    } else if (typeof value === 'number' || typeof value === 'bigint') {
      this.push(encodeTyped(inferNumberType(value)));
    } else if (value !== null && typeof value === 'object') {
      const entries = Object.entries(value);
      this.push(controlBytes(T.map, entries.length));
      for (const [k, v] of entries) {
        this.encode(k);
        this.encode(v);
      }
    } else {
      throw new Error(`mmdb-writer: cannot store ${String(value)}`);
    }
  }
}

/** Strings of 3+ bytes, maps and arrays are shared through pointers; numbers and short strings are cheaper inline. */
function canonicalKey(value: MmdbValue): string | null {
  if (typeof value === 'string') return Buffer.byteLength(value) >= 3 ? `s:${value}` : null;
  if (
    Array.isArray(value) ||
    (value !== null && typeof value === 'object' && !(value instanceof MmdbTyped) && !Buffer.isBuffer(value))
  ) {
    return `c:${JSON.stringify(value, (_k, v: unknown) => {
      if (v instanceof MmdbTyped) return `${v.type}(${String(v.value)})`;
      if (typeof v === 'bigint') return `bigint(${v})`;
      if (typeof v === 'number') return `number(${v})`;
      // Tagged so that a string can never look like one of the tagged numbers above.
      if (typeof v === 'string') return `string(${v})`;
      return v;
    })}`;
  }
  return null;
}

function inferNumberType(value: number | bigint): MmdbTyped {
  if (typeof value === 'bigint') return new MmdbTyped(value < 1n << 64n ? 'uint64' : 'uint128', value);
  if (Number.isInteger(value) && value >= 0 && value < 2 ** 32) return new MmdbTyped('uint32', value);
  if (Number.isInteger(value) && value < 0 && value >= -(2 ** 31)) return new MmdbTyped('int32', value);
  return new MmdbTyped('double', value);
}

/** The control byte (type in the top 3 bits, size in the low 5), the extended-type byte and the size bytes. */
function controlBytes(type: number, size: number): Buffer {
  const out: number[] = [];
  let sizeBits: number;
  const extra: number[] = [];
  if (size < 29) {
    sizeBits = size;
  } else if (size < 29 + 256) {
    sizeBits = 29;
    extra.push(size - 29);
  } else if (size < 285 + 65536) {
    sizeBits = 30;
    const n = size - 285;
    extra.push(n >> 8, n & 0xff);
  } else if (size < 65821 + 2 ** 24) {
    sizeBits = 31;
    const n = size - 65821;
    extra.push(n >> 16, (n >> 8) & 0xff, n & 0xff);
  } else {
    throw new Error(`mmdb-writer: value too large (${size})`);
  }
  if (type <= 7) {
    out.push((type << 5) | sizeBits);
  } else {
    out.push(sizeBits, type - 7);
  }
  return Buffer.from([...out, ...extra]);
}

/** A pointer (type 1): 001SSVVV, SS picks 11, 19 (+2048), 27 (+526336) or 32 bits of offset. */
function pointer(offset: number): Buffer {
  if (offset < 2048) return Buffer.from([0x20 | (offset >> 8), offset & 0xff]);
  if (offset < 2048 + 2 ** 19) {
    const n = offset - 2048;
    return Buffer.from([0x28 | (n >> 16), (n >> 8) & 0xff, n & 0xff]);
  }
  if (offset < 526336 + 2 ** 27) {
    const n = offset - 526336;
    return Buffer.from([0x30 | (n >> 24), (n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff]);
  }
  const out = Buffer.alloc(5);
  out[0] = 0x38;
  out.writeUInt32BE(offset, 1);
  return out;
}

/** Big-endian unsigned bytes with leading zeros dropped (a zero has no payload at all). */
function minimalUnsigned(value: bigint, maxBytes: number, type: string): Buffer {
  if (value < 0n || value >= 1n << BigInt(maxBytes * 8)) throw new Error(`mmdb-writer: ${value} does not fit ${type}`);
  const bytes: number[] = [];
  for (let v = value; v > 0n; v >>= 8n) bytes.unshift(Number(v & 0xffn));
  return Buffer.from(bytes);
}

function encodeTyped(typed: MmdbTyped): Buffer {
  switch (typed.type) {
    case 'double': {
      const payload = Buffer.alloc(8);
      payload.writeDoubleBE(Number(typed.value));
      return Buffer.concat([controlBytes(T.double, 8), payload]);
    }
    case 'float': {
      const payload = Buffer.alloc(4);
      payload.writeFloatBE(Number(typed.value));
      return Buffer.concat([controlBytes(T.float, 4), payload]);
    }
    case 'int32': {
      const value = Number(typed.value);
      if (!Number.isInteger(value) || value < -(2 ** 31) || value >= 2 ** 31)
        throw new Error(`mmdb-writer: ${value} is not an int32`);
      if (value >= 0 && value < 2 ** 24) {
        // Fewer than 4 bytes read as a positive number; negatives need all 4 (two's complement).
        const payload = minimalUnsigned(BigInt(value), 3, 'int32');
        return Buffer.concat([controlBytes(T.int32, payload.length), payload]);
      }
      const payload = Buffer.alloc(4);
      payload.writeInt32BE(value);
      return Buffer.concat([controlBytes(T.int32, 4), payload]);
    }
    default: {
      const widths = { uint16: 2, uint32: 4, uint64: 8, uint128: 16 } as const;
      const value = typed.value;
      if (typeof value === 'number' && !Number.isInteger(value))
        throw new Error(`mmdb-writer: ${value} is not an integer`);
      const payload = minimalUnsigned(BigInt(value), widths[typed.type], typed.type);
      return Buffer.concat([controlBytes(T[typed.type], payload.length), payload]);
    }
  }
}

// ---------------------------------------------------------------------------------------------------------------
// The file

function writeRecord(out: Buffer, offset: number, recordSize: 24 | 28 | 32, left: number, right: number): void {
  if (recordSize === 24) {
    out.writeUIntBE(left, offset, 3);
    out.writeUIntBE(right, offset + 3, 3);
  } else if (recordSize === 28) {
    // 7 bytes: left's low 24 bits, a middle byte holding left's top nibble and right's top nibble, right's low 24 bits.
    out.writeUIntBE(left & 0xffffff, offset, 3);
    out[offset + 3] = (((left >>> 24) & 0x0f) << 4) | ((right >>> 24) & 0x0f);
    out.writeUIntBE(right & 0xffffff, offset + 4, 3);
  } else {
    out.writeUInt32BE(left, offset);
    out.writeUInt32BE(right, offset + 4);
  }
}

/** Builds a MaxMind DB file; later entries win over earlier ones for the same network, more specific ones always win. */
export function writeMmdb(entries: MmdbEntry[], options: MmdbOptions | string): Buffer {
  const opts: MmdbOptions = typeof options === 'string' ? { databaseType: options } : options;
  const ipVersion = opts.ipVersion ?? 6;
  const width = ipVersion === 6 ? 128 : 32;

  const data = new DataWriter(true);
  const dataRecords: MmdbValue[] = [];
  const parsed = entries.map((entry, order) => ({ network: parseNetwork(entry.network, ipVersion), entry, order }));
  // Broader networks first, so a more specific one splits the broader leaf instead of being overwritten by it.
  parsed.sort((a, b) => a.network.depth - b.network.depth || a.order - b.order);

  const root = new TreeNode(EMPTY, EMPTY);
  for (const { network, entry } of parsed) {
    dataRecords.push(entry.data);
    insert(root, network, width, { kind: 'data', index: dataRecords.length - 1 });
  }
  if (ipVersion === 6) {
    // The IPv4 subtree must be a node even with no IPv4 data, for readers that start IPv4 lookups there.
    const ipv4Root = nodeAt(root, 0n, 128, 96);
    if (opts.ipv4Aliases ?? true) {
      for (const alias of IPV4_ALIASES) aliasToIpv4(root, ipv4Root, alias);
    }
  }

  const dataOffsets = dataRecords.map((value) => data.write(value));
  const dataSection = data.toBuffer();
  const nodes = numberNodes(root);
  const nodeCount = nodes.length;
  const nodeNumbers = new Map(nodes.map((node, i) => [node, i]));
  const maxRecord = nodeCount + DATA_SECTION_SEPARATOR.length + dataSection.length;
  const recordSize = opts.recordSize ?? (maxRecord < 2 ** 24 ? 24 : maxRecord < 2 ** 28 ? 28 : 32);
  if (maxRecord >= 2 ** recordSize)
    throw new Error(`mmdb-writer: ${recordSize}-bit records cannot address ${maxRecord}`);

  // A record is a node number (< node_count), node_count for "no data", or node_count + 16 + a data offset.
  const recordValue = (record: TreeRecord): number => {
    if (record.kind === 'empty') return nodeCount;
    if (record.kind === 'node') return nodeNumbers.get(record.node)!;
    return nodeCount + DATA_SECTION_SEPARATOR.length + dataOffsets[record.index];
  };
  const nodeBytes = recordSize / 4;
  const tree = Buffer.alloc(nodeCount * nodeBytes);
  nodes.forEach((node, i) =>
    writeRecord(tree, i * nodeBytes, recordSize, recordValue(node.records[0]), recordValue(node.records[1])),
  );

  const metadata = new DataWriter(false);
  metadata.write({
    binary_format_major_version: uint16(2),
    binary_format_minor_version: uint16(0),
    build_epoch: uint64(opts.buildEpoch ?? Math.floor(Date.now() / 1000)),
    database_type: opts.databaseType,
    description: opts.description ?? { en: `${opts.databaseType} test database` },
    ip_version: uint16(ipVersion),
    languages: opts.languages ?? ['en'],
    node_count: uint32(nodeCount),
    record_size: uint16(recordSize),
  });

  return Buffer.concat([tree, DATA_SECTION_SEPARATOR, dataSection, METADATA_MARKER, metadata.toBuffer()]);
}
