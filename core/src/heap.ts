/**
 * The data path's byte heap: one WebAssembly memory that holds the bytes the agent moves on its hot path
 * (connections' stream buffers, decoders' text arenas, row staging), so that:
 * - a copy between two of them is one memory.copy (`move`): no view object per copy, about a seventh of a
 *   Buffer#copy's cost on short values;
 * - a WebAssembly decoder that imports this memory parses a stream where it lies, with no copy in.
 *
 * The memory is reserved whole and never grows (views of it stay valid); pages cost nothing until written.
 * Blocks come in power-of-two classes with a free list each. When the heap is full, `alloc` gives a plain
 * Buffer instead: every user works with either, the heap is only faster.
 *
 * The first `RESERVED_LOW` bytes belong to the WebAssembly modules that import the memory (their static data
 * and stack, linked at addresses below it): the heap never hands them out.
 */

/** The part of the WebAssembly global used here (the TS libs in use do not declare it). */
declare const WebAssembly: {
  Memory: new (d: { initial: number; maximum: number }) => WasmMemory;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: unknown };
};

/**
 * A WebAssembly module of two functions on the imported memory: `move(to, from, n)`, one memory.copy, and
 * `move3(to0, from0, n0, to1, from1, n1, to2, from2, n2)`, three. Calling move costs ~8 ns here against ~19 ns
 * for the heap's copyWithin (a builtin that checks its arguments), whatever the length; most of it is the call
 * from JS, which move3 makes once for three copies.
 * Hand-assembled (it is 118 bytes): types (i32 x3) -> () and (i32 x9) -> (); import env.memory; export "move"
 * and "move3"; bodies `local.get 0; local.get 1; local.get 2; memory.copy 0 0` and that for locals 0-2, 3-5, 6-8.
 */
const MOVE_MODULE = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
  0x01, 0x13, 0x02, 0x60, 0x03, 0x7f, 0x7f, 0x7f, 0x00, 0x60, 0x09, 0x7f, 0x7f, 0x7f, 0x7f, 0x7f, 0x7f, 0x7f, 0x7f, 0x7f, 0x00,
  0x02, 0x0f, 0x01, 0x03, 0x65, 0x6e, 0x76, 0x06, 0x6d, 0x65, 0x6d, 0x6f, 0x72, 0x79, 0x02, 0x00, 0x00,
  0x03, 0x03, 0x02, 0x00, 0x01,
  0x07, 0x10, 0x02, 0x04, 0x6d, 0x6f, 0x76, 0x65, 0x00, 0x00, 0x05, 0x6d, 0x6f, 0x76, 0x65, 0x33, 0x00, 0x01,
  0x0a, 0x2f, 0x02,
  0x0c, 0x00, 0x20, 0x00, 0x20, 0x01, 0x20, 0x02, 0xfc, 0x0a, 0x00, 0x00, 0x0b,
  0x20, 0x00, 0x20, 0x00, 0x20, 0x01, 0x20, 0x02, 0xfc, 0x0a, 0x00, 0x00, 0x20, 0x03, 0x20, 0x04, 0x20, 0x05, 0xfc, 0x0a, 0x00, 0x00,
  0x20, 0x06, 0x20, 0x07, 0x20, 0x08, 0xfc, 0x0a, 0x00, 0x00, 0x0b,
]);

type MoveFn = (to: number, from: number, n: number) => void;
type Move3Fn = (to0: number, from0: number, n0: number, to1: number, from1: number, n1: number, to2: number, from2: number, n2: number) => void;

/** A WebAssembly.Memory, as far as the heap uses it. */
export interface WasmMemory {
  readonly buffer: ArrayBuffer;
}

const PAGE = 65536;
/** Bytes below this belong to the modules importing the memory (see the build's --global-base / stack). */
export const RESERVED_LOW = 8 * 1024 * 1024;
const MIN_CLASS = 6; // 64 B
const MAX_CLASS = 26; // 64 MiB

/** Heap size: NIXIE_BYTE_HEAP_MB (0 turns it off: every block is a plain Buffer), else 512 MiB of address space. */
function heapBytes(): number {
  const env = process.env.NIXIE_BYTE_HEAP_MB;
  const mb = env === undefined || env === '' ? 512 : Number(env);
  if (!Number.isFinite(mb) || mb < 0 || mb > 4000) throw new Error(`NIXIE_BYTE_HEAP_MB=${env}: a number of MiB from 0 to 4000`);
  return mb === 0 ? 0 : Math.max(Math.ceil((mb * 1024 * 1024) / PAGE) * PAGE, RESERVED_LOW + PAGE);
}

/** Counters for the agent's health report. */
export interface ByteHeapStats {
  /** Bytes of the heap (0: off). */
  readonly capacity: number;
  /** Bytes in blocks handed out and not released. */
  readonly inUse: number;
  /** Blocks that did not fit and were plain Buffers instead. */
  readonly outside: number;
}

