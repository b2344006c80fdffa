/** A config value is missing or invalid; the message names the key. It never quotes a URL (it may hold a password). */
export class ConfigError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ConfigError';
  }
}
