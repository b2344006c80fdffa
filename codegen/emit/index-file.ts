import type { Problem } from '../errors.js';
import type { EntityModel } from './model.js';
import { renderSource } from './source.js';

/** generated/index.ts: re-exports everything and the `Repositories` aggregate bound to one executor. */
export function emitIndex(models: readonly EntityModel[], hasEnums: boolean, sources: readonly string[], runtime: string): string {
  const sorted = [...models].sort((a, b) => a.property.localeCompare(b.property));
  return renderSource(sources, (file) => {
    file.addImportDeclaration({ moduleSpecifier: runtime, isTypeOnly: true, namedImports: ['Executor'] });
    for (const m of sorted) file.addImportDeclaration({ moduleSpecifier: `./repositories/${m.fileBase}-repository.js`, namedImports: [`${m.entity}Repository`] });
    if (hasEnums) file.addExportDeclaration({ moduleSpecifier: './entities/enums.js' });
    for (const m of sorted) file.addExportDeclaration({ moduleSpecifier: `./entities/${m.fileBase}.js` });
    for (const m of sorted) file.addExportDeclaration({ moduleSpecifier: `./repositories/${m.fileBase}-repository.js` });
    file.addClass({
      isExported: true,
      name: 'Repositories',
      docs: ['Every repository, bound to one session or transaction: `new Repositories(tx).users.get(id)`.'],
      properties: sorted.map((m) => ({ name: m.property, isReadonly: true, type: `${m.entity}Repository` })),
      ctors: [{ parameters: [{ name: 'executor', type: 'Executor' }], statements: sorted.map((m) => `this.${m.property} = new ${m.entity}Repository(executor);`) }],
    });
  });
}

/**
 * index.ts re-exports every generated module with `export *`, where a name two modules export is ambiguous and
 * does not compile: a table `key_wheres` (type `KeyWhere`) beside the `KeyWhere` filter of `keys`, an enum
 * `task_status` beside a table `task_statuses`. Each pair of modules sharing names is a problem naming both and their owners.
 * `ownerOf` says where a module comes from (`app.keys`, the enums).
 */
export function exportClashes(files: ReadonlyMap<string, string>, ownerOf: (file: string) => string): Problem[] {
  const exporter = new Map<string, string>();
  const clashes = new Map<string, { file: string; other: string; names: string[] }>();
  for (const [file, text] of files) {
    if (!file.endsWith('.ts')) continue;
    for (const [, name] of text.matchAll(/^export (?:const|type|class|function|interface) ([A-Za-z_$][\w$]*)/gm)) {
      const other = exporter.get(name);
      if (other === undefined) exporter.set(name, file);
      else {
        const pair = clashes.get(`${file}\n${other}`) ?? { file, other, names: [] };
        pair.names.push(name);
        clashes.set(`${file}\n${other}`, pair);
      }
    }
  }
  return [...clashes.values()].map(({ file, other, names }) => ({
    where: ownerOf(file),
    message: `${file} exports ${names.join(', ')}, as does ${other} (${ownerOf(other)}), and index.ts re-exports both; rename a table, enum or query`,
  }));
}
