import { describe, expect, it, vi } from 'vitest';
import { HookError } from '../../src/hook/errors.js';
import { consoleSink, createLogger, emailHash, failureFields, type LogLine, logSkippedValues } from '../../src/hook/log.js';

const TENANT = '11111111-2222-3333-4444-555555555555';

function capture(minimum: Parameters<typeof createLogger>[0]): { lines: LogLine[]; log: ReturnType<typeof createLogger> } {
  const lines: LogLine[] = [];
  return { lines, log: createLogger(minimum, (line) => lines.push(line)) };
}

function logEveryLevel(log: ReturnType<typeof createLogger>): void {
  log.debug('token.prefetch_failed');
  log.info('registration.decided');
  log.warn('token.renewal_failed');
  log.error('hook.callback_threw');
}

describe('createLogger', () => {
  it.each([
    ['debug', ['token.prefetch_failed', 'registration.decided', 'token.renewal_failed', 'hook.callback_threw']],
    ['info', ['registration.decided', 'token.renewal_failed', 'hook.callback_threw']],
    ['warn', ['token.renewal_failed', 'hook.callback_threw']],
    ['error', ['hook.callback_threw']],
  ] as const)('at %s writes only that level and above', (minimum, events) => {
    const { lines, log } = capture(minimum);
    logEveryLevel(log);
    expect(lines.map((line) => line.event)).toEqual(events);
  });

  it('writes level, event and the fields as one object', () => {
    const { lines, log } = capture('info');
    log.info('registration.decided', { outcome: 'allow', reason: 'matched', latencyMs: 12, attempts: 1 });
    expect(lines).toEqual([{ level: 'info', event: 'registration.decided', outcome: 'allow', reason: 'matched', latencyMs: 12, attempts: 1 }]);
  });

  it('swallows a sink that throws', () => {
    const sink = vi.fn(() => {
      throw new Error('disk full');
    });
    const log = createLogger('debug', sink);
    expect(() => logEveryLevel(log)).not.toThrow();
    expect(sink).toHaveBeenCalledTimes(4);
  });
});

describe('consoleSink', () => {
  it('writes info and debug as a JSON line to stdout', () => {
    const out = vi.spyOn(console, 'log').mockImplementation(() => undefined);
    const err = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    consoleSink({ level: 'info', event: 'registration.decided', attempts: 1 });
    expect(out).toHaveBeenCalledExactlyOnceWith('{"level":"info","event":"registration.decided","attempts":1}');
    expect(err).not.toHaveBeenCalled();
  });

  it('writes warn and error to stderr', () => {
    vi.spyOn(console, 'log').mockImplementation(() => undefined);
    const err = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    consoleSink({ level: 'warn', event: 'token.renewal_failed' });
    consoleSink({ level: 'error', event: 'hook.no_callback' });
    expect(err.mock.calls).toEqual([['{"level":"warn","event":"token.renewal_failed"}'], ['{"level":"error","event":"hook.no_callback"}']]);
  });
});

describe('failureFields', () => {
  it('keeps the loggable parts of a HookError and leaves out its message and cause', () => {
    const error = new HookError('forbidden', 'Dataverse denied access to contacts.', {
      stage: 'dataverse',
      status: 403,
      dataverseCode: '0x80072560',
      diagnostic: 'no application user',
      cause: new Error('raw body with ada@example.com'),
    });
    expect(failureFields(error)).toStrictEqual({
      failure: 'forbidden',
      stage: 'dataverse',
      status: 403,
      dataverseCode: '0x80072560',
      diagnostic: 'no application user',
    });
  });

  it('omits the details a failure does not have: no key at all, not one set to undefined', () => {
    expect(failureFields(new HookError('auth', 'Entra refused.', { stage: 'token', aadsts: 7000215 }))).toStrictEqual({
      failure: 'auth',
      stage: 'token',
      aadsts: 7000215,
    });
  });
});

describe('logSkippedValues', () => {
  it('writes one warn line per value left out, naming the hook, the column and why', () => {
    const { lines, log } = capture('info');
    logSkippedValues(log, 'post-registration', [
      { column: 'firstname', problem: 'too_long' },
      { column: 'lastname', problem: 'batch_marker' },
    ]);
    expect(lines).toEqual([
      { level: 'warn', event: 'registration.value_skipped', hook: 'post-registration', column: 'firstname', problem: 'too_long' },
      { level: 'warn', event: 'registration.value_skipped', hook: 'post-registration', column: 'lastname', problem: 'batch_marker' },
    ]);
  });

  it('writes nothing when no value was left out, or none was reported (a decision without skipped values)', () => {
    const { lines, log } = capture('debug');
    logSkippedValues(log, 'pre-registration', []);
    logSkippedValues(log, 'pre-registration');
    logSkippedValues(log, 'pre-registration', undefined);
    expect(lines).toEqual([]);
  });
});

describe('emailHash', () => {
  it('is 12 lower-case hex characters', () => {
    expect(emailHash('ada@example.com', TENANT)).toMatch(/^[0-9a-f]{12}$/);
  });

  it('is the first 12 hex characters of SHA-256 over "salt:email"', () => {
    // printf '%s' 'tenant:ada@example.com' | sha256sum
    expect(emailHash('ada@example.com', 'tenant')).toBe('82720735726b');
  });

  it('is stable for the same email and salt', () => {
    expect(emailHash('ada@example.com', TENANT)).toBe(emailHash('ada@example.com', TENANT));
  });

  it('ignores the case of the email', () => {
    expect(emailHash('Ada@Example.COM', TENANT)).toBe(emailHash('ada@example.com', TENANT));
  });

  it('is the same for the NFC and NFD spellings of an internationalised email', () => {
    const nfc = 'jürgen.müller@beispiel.de';
    expect(emailHash(nfc.normalize('NFD'), TENANT)).toBe(emailHash(nfc, TENANT));
    expect(emailHash('jurgen.muller@beispiel.de', TENANT)).not.toBe(emailHash(nfc, TENANT));
  });

  it('differs between salts (tenants)', () => {
    expect(emailHash('ada@example.com', TENANT)).not.toBe(emailHash('ada@example.com', '99999999-2222-3333-4444-555555555555'));
  });

  it('differs between emails', () => {
    expect(emailHash('ada@example.com', TENANT)).not.toBe(emailHash('bob@example.com', TENANT));
  });

  it('does not contain the email', () => {
    expect(emailHash('abc@de.fg', TENANT)).not.toContain('abc');
  });
});
