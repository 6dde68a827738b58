/**
 * Loads Prisma's schema engine compiled to WebAssembly.
 *
 * The package's main entry does `import * as wasm from "./schema_engine_bg.wasm"`,
 * which Node 20 cannot do (no ESM integration for .wasm). The package also
 * exposes the generated glue module (`schema_engine_bg`), so we compile the .wasm
 * file that sits next to it ourselves and wire the two together, which is what the
 * main entry would have done.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { createRequire } from 'node:module';
import * as glue from '@prisma/schema-engine-wasm/schema_engine_bg';

export type { SchemaEngine } from '@prisma/schema-engine-wasm/schema_engine_bg';

const GLUE_SPECIFIER = '@prisma/schema-engine-wasm/schema_engine_bg';

let loaded: Promise<typeof glue> | undefined;

async function instantiate(): Promise<typeof glue> {
  const require = createRequire(import.meta.url);
  const gluePath = require.resolve(GLUE_SPECIFIER);
  const wasmPath = path.join(path.dirname(gluePath), 'schema_engine_bg.wasm');
  const compiled = await WebAssembly.compile(await fs.readFile(wasmPath));
  // Every import of the module is named after the glue file; the glue exports
  // exactly those functions.
  const imports: WebAssembly.Imports = {
    './schema_engine_bg.js': glue as unknown as WebAssembly.ModuleImports,
  };
  const instance = await WebAssembly.instantiate(compiled, imports);
  glue.__wbg_set_wasm(instance.exports);
  const start = instance.exports['__wbindgen_start'];
  if (typeof start === 'function') start();
  return glue;
}

/**
 * Returns the schema engine bindings, compiling the ≈5 MB module once per process
 * (the glue keeps the instance in module state, so there can only be one).
 */
export function loadSchemaEngine(): Promise<typeof glue> {
  loaded ??= instantiate().catch((error: unknown) => {
    loaded = undefined;
    throw error;
  });
  return loaded;
}

/** The version (engine commit) of the bundled schema engine, for diagnostics. */
export async function schemaEngineVersion(): Promise<string> {
  return (await loadSchemaEngine()).version();
}
