import { DEFAULT_DECODER_LIMITS, HTTP_EVENTS, MessageType, type Decoder, type DecoderLimits } from '@nixie/core';
import { asBuffer, HTTP1, LF } from './bytes.js';
import { methodAt } from './methods.js';
import { parseMessage, parseMessageInHeap } from './parse.js';
import { stitchHttp, stitchHttpInto } from './stitch.js';
import { newArena, releaseArena, resetArena, type Arena, type HttpMessage, type HttpState } from './types.js';

/**
 * States of closed connections (releaseState), made as new, for the next ones: a connection that comes and goes
 * then allocates no state, arenas or registry entry (replay with short connections spent much of its time on
 * them and on their copying by the young-generation GC). Bounded; beyond, a state's arenas go back to the heap.
 */
const spareStates: HttpState[] = [];
const MAX_SPARE_STATES = 256;
const spare = new WeakSet<HttpState>();

/** A connection's state is gone: its arenas go back to the byte heap. */
const stateGone = new FinalizationRegistry<readonly [Arena, Arena]>(([req, resp]) => {
  releaseArena(req);
  releaseArena(resp);
});

/** Offset >= from where an HTTP/1 message of `type` plausibly starts (at `from` or after a line feed), or -1. */
export function findHttpBoundary(type: MessageType, buf: Uint8Array, from: number): number {
  const b = asBuffer(buf);
  if (type === MessageType.RESPONSE) {
    for (let i = b.indexOf(HTTP1, from); i >= 0; i = b.indexOf(HTTP1, i + 1)) {
      if (i === from || b[i - 1] === LF) return i;
    }
    return -1;
  }
  for (let i = from; i < b.length; i++) {
    if (i !== from && b[i - 1] !== LF) continue;
    const c = b[i]!;
    if (c < 0x41 || c > 0x5a) continue;
    for (let n = 3; n <= 9 && i + n < b.length; n++) {
      if (b[i + n] === 0x20 && methodAt(b, i, n) !== '') return i;
    }
  }
  return -1;
}

/** The HTTP/1.x decoder (http_events). */
export const httpDecoder: Decoder<HttpMessage, HttpState> = {
  protocol: 'http',
  table: HTTP_EVENTS,
  transport: 'stream',
  createState(limits: DecoderLimits = DEFAULT_DECODER_LIMITS): HttpState {
    const reused = spareStates.pop();
    if (reused !== undefined) {
      spare.delete(reused);
      reused.limits = limits;
      return reused;
    }
    const state: HttpState = { limits, methods: [], upgradePending: false, upgraded: false, requestText: newArena(), responseText: newArena() };
    // The arenas, not the state, are held: the registry must not keep the state alive.
    stateGone.register(state, [state.requestText, state.responseText], state);
    return state;
  },
  releaseState(state: HttpState): void {
    // Released twice would hand one state to two connections.
    if (spare.has(state)) return;
    if (spareStates.length < MAX_SPARE_STATES) {
      state.methods.length = 0;
      state.upgradePending = false;
      state.upgraded = false;
      resetArena(state.requestText);
      resetArena(state.responseText);
      spare.add(state);
      spareStates.push(state);
      return;
    }
    stateGone.unregister(state);
    releaseArena(state.requestText);
    releaseArena(state.responseText);
  },
  findFrameBoundary: findHttpBoundary,
  parseFrame: parseMessage,
  parseFrameInHeap: parseMessageInHeap,
  stitch: stitchHttp,
  stitchInto: stitchHttpInto,
};
