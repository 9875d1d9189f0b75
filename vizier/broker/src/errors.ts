/**
 * Vizier's coded errors (same form as core's registry): each code has a message template, %s filled
 * in order, and a line of docs; README.md lists them and a test keeps the two in step.
 */
export const VIZIER_ERROR_CODES = Object.freeze({
  NIXIE_ERR_VIZIER_BUS_CONNECT: {
    message: 'cannot connect to NATS at %s: %s (is nats-server running? set nats.url, or leave it empty for the in-process bus)',
    doc: 'The NATS server named by nats.url could not be reached.',
  },
  NIXIE_ERR_VIZIER_BAD_REQUEST: { message: 'bad request: %s', doc: 'A request body the API cannot use; the message says which field.' },
  NIXIE_ERR_VIZIER_NOT_FOUND: { message: 'no such endpoint: %s %s (endpoints: %s)', doc: 'An unknown HTTP path or method.' },
  NIXIE_ERR_VIZIER_NO_AGENTS: {
    message: 'no live agents to run the query on (agents register over the bus; is an agent running?)',
    doc: 'A query arrived while no agent was registered.',
  },
  NIXIE_ERR_VIZIER_NO_AGENTS_WITH_TABLES: {
    message: 'no live agent has the table(s) %s (%s live agent(s); see `nixie get agents` for their tables)',
    doc: 'The script reads tables that no live agent reports.',
  },
  NIXIE_ERR_VIZIER_EXECUTE: { message: 'query failed: %s', doc: 'The vizier-side part of a query failed.' },
  NIXIE_ERR_VIZIER_ALL_AGENTS_FAILED: {
    message: 'every agent failed: %s',
    doc: 'No agent returned its part of the query; the message lists each agent and its error.',
  },
  NIXIE_ERR_VIZIER_LISTEN: { message: 'cannot listen on %s: %s', doc: 'The API address (vizier.listen) is taken or invalid.' },
} as const);

export type VizierErrorCode = keyof typeof VIZIER_ERROR_CODES;

/** An error a user can act on, from vizier; `code` is stable and documented. */
export class VizierError extends Error {
  constructor(
    readonly code: VizierErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'VizierError';
  }
}

/** Builds the error for `code`, filling %s in its message with `args` in order. */
export function createVizierError(code: VizierErrorCode, ...args: unknown[]): VizierError {
  let i = 0;
  const message = VIZIER_ERROR_CODES[code].message.replace(/%s/g, () => String(args[i++] ?? ''));
  return new VizierError(code, message);
}
