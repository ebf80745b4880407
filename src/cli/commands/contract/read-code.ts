/**
 * What a hook type's generated code says about its contract, read as text (never run): the
 * argument paths its JSDoc documents, the result classes it names, and the parameters of the
 * exported function. Strivacity's published hook code documents its arguments in a JSDoc block
 * above `module.exports = async function ({ ... }, callback, error)`, declares some result classes
 * (`class RegistrationData`) and uses others as runtime globals (`new ShowErrorMessage(...)`, "X is
 * a global object"); the generated default is expected to have that form (an inference: see
 * docs/contract.md). Each reader returns what it found and nothing it guessed.
 */
import { blankComments, bracketed, splitTopLevel } from './code-text.js';

export interface ArgumentPath {
  /** Relative to the argument object: `customer.attributes`, without the JSDoc root (`args.`). */
  readonly path: string;
  /** The JSDoc type as written (`string[]`, `Object`), or '' when the line has none. */
  readonly type: string;
}

export interface ResultClass {
  readonly name: string;
  /** True when the code declares it (`class X`); false for a name it only uses or documents (a runtime global). */
  readonly declared: boolean;
}

export interface ExportedFunction {
  /** The first parameter: its name, or the names it destructures (`{ application, customer }`). */
  readonly argument: { readonly name: string } | { readonly destructures: readonly string[] } | undefined;
  /** The parameters after the first: what Strivacity passes to answer with (`callback`, `error`). */
  readonly callbacks: readonly string[];
}

const IDENTIFIER = '[A-Za-z_$][\\w$]*';
const EXPORT = /\b(?:module\.)?exports(?:\.[A-Za-z_$][\w$]*)?\s*=\s*/g;
const PARAM_LINE = new RegExp(`@param\\s+(?:\\{([^}\\n]*)\\}\\s*)?\\[?(${IDENTIFIER}(?:\\[\\])?(?:\\.${IDENTIFIER}(?:\\[\\])?)*)`, 'g');
/** Names that `new X(` may build without X being an answer of the hook. */
const BUILT_INS = new Set([
  'AbortController',
  'Array',
  'Boolean',
  'Buffer',
  'Date',
  'Error',
  'Function',
  'Headers',
  'Map',
  'Number',
  'Object',
  'Promise',
  'Proxy',
  'RangeError',
  'RegExp',
  'Request',
  'Response',
  'Set',
  'String',
  'Symbol',
  'TextDecoder',
  'TextEncoder',
  'TypeError',
  'URL',
  'URLSearchParams',
  'WeakMap',
  'WeakSet',
]);

/** The first `module.exports = ` (or `exports.x = `) outside comments: where it starts and where its value does. */
function exportAssignment(blank: string): { at: number; value: number } | undefined {
  EXPORT.lastIndex = 0;
  const match = EXPORT.exec(blank);
  return match === null ? undefined : { at: match.index, value: match.index + match[0].length };
}

/**
 * Where the exported function's parameters are: the index of their `(` (or the one parameter of
 * `x => ...`), and `anchor`, where its doc comment would end (the export, or the declaration of
 * the function it names).
 */
