/**
 * Text that came from outside (an Admin API answer, a hook's log line, a deployed file, a CRM's
 * error) made safe to print on a terminal. A terminal obeys what it is sent: ESC sequences retitle
 * the window, clear the screen or (OSC 52) write the clipboard, a carriage return overwrites what
 * the operator reads, and bidi overrides show text in another order than it is. `printable` keeps
 * the characters and drops those controls, so hostile text stays text. `--json` output needs none
 * of this: JSON.stringify escapes every control character.
 *
 * `redactor` is the other half: a value the command itself sent (a secret) cut out of whatever an
 * answer quoted back, in each form an answer may quote it in.
 */

/**
 * ESC sequences first, whole (so their printable tail does not survive): CSI (`ESC [ ... final`),
 * OSC / DCS / SOS / PM / APC strings up to BEL or ST, and two-byte escapes. Their 8-bit C1 forms
 * (U+009B CSI, U+009D OSC, ...) are matched the same way.
 */
const ESCAPE_SEQUENCE =
  // eslint-disable-next-line no-control-regex -- matching control characters is this file's purpose
  /(?:\u001b\[|\u009b)[\u0030-\u003f]*[\u0020-\u002f]*[\u0040-\u007e]?|(?:\u001b[\]PX^_]|[\u0090\u0098\u009d\u009e\u009f])[^\u0007\u001b\u009c]*(?:\u0007|\u001b\\|\u009c)?|\u001b[\u0020-\u002f]*[\u0030-\u007e]?/g;

/** C0 controls but newline, DEL, C1 controls; bidi embeddings, overrides and isolates (Trojan Source). */
// eslint-disable-next-line no-control-regex -- as above
const CONTROL_KEEPING_NEWLINE = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;
// eslint-disable-next-line no-control-regex -- as above
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

export interface PrintableOptions {
  /** Keep `\n` (a block of lines the caller means to print, such as a config diff). Default false: one line. */
  readonly multiline?: boolean;
  /** Cut to this many characters, with `…` (default: no limit). */
  readonly maxLength?: number;
}

/**
 * `text` without ESC sequences and control characters. On one line (the default) a newline, tab
 * or carriage return becomes a space, so outside text cannot start a line that looks like ours.
 */
export function printable(text: string, options: PrintableOptions = {}): string {
  const withoutSequences = text.replace(ESCAPE_SEQUENCE, '');
  const spaced = options.multiline === true ? withoutSequences.replace(/[\t\r]/g, ' ') : withoutSequences.replace(/[\t\r\n]/g, ' ');
  const clean = spaced.replace(options.multiline === true ? CONTROL_KEEPING_NEWLINE : CONTROL, '');
  const max = options.maxLength;
  return max !== undefined && clean.length > max ? `${clean.slice(0, Math.max(0, max - 1))}…` : clean;
}

/** What replaces a redacted value. */
export const REDACTED = '<redacted>';

/** Percent-encoded forms differ in hex case and in how a space is written. */
function percentForms(encoded: string): string[] {
  const lower = encoded.replace(/%[0-9A-F]{2}/g, (escape) => escape.toLowerCase());
  return [encoded, lower, encoded.replace(/%20/g, '+'), lower.replace(/%20/g, '+')];
}

/** `\u00e9`-style JSON escapes of every non-ASCII character (what some JSON writers emit). */
function asciiJson(value: string): string[] {
  const escaped = JSON.stringify(value)
    .slice(1, -1)
    .replace(/[\u0080-\uffff]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return [escaped, escaped.replace(/\\u([0-9a-f]{4})/g, (_escape, hex: string) => `\\u${hex.toUpperCase()}`)];
}

/**
 * A function that replaces each value of `secrets` in a text, verbatim (no regex: a secret's
 * `$`, `(` or `\` mean nothing here) and in the forms an error body may quote it in: JSON-escaped
 * (also with `\uXXXX` for non-ASCII), URL- and form-encoded, and as `printable` would show it.
 * Values shorter than 4 characters are not searched for (they would cut ordinary words).
 */
export function redactor(secrets: ReadonlyArray<string | undefined>): (text: string) => string {
  const forms = new Set<string>();
  for (const secret of secrets) {
    if (secret === undefined || secret.length < 4) continue;
    for (const form of [
      secret,
      JSON.stringify(secret).slice(1, -1),
      ...asciiJson(secret),
      ...percentForms(encodeURIComponent(secret)),
      // A form body encodes more than encodeURIComponent does (`(`, `)`, `'`, `!`).
      ...percentForms(new URLSearchParams({ v: secret }).toString().slice(2)),
      printable(secret),
      printable(secret, { multiline: true }),
    ])
      if (form.length >= 4) forms.add(form);
  }
  // Longest first: a shorter form inside a longer one must not leave the longer one's remainder.
  const ordered = [...forms].sort((a, b) => b.length - a.length);
  return (text) => ordered.reduce((out, form) => out.split(form).join(REDACTED), text);
}

/**
 * The values this process has sent that must never be printed (deploy's `--secret-from-env`).
 * Process-wide on purpose: the line that reports a failure is printed by `main.ts`, far from the
 * command that sent the value, and an API error may quote it back there. One command runs per
 * process; in tests the set only grows, which can only cut more.
 */
const sentSecrets = new Set<string>();
let redactSent: (text: string) => string = (text) => text;

/** Marks `value` as sent: every `outsideText` from now on cuts it out, in each of its quoted forms. */
export function neverPrint(value: string): void {
  sentSecrets.add(value);
  redactSent = redactor([...sentSecrets]);
}

/** Text that came from outside, as it may be printed: without the values sent, and `printable`. */
export function outsideText(text: string, options: PrintableOptions = {}): string {
  return printable(redactSent(text), options);
}

/** A JSON document for `--json`: already escaped by JSON.stringify, only the values sent are cut out. */
export function outsideJson(value: unknown): string {
  return redactSent(JSON.stringify(value, null, 2));
}
