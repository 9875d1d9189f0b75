import { DataType, formatUpid, stringAt, type ColumnSchema, type RowBatch, type TableSchema } from '@nixie/core';

/** One document on its way to an index. */
export interface EsDocument {
  readonly index: string;
  readonly doc: Record<string, unknown>;
}

/** ns since epoch as an ISO-8601 string with nanoseconds, which Elasticsearch's date_nanos accepts. */
export function isoNanos(ns: number): string {
  const ms = Math.floor(ns / 1e6);
  const sub = Math.max(0, Math.min(999_999, Math.round(ns - ms * 1e6)));
  const iso = new Date(ms).toISOString();
  return `${iso.slice(0, -1)}${String(sub).padStart(6, '0')}Z`;
}

/** `<prefix>-<table>-<yyyy.mm.dd>` for the UTC day of `ns`. */
export function indexName(prefix: string, table: string, ns: number): string {
  const d = new Date(Math.floor(ns / 1e6));
  const mm = String(d.getUTCMonth() + 1).padStart(2, '0');
  const dd = String(d.getUTCDate()).padStart(2, '0');
  return `${prefix}-${table.toLowerCase()}-${d.getUTCFullYear()}.${mm}.${dd}`;
}

/** Columns whose text is searched rather than matched whole: bodies, queries, headers, stacks. */
const TEXT_COLUMN = /(body|headers|^req$|^resp$|req_args|stack_trace|header)/;

/** Elasticsearch field mapping of a column. */
export function fieldMapping(c: ColumnSchema): Record<string, unknown> {
  switch (c.type) {
    case DataType.TIME64NS:
      return { type: 'date_nanos' };
    case DataType.INT64:
      return { type: 'long' };
    case DataType.FLOAT64:
      return { type: 'double' };
    case DataType.BOOLEAN:
      return { type: 'boolean' };
    case DataType.UINT128:
      return { type: 'keyword' };
    default:
      if (c.semantic === 'ip_addr') return { type: 'ip', ignore_malformed: true };
      if (TEXT_COLUMN.test(c.name)) return { type: 'text', fields: { keyword: { type: 'keyword', ignore_above: 1024 } } };
      return { type: 'keyword', ignore_above: 8191 };
  }
}

/** The index template for a table: its indices' pattern and mappings derived from the schema. */
export function indexTemplate(prefix: string, schema: TableSchema): { name: string; index_patterns: string[]; template: { mappings: Record<string, unknown> } } {
  const properties: Record<string, unknown> = { '@timestamp': { type: 'date_nanos' } };
  for (const c of schema.columns) {
    // time_ is the document's @timestamp.
    if (c.name === 'time_') continue;
    properties[c.name] = fieldMapping(c);
  }
  const name = `${prefix}-${schema.name.toLowerCase()}`;
  return {
    name,
    index_patterns: [`${name}-*`],
    // dynamic: false keeps a stray field from growing the mapping; the schema is the contract.
    template: { mappings: { dynamic: false, properties } },
  };
}

/** Row i of a batch as a document (time_ as @timestamp, upid as Pixie prints it); empty addresses are left out. */
export function toDocument(batch: RowBatch, i: number): Record<string, unknown> {
  const doc: Record<string, unknown> = {};
  const cols = batch.schema.columns;
  for (let j = 0; j < cols.length; j++) {
    const c = cols[j]!;
    const col = batch.columns[j]!;
    switch (col.type) {
      case DataType.STRING: {
        const v = stringAt(col, i);
        if (v === '' && c.semantic === 'ip_addr') break;
        doc[c.name] = v;
        break;
      }
      case DataType.UINT128:
        doc[c.name] = formatUpid({ high: col.high[i]!, low: col.low[i]! });
        break;
      case DataType.BOOLEAN:
        doc[c.name] = col.values[i] !== 0;
        break;
      case DataType.TIME64NS:
        doc[c.name === 'time_' ? '@timestamp' : c.name] = isoNanos(col.values[i]!);
        break;
      default:
        doc[c.name] = col.values[i]!;
    }
  }
  return doc;
}

/** The time_ column of a batch (ns since epoch), if it has one. */
export function timeColumn(batch: RowBatch): Float64Array | undefined {
  const j = batch.schema.columns.findIndex((c) => c.name === 'time_');
  const col = j < 0 ? undefined : batch.columns[j];
  return col && col.type === DataType.TIME64NS ? col.values : undefined;
}
