// One SWC configuration for jest (@swc/jest) and scripts/register-ts.cjs.
exports.swcOptions = function swcOptions(syntax = 'typescript') {
  return {
    jsc: {
      parser:
        syntax === 'typescript' ? { syntax, decorators: true } : { syntax, decorators: true, importAttributes: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
      target: 'es2022',
      keepClassNames: true,
    },
    module: { type: 'commonjs' },
  };
};
