#!/usr/bin/env node
// Assembles the WebAssembly kernels: src/kernels/*.wat (WebAssembly text) -> dist/src/kernels/*.wasm, with
// the wabt npm package (the reference WebAssembly toolkit's assembler, compiled to JS). `npm run build` runs it
// after tsc, so that the loader (src/kernels/index.ts, compiled to dist/src/kernels/) finds mlp.wasm beside it.
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.join(__dirname, '..');
const SOURCE_DIR = path.join(ROOT, 'src', 'kernels');
const OUT_DIR = path.join(ROOT, 'dist', 'src', 'kernels');

/** Assembles one .wat file to its .wasm bytes; throws with wabt's file:line:column message when it does not parse or validate. */
function assemble(wabt, file) {
  const module = wabt.parseWat(path.relative(ROOT, file), fs.readFileSync(file, 'utf8'), { simd: true });
  try {
    module.resolveNames();
    module.validate();
    return Buffer.from(module.toBinary({}).buffer);
  } finally {
    module.destroy();
  }
}

async function main() {
  const wabt = await require('wabt')();
  const sources = fs.readdirSync(SOURCE_DIR).filter((name) => name.endsWith('.wat')).sort();
  if (sources.length === 0) throw new Error(`no .wat files in ${SOURCE_DIR}`);
  fs.mkdirSync(OUT_DIR, { recursive: true });
  for (const name of sources) {
    const bytes = assemble(wabt, path.join(SOURCE_DIR, name));
    const target = path.join(OUT_DIR, name.replace(/\.wat$/, '.wasm'));
    // write-then-rename: a test run or worker thread never reads a half-written module
    const temporary = `${target}.${process.pid}.tmp`;
    fs.writeFileSync(temporary, bytes);
    fs.renameSync(temporary, target);
  }
}

main().catch((error) => {
  process.stderr.write(`build-kernels: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
