// Lets plain `node -r ./scripts/register-ts.cjs file.ts` run the TypeScript sources (child
// processes in e2e tests, one-off tools) with the same SWC settings jest uses, so they never run
// stale compiled output. Production runs the tsc build in dist/.
const { transformSync } = require('@swc/core');
const Module = require('node:module');
const path = require('node:path');
const fs = require('node:fs');

const root = path.resolve(__dirname, '..');
const { swcOptions } = require('./swc-options.cjs');

require.extensions['.ts'] = function compileTs(module, filename) {
  const source = fs.readFileSync(filename, 'utf8');
  const { code } = transformSync(source, { ...swcOptions(), filename, sourceMaps: 'inline' });
  module._compile(code, filename);
};

// Resolve the @passerelle/* aliases of tsconfig.json to their sources.
const aliases = require(path.join(root, 'tsconfig.json')).compilerOptions.paths;
const originalResolve = Module._resolveFilename;
Module._resolveFilename = function resolveAlias(request, parent, ...rest) {
  const target = aliases[request];
  if (target) request = path.join(root, target[0]);
  return originalResolve.call(this, request, parent, ...rest);
};
