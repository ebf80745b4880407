/** The two checks that need more than one request's answer: columns and write privileges. */
import type { DynamicsWebApi } from 'dynamics-web-api';
import { syncColumnsOf, type Config } from '../../../hook/config.js';
import { closestName } from '../../closest-name.js';
import { privilegeSetting } from './diagnosis.js';
import { contactColumns, type PrivilegeDepth, userPrivileges } from '../../probes.js';
import type { Outcome } from './report.js';

/** Every `enrich` and `sync` column exists on contact; a near miss gets a "did you mean". */
export async function checkColumns(client: DynamicsWebApi, config: Config, request: { token: string; signal: AbortSignal }): Promise<Outcome> {
  const wanted = new Map<string, string>();
  for (const [path, column] of Object.entries(config.enrich)) wanted.set(column, `enrich ${path}`);
  if (config.sync !== undefined)
    for (const [column, path] of Object.entries(syncColumnsOf(config))) if (!wanted.has(column)) wanted.set(column, `sync ${path}`);
  if (wanted.size === 0) return { status: 'ok', detail: 'no enrich or sync columns configured' };
  const existing = await contactColumns(client, request);
  const missing = [...wanted.keys()].filter((column) => !existing.has(column));
  if (missing.length === 0) return { status: 'ok', detail: `${[...wanted.keys()].join(', ')} exist on contact` };
  const described = missing.map((column) => {
    const suggestion = closestName(column, existing);
    return `${column} (${wanted.get(column)})${suggestion === undefined ? '' : `, did you mean ${suggestion}?`}`;
  });
  return {
    status: 'fail',
    detail: `${missing.length} configured column(s) not found on contact`,
    code: 'unknown column',
    cause: `contact has no column ${described.join('; ')}`,
    fix: "Use the column's logical name (lower case), as shown in Power Apps > Tables > Contact > Columns > (column) > Advanced options > Logical name.",
  };
}

/**
 * What the post-registration hook needs: write (and create, unless `sync.createIfMissing` is false;
 * it defaults to true), and read/write beyond the app's own records. `severity` is what a missing
 * privilege is: `fail` when that hook is the one being checked, `warn` when it may not be used at
 * all (a pre-registration-only setup rightly lacks them: least privilege).
 */
export async function checkPrivileges(
  client: DynamicsWebApi,
  config: Config,
  userId: string,
  request: { token: string; signal: AbortSignal },
  severity: 'fail' | 'warn' = 'fail',
  // The deletion hook only deactivates: it never creates, whatever sync says.
  createsContacts = config.sync?.createIfMissing !== false,
): Promise<Outcome> {
  const held = await userPrivileges(client, userId, request);
  const required = ['prvReadContact', 'prvWriteContact', ...(createsContacts ? ['prvCreateContact'] : [])];
  const problems: string[] = [];
  for (const privilege of required) {
    const depth = held.get(privilege);
    if (depth === undefined) problems.push(`lacks ${privilege} ("${privilegeSetting(privilege)}")`);
    // User-level read/write reaches only contacts the Application User owns: not the customers.
    else if (depth === 'Basic' && privilege !== 'prvCreateContact') problems.push(`has ${privilege} only at User level ("${privilegeSetting(privilege)}")`);
  }
  const summary = required.map((privilege) => `${privilege} ${depthLabel(held.get(privilege))}`).join(', ');
  if (problems.length === 0) return { status: 'ok', detail: summary };
  return {
    status: severity,
    detail: summary,
    code: 'missing privilege',
    cause:
      severity === 'fail'
        ? `The Application User's security role ${problems.join('; ')}. The post-registration hook needs these; the pre-registration hook needs only read.`
        : `The Application User's security role ${problems.join('; ')}. Only the post-registration hook needs these: fine for the pre-registration hook, which needs only read (doctor --hook post-registration makes this a failure).`,
    fix: 'Power Platform admin center > Environments > (your environment) > Settings > Users + permissions > Security roles > (the role of the app user): set the Contact row to Organization (or Business Unit) for each privilege named, save, and wait a minute.',
  };
}

function depthLabel(depth: PrivilegeDepth | undefined): string {
  if (depth === undefined) return 'missing';
  return { Basic: 'User', Local: 'Business Unit', Deep: 'Parent: Child Business Units', Global: 'Organization', unknown: 'granted' }[depth];
}
