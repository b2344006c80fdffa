/** `npm run codegen -- --explain <QueryName>`: per result column, its type, nullability and deciding rule. */
import type { PgType } from '../../catalog/types.js';
import type { TypedQuery } from '../types.js';

export function typeName(t: PgType): string {
  return `${t.kind === 'base' ? t.name : `${t.schema}.${t.name}`}${t.array ? '[]' : ''}`;
}

/** A table of the query's result columns; one line per column, aligned. */
export function explainQuery(q: TypedQuery): string {
  const rows = q.columns.map((c, i) => [c.key, typeName(c.type), c.nullable ? 'nullable' : 'non-null', q.nullabilityRules?.[i] ?? '']);
  const header = ['column', 'type', 'nullability', 'rule'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (r: string[]) => `  ${r.map((cell, i) => (i < r.length - 1 ? cell.padEnd(widths[i]) : cell)).join('  ')}`.trimEnd();
  const body = q.columns.length === 0 ? ['  (no result columns)'] : [line(header), ...rows.map(line)];
  return [`${q.name} (${q.file})`, ...body].join('\n');
}
