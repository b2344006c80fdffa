/** One thing wrong with the input, located as `file:line:col` (queries) or `schema.table.column` (schema). */
export interface Problem {
  where: string;
  message: string;
}

/** Codegen found problems; it reports all of them at once and writes nothing. */
export class CodegenError extends Error {
  readonly problems: Problem[];
  constructor(problems: Problem[]) {
    super(`codegen failed with ${problems.length} problem${problems.length === 1 ? '' : 's'}:\n` + problems.map((p) => `  ${p.where}: ${p.message}`).join('\n'));
    this.name = 'CodegenError';
    this.problems = problems;
  }
}

/** 1-based line and column of a 0-based offset in `text`. */
export function lineCol(text: string, offset: number): { line: number; col: number } {
  const before = text.slice(0, Math.max(0, offset)).split('\n');
  return { line: before.length, col: before[before.length - 1].length + 1 };
}

export function at(file: string, text: string, offset: number): string {
  const { line, col } = lineCol(text, offset);
  return `${file}:${line}:${col}`;
}
