/**
 * PostgreSQL's own parser (libpg-query, WASM) behind a tiny surface: one statement in, its raw parse tree
 * out. The WASM module is imported lazily, so it loads only when codegen types a query (never from `src/`).
 */

/** A raw parse-tree node as libpg-query returns it: `{ NodeType: { ...fields } }`. */
export type PgNode = Record<string, any>;

let parser: Promise<typeof import('libpg-query')> | undefined;

/**
 * Parses one statement (`$n` placeholders, as pgtyped interpolates them) and returns its node, e.g.
 * `{ SelectStmt: {...} }`, or the parser's message when it cannot (a server that accepted the statement
 * may still be newer than the parser; the caller then treats every column as undecided).
 */
export async function parseStatement(sql: string): Promise<PgNode | string> {
  parser ??= import('libpg-query');
  try {
    const result = await (await parser).parse(sql);
    const stmts = result.stmts ?? [];
    if (stmts.length !== 1 || !stmts[0].stmt) return `expected one statement, found ${stmts.length}`;
    return stmts[0].stmt as PgNode;
  } catch (error) {
    return (error as Error).message;
  }
}

/** The node's type name and fields: `{ ColumnRef: f }` -> ['ColumnRef', f]. */
export function nodeOf(node: PgNode | undefined): [string, any] {
  if (!node) return ['', {}];
  const [kind] = Object.keys(node);
  return [kind, node[kind]];
}

/** `[{ String: { sval: 'app' } }, { String: { sval: 'users' } }]` -> ['app', 'users']; `A_Star` -> '*'. */
export function names(list: PgNode[] | undefined): string[] {
  return (list ?? []).map((n) => {
    const [kind, f] = nodeOf(n);
    return kind === 'String' ? String(f.sval) : kind === 'A_Star' ? '*' : '';
  });
}
