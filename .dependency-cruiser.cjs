/** Layer and cycle rules: the direction of imports is the architecture (DESIGN.md §3). */
module.exports = {
  forbidden: [
    { name: 'no-cycles', severity: 'error', from: {}, to: { circular: true } },
    { name: 'core-is-pure', severity: 'error', comment: 'src/core holds pure protocol logic only',
      from: { path: '^src/core' }, to: { path: '^src/(net|store|node|web)' } },
    { name: 'core-no-node-builtins', severity: 'error', comment: 'src/core runs in the browser too',
      from: { path: '^src/core' }, to: { dependencyTypes: ['core'] } },
    { name: 'net-store-below-apps', severity: 'error',
      from: { path: '^src/(net|store)' }, to: { path: '^src/(node|web)' } },
    { name: 'net-store-independent', severity: 'error',
      from: { path: '^src/net' }, to: { path: '^src/store' } },
    { name: 'store-not-net', severity: 'error',
      from: { path: '^src/store' }, to: { path: '^src/net' } },
    { name: 'src-not-tests', severity: 'error',
      from: { path: '^src' }, to: { path: '^(test|bench)' } }
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.tsx', '.js'] }
  }
}
