/**
 * The Node 18 run checks its own claim: every test file's worker (forked by vitest from the runner's
 * node binary) must be Node 18, or the run fails instead of proving nothing.
 */
if (!process.versions.node.startsWith('18.')) {
  throw new Error(`test/node18 must run on Node 18, but this worker is Node ${process.version}.`);
}
