import type { z } from 'zod';
import { ValidationError, type ValidationIssue } from '../errors.js';
import { acceptsAsIs } from '../column-schemas.js';

function toIssues(error: z.ZodError): ValidationIssue[] {
  return error.issues.map((i) => ({
    path: i.path.map((p) => (typeof p === 'number' ? p : String(p))),
    message: i.message,
    code: i.code,
  }));
}

/**
 * Parses `input` with `schema` and returns the parsed value (defaults and transforms applied).
 * @throws ValidationError with one issue per zod issue; nothing has been sent to the database.
 */
export function validate<S extends z.ZodType>(schema: S, input: unknown, what: string): z.output<S> {
  const accepts = acceptsAsIs.get(schema);
  if (accepts !== undefined && accepts(input)) return input as z.output<S>;
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issues = toIssues(result.error);
  const summary = issues.map((i) => (i.path.length ? `${i.path.join('.')}: ${i.message}` : i.message)).join('; ');
  throw new ValidationError(`${what}: invalid input: ${summary}`, issues);
}
