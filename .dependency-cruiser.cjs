/**
 * The import graph's two rules (`npm run lint`): no cycles anywhere in src/, and src/hook/, which is
 * what the build bundles into the pasted file, imports nothing but Node built-ins, the three runtime
 * packages and its own files.
 */
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-cycle',
      severity: 'error',
      comment: 'An import cycle hides which module is the lower level; type-only cycles count too.',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'hook-is-closed',
      severity: 'error',
      comment: 'src/hook/ is pasted into Strivacity: it may import only itself, Node built-ins and the runtime packages.',
      from: { path: '^src/hook/' },
      to: { pathNot: ['^src/hook/', '^node_modules/(@azure/msal-node|dynamics-web-api|zod)/'], dependencyTypesNot: ['core'] },
    },
    {
      name: 'src-does-not-read-test',
      severity: 'error',
      comment: 'What ships and what operators run never depends on the test suite.',
      from: { path: '^src/' },
      to: { path: '^test/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.js', '.mjs', '.json'],
    },
  },
};
