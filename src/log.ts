import { maskTrailingValue, redactUrl } from './redact.js';

/** The logger sqlwright writes to: pino-compatible, so a pino instance can be passed as it is. */
export interface Logger {
  debug?(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
  /** As pino's: whether a line at `level` would be written, so costly lines are not even built. */
  isLevelEnabled?(level: string): boolean;
}

type Level = 'debug' | 'info' | 'warn' | 'error';
const LEVELS: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40 };

const SECRET_KEY = /pass(word)?|secret|token|api[-_]?key|authorization/i;
const URL_IN_TEXT = /\b(postgres(?:ql)?|sqlite|mysql|redis|amqp):\/\/[^\s"']+/gi;

/**
 * Copies a log payload with secrets removed: keys that name a password or secret become `***`, any
 * connection URL anywhere in a string keeps its shape but loses its password, and a value PostgreSQL quoted
 * at the end of a message is masked (see maskTrailingValue).
 */
export function redact(value: unknown, depth = 0, key?: string): unknown {
  if (typeof value === 'string') {
    const text = value.replace(URL_IN_TEXT, (url) => redactUrl(url));
    // Statement text is the caller's SQL, whose quoted identifiers are no values; messages may quote values.
    return key === 'sql' ? text : maskTrailingValue(text);
  }
  if (value instanceof Error) {
    return { type: value.name, message: redact(value.message, depth + 1), ...('code' in value ? { code: (value as { code: unknown }).code } : {}) };
  }
  if (value === null || typeof value !== 'object' || depth > 6) return value;
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1));
  if (value instanceof Date) return value;
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    out[key] = SECRET_KEY.test(key) && !/file$/i.test(key) ? '***' : redact(v, depth + 1, key);
  }
  return out;
}

/** One JSON object per line on stderr (or a given sink), redacted. */
export function createJsonLogger(options: { level?: Level; write?: (line: string) => void; name?: string } = {}): Logger {
  const min = LEVELS[options.level ?? 'info'];
  const write = options.write ?? ((line: string) => process.stderr.write(line + '\n'));
  const emit = (level: Level) => (obj: object, msg: string) => {
    if (LEVELS[level] < min) return;
    const payload = redact(obj) as Record<string, unknown>;
    write(JSON.stringify({ level, time: new Date().toISOString(), ...(options.name ? { name: options.name } : {}), msg: redact(msg), ...payload }));
  };
  const isLevelEnabled = (level: string) => LEVELS[level as Level] >= min;
  return { debug: emit('debug'), info: emit('info'), warn: emit('warn'), error: emit('error'), isLevelEnabled };
}

/**
 * Wraps any logger (pino or ours) so every payload and message is redacted before it leaves sqlwright:
 * a user-supplied logger must not be trusted to scrub connection URLs.
 */
export function redactingLogger(inner: Logger): Logger {
  const wrap = (fn: ((obj: object, msg: string) => void) | undefined) =>
    fn && ((obj: object, msg: string) => fn.call(inner, redact(obj) as object, redact(msg) as string));
  return {
    debug: wrap(inner.debug),
    info: wrap(inner.info)!,
    warn: wrap(inner.warn)!,
    error: wrap(inner.error)!,
    ...(inner.isLevelEnabled ? { isLevelEnabled: (level: string) => inner.isLevelEnabled!(level) } : {}),
  };
}

export const silentLogger: Logger = { info() {}, warn() {}, error() {}, debug() {}, isLevelEnabled: () => false };
