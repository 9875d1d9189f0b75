import { randomFillSync } from 'node:crypto';
import type { Attributes, HrTime, SpanContext, SpanKind, SpanStatus } from '@opentelemetry/api';
import type { InstrumentationScope } from '@opentelemetry/core';
import type { Resource } from '@opentelemetry/resources';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';

/** The scope every Nixie span carries: the spans come from eBPF capture, not from an instrumentation library. */
export const SCOPE: InstrumentationScope = Object.freeze({ name: '@nixie/exporter-otlp', version: '0.1.0' });

/** SpanStatusCode values. */
const STATUS_UNSET = 0;
const STATUS_ERROR = 2;
const UNSET: SpanStatus = Object.freeze({ code: STATUS_UNSET });

/** ns since epoch (a float64, exact to 256 ns) as OTel's [seconds, nanos]. */
export function hrTime(ns: number): HrTime {
  const s = Math.floor(ns / 1e9);
  return [s, Math.max(0, Math.min(999_999_999, Math.round(ns - s * 1e9)))];
}

const POOL_IDS = 1024;
const pool = Buffer.allocUnsafe(POOL_IDS * 24);
let poolAt = POOL_IDS;

/** A fresh (trace id, span id) pair: eBPF capture sees no propagated context, so each request is its own trace. */
function nextIds(ctx: { traceId: string; spanId: string }): void {
  // One random fill per 1024 spans: crypto per span would be the exporter's largest cost.
  if (poolAt === POOL_IDS) {
    randomFillSync(pool);
    poolAt = 0;
  }
  const o = poolAt++ * 24;
  ctx.traceId = pool.toString('hex', o, o + 16);
  ctx.spanId = pool.toString('hex', o + 16, o + 24);
}

/** A finished span built from a recorded row: a ReadableSpan the OTLP exporters accept as is. */
export class RowSpan implements ReadableSpan {
  readonly startTime: HrTime;
  readonly endTime: HrTime;
  readonly duration: HrTime;
  readonly status: SpanStatus;
  readonly links = [];
  readonly events = [];
  readonly ended = true;
  readonly instrumentationScope = SCOPE;
  readonly droppedAttributesCount = 0;
  readonly droppedEventsCount = 0;
  readonly droppedLinksCount = 0;
  readonly parentSpanContext?: SpanContext;
  private readonly context: SpanContext;

  constructor(
    readonly name: string,
    readonly kind: SpanKind,
    startNs: number,
    endNs: number,
    readonly attributes: Attributes,
    readonly resource: Resource,
    error?: string,
    ids?: { traceId: string; spanId: string; parentSpanId?: string },
  ) {
    this.startTime = hrTime(startNs);
    this.endTime = hrTime(endNs);
    this.duration = hrTime(Math.max(0, endNs - startNs));
    this.status = error === undefined ? UNSET : { code: STATUS_ERROR, message: error };
    const ctx = { traceId: '', spanId: '', traceFlags: 1 };
    if (ids && ids.traceId && ids.spanId) {
      ctx.traceId = ids.traceId;
      ctx.spanId = ids.spanId;
      if (ids.parentSpanId) this.parentSpanContext = { traceId: ids.traceId, spanId: ids.parentSpanId, traceFlags: 1 };
    } else {
      nextIds(ctx);
    }
    this.context = ctx;
  }

  spanContext(): SpanContext {
    return this.context;
  }
}