export class ByteHeap {
  /** The memory WebAssembly modules import (undefined when the heap is off). */
  readonly memory: WasmMemory | undefined;
  /** All of the heap's memory (empty when off). */
  readonly bytes: Buffer;
  private top = RESERVED_LOW;
  private readonly free: number[][] = [];
  private used = 0;
  private outsideCount = 0;
  /** memory.copy within the heap (MOVE_MODULE); a no-op when the heap is off (there is nothing to move). */
  private readonly wasmMove: MoveFn;
  private readonly wasmMove3: Move3Fn;

  constructor(size = heapBytes()) {
    if (size > 0) {
      this.memory = new WebAssembly.Memory({ initial: size / PAGE, maximum: size / PAGE });
      this.bytes = Buffer.from(this.memory.buffer);
      const x = new WebAssembly.Instance(new WebAssembly.Module(MOVE_MODULE), { env: { memory: this.memory } }).exports as { move: MoveFn; move3: Move3Fn };
      this.wasmMove = x.move;
      this.wasmMove3 = x.move3;
    } else {
      this.memory = undefined;
      this.bytes = Buffer.alloc(0);
      this.wasmMove = noMove;
      this.wasmMove3 = noMove;
    }
    for (let c = 0; c <= MAX_CLASS; c++) this.free.push([]);
  }

  /** Whether `b` is a view of this heap. (`.buffer` costs ~15 ns: hot paths keep offsetOf() of their blocks.) */
  owns(b: Uint8Array): boolean {
    return this.memory !== undefined && b.buffer === this.memory.buffer;
  }

  /** Where b[0] lies in the heap, or -1 when b is not a view of it. */
  offsetOf(b: Uint8Array): number {
    return this.owns(b) ? b.byteOffset : -1;
  }

  /** Copies n bytes within the heap, from offset `from` to offset `to` (offsetOf() of blocks): no view, no check. */
  move(to: number, from: number, n: number): void {
    this.wasmMove(to, from, n);
  }

  /** Three moves (as move(to0, from0, n0) then the others, in order) for the cost of one call. */
  move3(to0: number, from0: number, n0: number, to1: number, from1: number, n1: number, to2: number, from2: number, n2: number): void {
    this.wasmMove3(to0, from0, n0, to1, from1, n1, to2, from2, n2);
  }

  /**
   * A block of at least `size` bytes (its length is the block's: a power of two, at least 64). A view of the
   * heap, or a plain Buffer when the heap is off, full, or the size is over 64 MiB. Give it back with release().
   */
  alloc(size: number): Buffer {
    const c = sizeClass(size);
    if (this.memory !== undefined && c <= MAX_CLASS) {
      const n = 1 << c;
      let at = this.free[c]!.pop();
      if (at === undefined && this.top + n <= this.bytes.length) {
        at = this.top;
        this.top += n;
      }
      if (at !== undefined) {
        this.used += n;
        return this.bytes.subarray(at, at + n);
      }
    }
    this.outsideCount++;
    return Buffer.allocUnsafeSlow(Math.max(size, 64));
  }

  /** Gives back a block from alloc() (a plain Buffer is left to the GC). Its bytes may be handed out again at once. */
  release(b: Buffer): void {
    if (!this.owns(b)) return;
    const c = sizeClass(b.length);
    if (1 << c !== b.length) throw new Error(`ByteHeap.release: ${b.length} bytes is not a block`);
    this.free[c]!.push(b.byteOffset);
    this.used -= b.length;
  }

  /** Copies src[from..to) to dst at `at`: memory.copy when both are in the heap, else a native copy. (Checks both: see move().) */
  copy(src: Uint8Array, from: number, to: number, dst: Uint8Array, at: number): void {
    if (this.memory !== undefined && src.buffer === this.memory.buffer && dst.buffer === src.buffer) {
      this.wasmMove(dst.byteOffset + at, src.byteOffset + from, to - from);
    } else {
      dst.set(src.subarray(from, to), at);
    }
  }

  stats(): ByteHeapStats {
    return { capacity: this.bytes.length, inUse: this.used, outside: this.outsideCount };
  }
}

function noMove(): void {}

/** log2 of the smallest block holding `size` bytes. */
function sizeClass(size: number): number {
  return size <= 1 << MIN_CLASS ? MIN_CLASS : 32 - Math.clz32(size - 1);
}

/** One heap per process, even if two copies of @nixie/core are loaded (a plugin's own, say): offsets must agree. */
const SHARED = Symbol.for('nixie.byteHeap');

/** The process's byte heap (created at first use; NIXIE_BYTE_HEAP_MB sets its size, 0 turns it off). */
export function byteHeap(): ByteHeap {
  const g = globalThis as { [SHARED]?: ByteHeap };
  return (g[SHARED] ??= new ByteHeap());
}
