/**
 * Summarises a V8 CPU profile (`.cpuprofile`, from `node --cpu-prof` or `npm run bench:warm --
 * --cpu-prof <dir>`): self time by area (the built hook, each package, Node internals, GC) and the
 * functions with the most self and total time inside the built hook.
 *
 * Usage: `npx tsx src/bench/profile-summary.ts <file.cpuprofile> [--top 25]`.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { formatTable } from '../harness/table.js';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** The area a frame belongs to, from its script URL. */
function areaOf(url: string, functionName: string): string {
  if (url === '') return functionName.startsWith('(') ? functionName : '(native)';
  if (url.includes('.hook.js')) return 'built hook';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg?.[1] !== undefined) return pkg[1];
  if (url.startsWith('node:')) return `node:${url.slice(5).split('/')[0] ?? ''}`;
  return 'bench and harness';
}

function main(): void {
  const { values, positionals } = parseArgs({ options: { top: { type: 'string', default: '25' } }, allowPositionals: true, strict: true });
  const file = positionals[0];
  if (file === undefined) throw new Error('Name a .cpuprofile file.');
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parentOf = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parentOf.set(child, node.id);
  const selfUs = new Map<number, number>();
  profile.samples.forEach((id, index) => selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[index] ?? 0)));
  const totalUs = [...selfUs.values()].reduce((a, b) => a + b, 0);

  const areas = new Map<string, number>();
  const hookSelf = new Map<string, number>();
  const hookTotal = new Map<string, number>();
  for (const [id, us] of selfUs) {
    const node = byId.get(id);
    if (node === undefined) continue;
    const { url, functionName } = node.callFrame;
    const area = areaOf(url, functionName);
    areas.set(area, (areas.get(area) ?? 0) + us);
    const name = (n: ProfileNode) => `${n.callFrame.functionName || '(anonymous)'}:${n.callFrame.lineNumber + 1}`;
    if (area === 'built hook') hookSelf.set(name(node), (hookSelf.get(name(node)) ?? 0) + us);
    // Total time: every built-hook frame on the sample's stack, each counted once per sample.
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parentOf.get(at)) {
      const frame = byId.get(at);
      if (frame === undefined || !frame.callFrame.url.includes('.hook.js')) continue;
      const key = name(frame);
      if (seen.has(key)) continue;
      seen.add(key);
      hookTotal.set(key, (hookTotal.get(key) ?? 0) + us);
    }
  }
  const top = Number(values.top);
  const percent = (us: number) => `${((us / totalUs) * 100).toFixed(1)} %`;
  const rows = (map: Map<string, number>) =>
    [...map]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([key, us]) => [key, `${(us / 1000).toFixed(0)} ms`, percent(us)]);
  console.log(`${file}: ${(totalUs / 1e6).toFixed(2)} s of samples\n`);
  console.log(formatTable([['area (self time)', 'time', 'share'], ...rows(areas)], 'markdown'));
  console.log('\n' + formatTable([['built hook function (self time)', 'time', 'share'], ...rows(hookSelf)], 'markdown'));
  console.log('\n' + formatTable([['built hook function (total time)', 'time', 'share'], ...rows(hookTotal)], 'markdown'));
}

main();
