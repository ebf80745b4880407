/** How `try` shows what the hook answered or wrote: emails always masked, live CRM data and ids masked. */
import { getPath } from '../../../hook/attributes.js';
import { GUID } from '../../../hook/config.js';
import { EMAIL_LIKE, maskEmail } from '../../../harness/mask-email.js';

/**
 * A plain-data copy of `value` for printing: emails masked; with `live`, attribute values that the
 * payload did not have (filled from the CRM) replaced by a marker with their length, and, unless
 * `showIds`, record ids cut to their first block and the link hash hidden.
 */
export function maskForDisplay(value: unknown, payload: unknown, live: boolean, showIds = false): unknown {
  const inputAttributes = ((payload as { customer?: { attributes?: unknown } } | undefined)?.customer?.attributes ?? {}) as Record<string, unknown>;
  const walk = (node: unknown, path: readonly string[]): unknown => {
    if (typeof node === 'string') {
      if (EMAIL_LIKE.test(node.trim())) return maskEmail(node);
      if (live && !showIds && GUID.test(node)) return `${node.slice(0, 8)}-****-****-****-************`;
      if (live && !showIds && path.at(-1) === 'linkHash') return `<link hash: ${node.length} characters>`;
      if (live && path[0] === 'attributes' && getPath(inputAttributes, path.slice(1).join('.')) !== node) return `<from the CRM: ${node.length} characters>`;
      return node;
    }
    if (Array.isArray(node)) return node.map((item, index) => walk(item, [...path, String(index)]));
    if (typeof node === 'object' && node !== null) return Object.fromEntries(Object.entries(node).map(([key, child]) => [key, walk(child, [...path, key])]));
    return node;
  };
  return walk(value, []);
}