function parameterList(blank: string): (({ open: number } | { single: string }) & { anchor: number }) | undefined {
  const assignment = exportAssignment(blank);
  if (assignment === undefined) return undefined;
  const rest = blank.slice(assignment.value);
  const direct = /^(?:async\s+)?(?:function\b\s*\*?\s*[\w$]*\s*)?\(/.exec(rest);
  if (direct !== null) return { open: assignment.value + direct[0].length - 1, anchor: assignment.at };
  const arrow = new RegExp(`^(?:async\\s+)?(${IDENTIFIER})\\s*=>`).exec(rest);
  if (arrow?.[1] !== undefined) return { single: arrow[1], anchor: assignment.at };
  // `module.exports = handler;`: the function declared under that name.
  const named = new RegExp(`^(${IDENTIFIER})\\s*(?:;|$)`, 'm').exec(rest);
  if (named?.[1] === undefined) return undefined;
  const name = named[1].replace(/\$/g, '\\$');
  const declaration = new RegExp(
    `(?:\\bfunction\\s*\\*?\\s*${name}\\s*\\(|\\b(?:const|let|var)\\s+${name}\\s*=\\s*(?:async\\s+)?(?:function\\b\\s*\\*?\\s*[\\w$]*\\s*)?\\()`,
  ).exec(blank);
  if (declaration === null) return undefined;
  return { open: declaration.index + declaration[0].length - 1, anchor: lineStart(blank, declaration.index) };
}

/** The start of the code on the line of `index` (an `async` before `function` belongs to it). */
function lineStart(blank: string, index: number): number {
  const newline = blank.lastIndexOf('\n', index - 1);
  const start = newline + 1;
  return /^\s*(?:async\s+)?$/.test(blank.slice(start, index)) ? start : index;
}

/** A parameter's name, or the names a `{ ... }` parameter destructures. */
function parameterOf(text: string): { name: string } | { destructures: string[] } {
  if (text.startsWith('{')) {
    const inner = bracketed(text, 0) ?? text.slice(1);
    const names = splitTopLevel(inner).map((part) => /^(?:\.\.\.)?\s*['"]?([\w$]+)/.exec(part)?.[1] ?? part);
    return { destructures: names };
  }
  return { name: /^(?:\.\.\.)?\s*([^=\s]+)/.exec(text)?.[1] ?? text };
}

/** The exported function's parameters, or undefined when no `module.exports = <function>` is found. */
export function readExportedFunction(code: string): ExportedFunction | undefined {
  const blank = blankComments(code);
  const list = parameterList(blank);
  if (list === undefined) return undefined;
  if ('single' in list) return { argument: { name: list.single }, callbacks: [] };
  const inner = bracketed(blank, list.open);
  if (inner === undefined) return undefined;
  const [first, ...rest] = splitTopLevel(inner).map(parameterOf);
  return { argument: first, callbacks: rest.map((parameter) => ('name' in parameter ? parameter.name : '{…}')) };
}

/** The JSDoc block right above the export (nothing but blanks between), or undefined. */
function exportDoc(code: string, blank: string): string | undefined {
  const list = parameterList(blank);
  if (list === undefined) return undefined;
  const before = code.slice(0, list.anchor);
  const open = before.lastIndexOf('/**');
  const close = open === -1 ? -1 : before.indexOf('*/', open + 3);
  if (close === -1) return undefined;
  return blank.slice(close + 2, list.anchor).trim() === '' ? code.slice(open, close + 2) : undefined;
}

/**
 * The argument paths the export's JSDoc documents (`@param {string} args.customer.store ...`),
 * relative to its first, undotted `@param` (the argument object). Undotted names after it are the
 * callbacks, read by `readExportedFunction`.
 */
export function readArgumentPaths(code: string): ArgumentPath[] {
  const doc = exportDoc(code, blankComments(code));
  if (doc === undefined) return [];
  const params = [...doc.matchAll(PARAM_LINE)].map((match) => ({ type: (match[1] ?? '').trim(), name: match[2] ?? '' }));
  const root = params[0] !== undefined && !params[0].name.includes('.') ? params[0].name : undefined;
  const paths = params.flatMap(({ type, name }) => {
    if (root !== undefined) return name.startsWith(`${root}.`) ? [{ path: name.slice(root.length + 1), type }] : [];
    return name.includes('.') ? [{ path: name, type }] : [];
  });
  const seen = new Set<string>();
  return paths.filter((entry) => !seen.has(entry.path) && seen.add(entry.path));
}

/**
 * The result classes the code names, in order of first mention: declared (`class X`), built
 * (`new X(`, comments included: a default template may show its answers only in comments),
 * documented as globals ("X is a global object") and named in `@callback` parameter types
 * (`{RegistrationData|RedirectRequest}`). Built-ins (`new Error(`, `new URL(`) are left out.
 */
export function readResultClasses(code: string): ResultClass[] {
  const blank = blankComments(code);
  const declared = new Set([...blank.matchAll(new RegExp(`\\bclass\\s+(${IDENTIFIER})`, 'g'))].map((match) => match[1] ?? ''));
  const mentions: Array<{ name: string; at: number }> = [];
  const add = (name: string | undefined, at: number) => {
    if (name !== undefined && /^[A-Z]/.test(name) && !BUILT_INS.has(name)) mentions.push({ name, at });
  };
  for (const match of blank.matchAll(new RegExp(`\\bclass\\s+(${IDENTIFIER})`, 'g'))) add(match[1], match.index);
  for (const match of code.matchAll(new RegExp(`\\bnew\\s+(${IDENTIFIER})\\s*\\(`, 'g'))) add(match[1], match.index);
  for (const match of code.matchAll(new RegExp(`\\b(${IDENTIFIER}) is a global object`, 'g'))) add(match[1], match.index);
  for (const block of code.matchAll(/\/\*\*[\s\S]*?\*\//g)) {
    if (!/@callback\b/.test(block[0])) continue;
    for (const type of block[0].matchAll(/@param\s+\{([^}\n]*)\}/g))
      for (const name of (type[1] ?? '').split('|')) add(name.trim().replace(/\[\]$/, ''), block.index + type.index);
  }
  mentions.sort((a, b) => a.at - b.at);
  const seen = new Set<string>();
  return mentions.filter(({ name }) => !seen.has(name) && seen.add(name)).map(({ name }) => ({ name, declared: declared.has(name) }));
}
