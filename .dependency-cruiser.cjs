/**
 * The import graph's rules (`npm run lint`): no cycles anywhere in src/; src/hook/, which is what the
 * build bundles into the pasted file, imports nothing but Node built-ins, the three runtime packages
 * and its own files; the layers only point down (hook <- build <- harness <- cli <- demo/bench).
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
    // The layers, lowest first: hook <- build <- harness <- cli <- demo / bench. A module imports its
    // own layer or a lower one; hook-is-closed above already keeps src/hook/ to itself.
    ...[
      ['build', 'harness|cli|demo|bench'],
      ['harness', 'cli|demo|bench'],
      ['cli', 'demo|bench'],
      ['demo', 'bench'],
      ['bench', 'demo'],
    ].map(([layer, higher]) => ({
      name: `layers-${layer}-points-down`,
      severity: 'error',
      comment: `src/${layer}/ may not import a higher layer (${higher.split('|').join(', ')}): hook <- build <- harness <- cli <- demo/bench.`,
      from: { path: `^src/${layer}/` },
      to: { path: `^src/(${higher})/` },
    })),
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
