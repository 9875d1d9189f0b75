/** A leveled logger writing one line per message to stderr. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';
const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

export interface Logger {
  debug(msg: string): void;
  info(msg: string): void;
  warn(msg: string): void;
  error(msg: string): void;
  child(scope: string): Logger;
}

/** A logger that drops messages below `level`. `sink` defaults to stderr. */
export function createLogger(level: LogLevel = 'info', scope = 'nixie', sink: (line: string) => void = (l) => process.stderr.write(l + '\n')): Logger {
  const min = ORDER[level];
  const at = (lvl: LogLevel) => (msg: string) => {
    if (ORDER[lvl] >= min) sink(`${new Date().toISOString()} ${lvl.padEnd(5)} [${scope}] ${msg}`);
  };
  return {
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    child: (s) => createLogger(level, `${scope}:${s}`, sink),
  };
}
