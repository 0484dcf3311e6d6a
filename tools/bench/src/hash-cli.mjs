// The tiny scripts the hash bench times as whole processes (`node hash-cli.mjs MODE FILE ALGO...`),
// so ours pays Node's startup like openssl and coreutils pay theirs. Prints one `algo hex` line
// per algorithm. Modes:
//   ours        `hashFile(file, algos)` from @procmon/hash: one pass, all algorithms
//   ours-async  `await hashFileAsync(file, algos)`
//   plain       a plain Node loop: `readSync` into a reused 1 MiB buffer + `hash.update`
//               (does not load @procmon/hash)
//   import      Node's startup + `import('@procmon/hash')` + `checkAlgorithms`, no hashing: the
//               fixed cost inside the ours rows (prints nothing)
import { plainHashFile } from './hash-plain.mjs';

const [mode, file, ...algorithms] = process.argv.slice(2);
if (!file || algorithms.length === 0) {
  console.error('usage: node hash-cli.mjs ours|ours-async|plain|import FILE ALGO...');
  process.exit(2);
}

let checksums;
if (mode === 'plain') {
  checksums = plainHashFile(file, algorithms);
} else {
  const hash = await import('@procmon/hash');
  if (mode === 'ours') checksums = hash.hashFile(file, algorithms);
  else if (mode === 'ours-async') checksums = await hash.hashFileAsync(file, algorithms);
  else if (mode === 'import') hash.checkAlgorithms(algorithms);
  else {
    console.error(`unknown mode "${mode}"`);
    process.exit(2);
  }
}
if (checksums) {
  process.stdout.write(algorithms.map((a) => `${a} ${checksums[a]}\n`).join(''));
}
