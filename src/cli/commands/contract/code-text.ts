/**
 * Lexical helpers for reading JavaScript as text (it is never run): comments blanked out with
 * their positions kept, and bracket matching that skips strings. An approximation on purpose: no
 * regex literals, and a template literal ends at the next unescaped backtick (its `${}` parts are
 * not parsed). Strivacity's generated templates are plain code, for which that is exact enough.
 */

/** `code` with every comment replaced by spaces (newlines kept), so indices still match `code`. */
export function blankComments(code: string): string {
  const out = code.split('');
  let quote: string | undefined;
  for (let index = 0; index < code.length; index += 1) {
    const char = code[index];
    if (quote !== undefined) {
      if (char === '\\') index += 1;
      else if (char === quote) quote = undefined;
      continue;
    }
    if (char === '"' || char === "'" || char === '`') {
      quote = char;
      continue;
    }
    const next = code[index + 1];
    if (char === '/' && (next === '/' || next === '*')) {
      const end = next === '/' ? code.indexOf('\n', index) : code.indexOf('*/', index + 2);
      const stop = end === -1 ? code.length : next === '/' ? end : end + 2;
      for (let at = index; at < stop; at += 1) if (out[at] !== '\n') out[at] = ' ';
      index = stop - 1;
    }
  }
  return out.join('');
}

const CLOSING: Readonly<Record<string, string>> = { '(': ')', '[': ']', '{': '}' };

/**
 * The text between the bracket at `open` and its match (comments already blanked), or undefined
 * when it is never closed.
 */
export function bracketed(code: string, open: number): string | undefined {
  const stack: string[] = [];
  let quote: string | undefined;
  for (let index = open; index < code.length; index += 1) {
    const char = code[index] ?? '';
    if (quote !== undefined) {
      if (char === '\\') index += 1;
      else if (char === quote) quote = undefined;
      continue;
    }
    if (char === '"' || char === "'" || char === '`') quote = char;
    else if (CLOSING[char] !== undefined) stack.push(CLOSING[char]);
    else if (char === stack.at(-1)) {
      stack.pop();
      if (stack.length === 0) return code.slice(open + 1, index);
    }
  }
  return undefined;
}

/** `text` split at its top-level commas (not inside brackets or strings), each part trimmed, empty ones dropped. */
export function splitTopLevel(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quote: string | undefined;
  let start = 0;
  for (let index = 0; index < text.length; index += 1) {
    const char = text[index] ?? '';
    if (quote !== undefined) {
      if (char === '\\') index += 1;
      else if (char === quote) quote = undefined;
    } else if (char === '"' || char === "'" || char === '`') quote = char;
    else if (CLOSING[char] !== undefined) depth += 1;
    else if (char === ')' || char === ']' || char === '}') depth -= 1;
    else if (char === ',' && depth === 0) {
      parts.push(text.slice(start, index));
      start = index + 1;
    }
  }
  parts.push(text.slice(start));
  return parts.map((part) => part.trim()).filter((part) => part !== '');
}
