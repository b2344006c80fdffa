/** Leading whitespace and comments, skipped before looking at a statement's first keyword. */
const LEADING = /^(?:\s+|--[^\n]*(?:\n|$)|\/\*[\s\S]*?\*\/)*/;
const OPENS = /^(?:begin|start\s+transaction)\b/i;

/**
 * Whether a statement a caller sends outside a transaction opens one (BEGIN / START TRANSACTION), by its first
 * keyword. Whether a transaction is open afterwards is then read from the server, never guessed from the text.
 */
export function opensTransaction(text: string): boolean {
  return OPENS.test(text.replace(LEADING, ''));
}
