/** Leading whitespace and comments, skipped before looking at a statement's first keyword. */
const LEADING = /^(?:\s+|--[^\n]*(?:\n|$)|\/\*[\s\S]*?\*\/)*/;
const OPENS = /^(?:begin|start\s+transaction)\b/i;
/** COMMIT / END / ROLLBACK / ABORT / PREPARE TRANSACTION, but not ROLLBACK [WORK] TO SAVEPOINT or ... PREPARED. */
const CLOSES = /^(?:commit|end|abort|rollback|prepare\s+transaction)\b(?!\s+(?:(?:work|transaction)\s+)?to\b)(?!\s+prepared\b)/i;

/**
 * Whether a statement a caller sends opens or closes a transaction block, by its first keyword. For a
 * multi-statement string only the first statement counts.
 */
export function transactionControlOf(text: string): 'opens' | 'closes' | undefined {
  const statement = text.replace(LEADING, '');
  if (OPENS.test(statement)) return 'opens';
  if (CLOSES.test(statement)) return 'closes';
  return undefined;
}
