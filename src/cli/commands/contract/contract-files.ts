/**
 * The files `contract --out <dir>` writes: per type `<TYPE>.default.js` (the generated code, as
 * received), `<TYPE>.request.json` (the sample body, indented when it is JSON, else as received)
 * and `<TYPE>.snippets.json`; once, `dynamics-365.integration.json` and each of its templates as
 * `dynamics-365.<key>.js`. A name comes from the API only through a pattern that cannot leave the
 * folder (`HOOK_TYPE_NAME`, `TEMPLATE_KEY`); anything else is not written, and the report says so.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileError } from '../../errors.js';
import type { Integration, ProbeHook, Snippet } from './contract-client.js';

/** Hook types as the published enum spells them: safe as a file name and a path segment. */
export const HOOK_TYPE_NAME = /^[A-Z][A-Z0-9_]{0,63}$/;
/** Template keys written as files; others stay inside the integration's JSON file. */
export const TEMPLATE_KEY = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

function write(path: string, text: string): string {
  try {
    writeFileSync(path, text);
  } catch (error) {
    throw fileError('write', path, error);
  }
  return path;
}

/** Creates `dir` (and its parents) if needed. */
export function prepareFolder(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true });
  } catch (error) {
    throw fileError('create folder', dir, error);
  }
}

function indented(requestBody: string): string {
  try {
    return `${JSON.stringify(JSON.parse(requestBody), null, 2)}\n`;
  } catch {
    return requestBody;
  }
}

/** Writes one type's files; returns their paths. `type` must match `HOOK_TYPE_NAME` (the caller checked). */
export function writeTypeFiles(dir: string, type: string, hook: ProbeHook, snippets: readonly Snippet[]): string[] {
  if (!HOOK_TYPE_NAME.test(type)) return [];
  return [
    ...(hook.code === undefined ? [] : [write(join(dir, `${type}.default.js`), hook.code)]),
    ...(hook.requestBody === undefined ? [] : [write(join(dir, `${type}.request.json`), indented(hook.requestBody))]),
    write(join(dir, `${type}.snippets.json`), `${JSON.stringify(snippets, null, 2)}\n`),
  ];
}

/** Writes the integration's answer and each template with a file-safe key; returns their paths. */
export function writeIntegrationFiles(dir: string, integration: Integration): string[] {
  const templates = Object.entries(integration.hooks ?? {}).filter(([key, template]) => TEMPLATE_KEY.test(key) && template.code !== undefined);
  return [
    write(join(dir, 'dynamics-365.integration.json'), `${JSON.stringify(integration, null, 2)}\n`),
    ...templates.map(([key, template]) => write(join(dir, `dynamics-365.${key}.js`), template.code ?? '')),
  ];
}
