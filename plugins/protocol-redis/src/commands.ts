/**
 * Commands whose first argument is a subcommand: the record names both words (`CONFIG GET`,
 * `CLIENT SETNAME`), as Pixie does, so that queries can group by what was asked.
 */
export const CONTAINER_COMMANDS: ReadonlySet<string> = new Set([
  'ACL',
  'CLIENT',
  'CLUSTER',
  'COMMAND',
  'CONFIG',
  'DEBUG',
  'FUNCTION',
  'LATENCY',
  'MEMORY',
  'MODULE',
  'OBJECT',
  'PUBSUB',
  'SCRIPT',
  'SLOWLOG',
  'XGROUP',
  'XINFO',
]);

/** Pub/sub commands whose replies are one confirmation per channel (kind = the command, lower-cased). */
export const SUBSCRIBE_COMMANDS: ReadonlySet<string> = new Set([
  'SUBSCRIBE',
  'PSUBSCRIBE',
  'SSUBSCRIBE',
  'UNSUBSCRIBE',
  'PUNSUBSCRIBE',
  'SUNSUBSCRIBE',
]);

/** First words of pushes that deliver a published message to a subscriber. */
export const MESSAGE_KINDS: ReadonlySet<string> = new Set(['message', 'pmessage', 'smessage']);

/** req_cmd of a record for a message delivered to a subscriber (no request), as Pixie names it. */
export const PUSH_PUB_CMD = 'PUSH PUB';
