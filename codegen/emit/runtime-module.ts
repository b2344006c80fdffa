import path from 'node:path';

/** What generated code imports the runtime from unless the config names another module: the installed package. */
export const DEFAULT_RUNTIME_MODULE = 'sqlwright/runtime';

/** `./x` and `../x` are paths; anything else, `.runtime/x` included, is a package specifier to Node. */
export function isRelativeSpecifier(specifier: string): boolean {
  return specifier.startsWith('./') || specifier.startsWith('../');
}

function asRelativeSpecifier(relativePath: string): string {
  return isRelativeSpecifier(relativePath) ? relativePath : `./${relativePath}`;
}

/**
 * The runtime module as `generate` takes it: a package specifier, or a path relative to the output directory
 * (starting with `./` or `../`). Configs give paths relative to themselves; this makes them relative to `outDir`.
 */
export function runtimeModuleForOutput(runtimeModule: string | undefined, outDir: string): string {
  if (runtimeModule === undefined) return DEFAULT_RUNTIME_MODULE;
  if (!path.isAbsolute(runtimeModule)) return runtimeModule;
  return asRelativeSpecifier(path.relative(outDir, runtimeModule).split(path.sep).join('/'));
}

/** The specifier by which the generated file `file` (a path relative to the output directory) imports the runtime. */
export function runtimeSpecifier(runtimeModule: string, file: string): string {
  if (!isRelativeSpecifier(runtimeModule)) return runtimeModule;
  // From the file's folder up to the output directory, then the module: no resolving against the process's cwd.
  return asRelativeSpecifier(path.posix.join(path.posix.relative(path.posix.dirname(file), '.') || '.', runtimeModule));
}
