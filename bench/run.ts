// `npm run bench`: every benchmark in one process, one after another (they share the machine's 2 cores,
// so running them side by side would only measure each other). `npm run bench -- pool` runs one.
const BENCHES = ["pool", "repository", "sqlite", "scale"] as const;

const only = process.argv.slice(2);
for (const name of BENCHES) {
  if (only.length > 0 && !only.includes(name)) continue;
  const module = (await import(`./${name}.bench.ts`)) as { run(): Promise<void> };
  console.log(`\n=== ${name} ===`);
  await module.run();
}
