import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
// mmdb-lib is the library maxmind's Reader is built on. Its Reader needs the whole file as one Buffer; its decoder,
// address parser and node walker work on any Buffer, so they are used here on the parts that are read.
import Decoder from 'mmdb-lib/lib/decoder';
import ip from 'mmdb-lib/lib/ip';
import { Metadata, parseMetadata } from 'mmdb-lib/lib/metadata';
import createWalker from 'mmdb-lib/lib/reader/walker';

/** The spec puts the metadata in the file's last 128 KiB. */
const METADATA_MAX_BYTES = 128 * 1024;
/** 16 zero bytes between the search tree and the data section. */
const DATA_SECTION_SEPARATOR_SIZE = 16;
/** The largest node: two 32-bit records. */
const NODE_MAX_BYTES = 8;
/**
 * Nodes this close to where a lookup starts are kept in memory once read: every lookup walks through them, so
 * they would be read from the page cache again and again (one pread each, about half of an IPv4 walk's reads).
 * At most 2^14 nodes, two children each: about 1.5 MB in a Map for a full tree's top.
 */
const KEPT_DEPTH = 14;

/**
 * An MMDB file whose search tree stays on disk, read node by node as a lookup walks it; only the data section (the
 * records themselves) is held in memory. Hand-written around mmdb-lib's parts, not its Reader, for memory: the
 * Reader holds the whole file in each process, and a city database's tree is most of it (DB-IP's city files: 103 of
 * 134 MB), so every worker paid 135 MB before serving a request. Here the tree's pages live in the kernel's page
 * cache, shared by all workers. A lookup reads one node per bit of the address walked (at most 32 for IPv4, 128 for
 * IPv6) below the first KEPT_DEPTH, a few microseconds each from the page cache, once per login; answers are the
 * Reader's, byte for byte (the spec compares the two over the built-in files).
 */
export class MmdbOnDisk<T> {
  private readonly node = Buffer.alloc(NODE_MAX_BYTES);
  private readonly walker: { left(offset: number): number; right(offset: number): number };
  private readonly decoder: Decoder;
  private readonly ipv4StartNode: number;
  /** The children of nodes near the top (KEPT_DEPTH), by `node * 2 + bit`. */
  private readonly kept = new Map<number, number>();

  private constructor(
    private readonly fd: number,
    readonly metadata: Metadata,
    data: Buffer,
  ) {
    this.walker = createWalker(this.node, metadata.recordSize);
    // Pointers inside the data section count from its start, which is this buffer's start.
    this.decoder = new Decoder(data, 0);
    this.ipv4StartNode = this.findIpv4Start();
  }

  static open<T>(path: string): MmdbOnDisk<T> {
    const fd = openSync(path, 'r');
    try {
      const size = fstatSync(fd).size;
      const tailStart = Math.max(0, size - METADATA_MAX_BYTES);
      const tail = readAt(fd, tailStart, size - tailStart);
      const metadata = parseMetadata(tail);
      const dataStart = metadata.searchTreeSize + DATA_SECTION_SEPARATOR_SIZE;
      if (dataStart > size) throw new Error(`${path}: the search tree is larger than the file`);
      // The metadata after the data comes along: it is small, and the data section's end is not marked.
      return new MmdbOnDisk<T>(fd, metadata, readAt(fd, dataStart, size - dataStart));
    } catch (error) {
      closeSync(fd);
      throw error;
    }
  }

  get(address: string): T | null {
    return this.getWithPrefixLength(address)[0];
  }

  /** The record for `address` and the prefix length of the network it was found in, as mmdb-lib's Reader gives. */
  getWithPrefixLength(address: string): [T | null, number] {
    const raw = ip.parse(address);
    const { nodeCount } = this.metadata;
    const bits = raw.length * 8;
    let node = raw.length === 4 ? this.ipv4StartNode : 0;
    let depth = 0;
    for (; depth < bits && node < nodeCount; depth++) {
      const bit = ip.bitAt(raw, depth);
      if (depth < KEPT_DEPTH) {
        const key = node * 2 + bit;
        let next = this.kept.get(key);
        if (next === undefined) this.kept.set(key, (next = this.child(node, bit === 1)));
        node = next;
      } else node = this.child(node, bit === 1);
    }
    if (node <= nodeCount) return [null, depth];
    const decoded = this.decoder.decodeFast(node - nodeCount - DATA_SECTION_SEPARATOR_SIZE) as { value: T };
    return [decoded.value, depth];
  }

  close(): void {
    closeSync(this.fd);
  }

  /** The record a node holds for the next bit: its right one for a 1, its left one for a 0, read from disk. */
  private child(node: number, right: boolean): number {
    const length = this.metadata.nodeByteSize;
    if (readSync(this.fd, this.node, 0, length, node * length) !== length) {
      throw new Error('MMDB search tree cut short');
    }
    return right ? this.walker.right(0) : this.walker.left(0);
  }

  /** IPv4 addresses in an IPv6 tree sit under 96 zero bits (::a.b.c.d); an IPv4 tree starts at its root. */
  private findIpv4Start(): number {
    if (this.metadata.ipVersion === 4) return 0;
    let node = 0;
    for (let i = 0; i < 96 && node < this.metadata.nodeCount; i++) node = this.child(node, false);
    return node;
  }
}

function readAt(fd: number, position: number, length: number): Buffer {
  const buffer = Buffer.allocUnsafe(length);
  let read = 0;
  while (read < length) {
    const n = readSync(fd, buffer, read, length - read, position + read);
    if (n === 0) throw new Error('MMDB file cut short');
    read += n;
  }
  return buffer;
}
