/**
 * `printable` and `redactor`: what outside text may still do on a terminal once it went through
 * them (nothing), and which forms of a sent secret are cut out of an answer.
 */
import { describe, expect, it } from 'vitest';
import { printable, REDACTED, redactor } from '../../src/cli/terminal-text.js';

/** Any byte a terminal would act on: C0 (newline aside), DEL, C1, bidi controls. */
// eslint-disable-next-line no-control-regex -- the bytes a terminal acts on
const CONTROL_BYTE = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

describe('printable', () => {
  it('drops a window-title change, a screen clear and an OSC 52 clipboard write, with their payload', () => {
    const hostile = 'ok\u001b]0;pwned\u0007 \u001b[2J\u001b[H\u001b]52;c;Y3VybCBldmlsIHwgc2g=\u001b\\done';
    expect(printable(hostile)).toBe('ok done');
  });

  it('drops the 8-bit C1 forms of CSI and OSC, DEL and the other C0 controls', () => {
    expect(printable('a\u009b31mb\u009d0;t\u009cc\u007fd\u0000e\u0008f')).toBe('abcdef');
  });

  it('drops bidi overrides and isolates, which show text in another order than it is', () => {
    expect(printable('user\u202egnp.exe\u2066x\u2069')).toBe('usergnp.exex');
  });

  it('keeps one line on one line: newline, tab and carriage return become spaces', () => {
    expect(printable('allow/matched\r\n  9999  deny/forged')).toBe('allow/matched    9999  deny/forged');
  });

  it('keeps newlines where a block of lines is meant, and nothing else', () => {
    expect(printable('line 1\n\u001b[31mline 2\r', { multiline: true })).toBe('line 1\nline 2 ');
  });

  it('keeps letters of every script and emoji', () => {
    expect(printable('Zoë 東京 🙂 ü')).toBe('Zoë 東京 🙂 ü');
  });

  it('cuts a long text to the length asked for', () => {
    expect(printable('x'.repeat(500), { maxLength: 10 })).toBe(`${'x'.repeat(9)}…`);
  });

  it('leaves no control byte in any text of up to two code units', () => {
    for (let a = 0; a < 0x2100; a += 1) {
      for (const b of [0x1b, 0x5b, 0x5d, 0x07, 0x41, 0x9c]) {
        const out = printable(String.fromCharCode(a, b, 0x41));
        expect(CONTROL_BYTE.test(out) || out.includes('\n')).toBe(false);
      }
    }
  });
});

describe('redactor', () => {
  const secret = 'p$a(s)s\\w"o+r d.*é€';
  const redact = redactor([secret]);

  it('cuts the value out verbatim, regex specials and all', () => {
    expect(redact(`value ${secret} is invalid`)).toBe(`value ${REDACTED} is invalid`);
  });

  it('cuts out its JSON-escaped forms, with and without \\u escapes of non-ASCII', () => {
    const json = JSON.stringify({ message: `bad ${secret}` });
    const ascii = json.replace(/[\u0080-\uffff]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
    expect(redact(json)).not.toContain('w\\"o');
    expect(redact(ascii)).toBe(JSON.stringify({ message: `bad ${REDACTED}` }));
  });

  it('cuts out its URL- and form-encoded forms, whatever the hex case', () => {
    const encoded = encodeURIComponent(secret);
    expect(redact(`?v=${encoded}`)).toBe(`?v=${REDACTED}`);
    expect(redact(`?v=${encoded.replace(/%[0-9A-F]{2}/g, (escape) => escape.toLowerCase())}`)).toBe(`?v=${REDACTED}`);
    expect(redact(new URLSearchParams({ v: secret }).toString())).toBe(`v=${REDACTED}`);
  });

  it('cuts out the form printable would show of a secret with control characters', () => {
    const controlled = 'ab\u001b[31mcd\tef';
    expect(redactor([controlled])(printable(`x ${controlled} y`))).toBe(`x ${REDACTED} y`);
  });

  it('does not search for values too short to be a secret', () => {
    expect(redactor(['abc', undefined])('abc abc')).toBe('abc abc');
  });
});
