/** Naming rules for generated code (docs/codegen.md, "Naming"). */

function words(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((w) => w.toLowerCase());
}

/** `first_name` -> `firstName`; `FindUserByEmail` -> `findUserByEmail`. */
export function camelCase(name: string): string {
  return words(name)
    .map((w, i) => (i === 0 ? w : w[0].toUpperCase() + w.slice(1)))
    .join('');
}

/** `task_status` -> `TaskStatus`. */
export function pascalCase(name: string): string {
  const c = camelCase(name);
  return c[0].toUpperCase() + c.slice(1);
}

/** `user_identities` -> `user-identities`. */
export function kebabCase(name: string): string {
  return words(name).join('-');
}

/** `FindUserByEmail` -> `find_user_by_email`. */
export function snakeCase(name: string): string {
  return words(name).join('_');
}

/** English singular of the last word: `user_identities` -> `user_identity`, `statuses` -> `status`, `tasks` -> `task`. */
export function singular(name: string): string {
  const rules: [RegExp, string][] = [
    [/ies$/, 'y'],
    [/(ss|sh|ch|x|z|us)es$/, '$1'],
    [/([^s])s$/, '$1'],
  ];
  for (const [pattern, replacement] of rules) if (pattern.test(name)) return name.replace(pattern, replacement);
  return name;
}

/** A TS string literal in single quotes. */
export function str(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\n/g, '\\n').replace(/\r/g, '\\r')}'`;
}

/** SQL text as a template literal when it can be one verbatim (readable multi-line SQL), else a string. */
export function sqlLiteral(text: string): string {
  return /[`\\]|\$\{/.test(text) || !text.includes('\n') ? str(text) : `\`${text}\``;
}

/**
 * Built-ins a module-level name in generated code must not shadow: those the emitted code uses (`Promise`, the
 * return type of every method) and those a reader takes for the built-in. A table `promises` still gets its type
 * `Promise`; the repository imports it under another name.
 */
export const GLOBAL_NAMES: ReadonlySet<string> = new Set([
  'Array', 'ArrayBuffer', 'Awaited', 'BigInt', 'Boolean', 'Buffer', 'Date', 'Error', 'Exclude', 'Extract', 'Function', 'Iterable',
  'JSON', 'Map', 'Math', 'NonNullable', 'Number', 'Object', 'Omit', 'Partial', 'Pick', 'Promise', 'PromiseLike', 'Readonly',
  'ReadonlyArray', 'Record', 'RegExp', 'Required', 'ReturnType', 'Set', 'String', 'Symbol', 'URL', 'Uint8Array', 'WeakMap', 'WeakSet',
]);

/**
 * `name`, or `name_` when a module already has that name (imported or declared) or it is a global. Every name
 * codegen derives from SQL is camelCase or PascalCase, without `_`: the fallback cannot clash with one of them.
 */
export function freeName(name: string, taken: ReadonlySet<string>): string {
  let free = name;
  while (taken.has(free) || GLOBAL_NAMES.has(free)) free += '_';
  return free;
}
