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
