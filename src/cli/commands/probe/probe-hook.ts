/**
 * The probe hook: a small CommonJS hook that `dynamics-hook probe` runs through Strivacity's try-out
 * API to see, from inside the runtime, what nobody has published: the Node version, which result
 * classes are globals, how a secret variable reaches the code, what the crash guard needs, whether
 * the code shares a realm with the packages it requires, the argument shape, and how long Entra
 * and Dataverse take to answer from there. It reports presence, types, keys and timings only: never
 * a variable's value, an argument's value, or a response body.
 *
 * Plain ES2018 on purpose: it must run on whatever Node the runtime has, to be able to say which.
 */
import { z } from 'zod';
import type { HookKind } from '../../../build/artifact.js';

export interface ProbeTargets {
  readonly kind: HookKind;
  /** The variable that should hold the Dynamics client secret (or private key). */
  readonly secretVariable: string;
  /** Entra's OpenID metadata for the tenant: answers 200 without credentials. */
  readonly entraUrl: string;
  /** The Dataverse Web API root: answers 401 without a token, which proves it is reachable. */
  readonly dataverseUrl: string;
  /** Packages the hook requires; each is loaded, and its realm compared with the code's. */
  readonly packages: readonly string[];
}

/** The key under which the probe hands its report back (inside the session, or the callback's object). */
export const PROBE_KEY = 'dynamicsHookProbe';

const PROBE_BODY = String.raw`
var RESULT_CLASSES = ['RegistrationData', 'ShowErrorMessage', 'ErrorDenyRequest', 'DenyRequest', 'RedirectRequest'];

function safe(work, fallback) {
  try { return work(); } catch (e) { return fallback; }
}

function classInfo(value) {
  return typeof value === 'function' ? { present: true, arity: value.length } : { present: false };
}

function resultClasses() {
  // Free identifiers, so a class injected into the module scope is found as well as a global.
  return {
    RegistrationData: classInfo(typeof RegistrationData === 'undefined' ? undefined : RegistrationData),
    ShowErrorMessage: classInfo(typeof ShowErrorMessage === 'undefined' ? undefined : ShowErrorMessage),
    ErrorDenyRequest: classInfo(typeof ErrorDenyRequest === 'undefined' ? undefined : ErrorDenyRequest),
    DenyRequest: classInfo(typeof DenyRequest === 'undefined' ? undefined : DenyRequest),
    RedirectRequest: classInfo(typeof RedirectRequest === 'undefined' ? undefined : RedirectRequest)
  };
}

function captureCallback() {
  if (typeof process.setUncaughtExceptionCaptureCallback !== 'function') return { state: 'unavailable', domain: false };
  var domain = safe(function () { return process.moduleLoadList.indexOf('NativeModule domain') >= 0; }, false);
  if (process.hasUncaughtExceptionCaptureCallback()) return { state: 'held', domain: domain };
  try {
    process.setUncaughtExceptionCaptureCallback(function () {});
    process.setUncaughtExceptionCaptureCallback(null);
    return { state: 'takeable', domain: domain };
  } catch (e) {
    var byDomain = e && e.code === 'ERR_DOMAIN_CANNOT_SET_UNCAUGHT_EXCEPTION_CAPTURE';
    return { state: byDomain ? 'held' : 'refused', domain: domain || byDomain };
  }
}

function packageInfo(name) {
  var loaded;
  try { loaded = require(name); } catch (e) { return { name: name, loaded: false }; }
  var version = safe(function () { return require(name + '/package.json').version; }, undefined);
  var fn = typeof loaded === 'function' ? loaded : Object.keys(loaded || {}).map(function (k) { return loaded[k]; }).filter(function (v) { return typeof v === 'function'; })[0];
  // The package's own Function constructor evaluates in the package's realm.
  var theirArray = safe(function () { return fn.constructor('return Array')(); }, undefined);
  return { name: name, loaded: true, version: version, sameRealm: theirArray === undefined ? null : theirArray === Array && [] instanceof theirArray };
}

function argumentShape(args) {
  var shape = {};
  Object.keys(args || {}).forEach(function (key) {
    var value = args[key];
    shape[key] = value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value === 'object' ? Object.keys(value).sort() : typeof value;
  });
  return shape;
}

function reach(url) {
  var started = Date.now();
  return new Promise(function (resolve) {
    var done = function (answer) { answer.ms = Date.now() - started; resolve(answer); };
    try {
      var request = require('https').get(url, function (response) {
        response.resume();
        done({ reached: true, status: response.statusCode });
      });
      request.setTimeout(5000, function () { request.destroy(); done({ reached: false, error: 'timeout' }); });
      request.on('error', function (e) { done({ reached: false, error: String((e && e.code) || 'error') }); });
    } catch (e) {
      done({ reached: false, error: 'request failed' });
    }
  });
}

function answerWith(report, args) {
  class RegistrationData {
    constructor(attributes, additionalAuthenticators, session) {
      this.attributes = attributes;
      this.additionalAuthenticators = additionalAuthenticators;
      this.session = session;
    }
  }
  var session = Object.assign({}, (args && args.session) || {});
  session[KEY] = report;
  if (PROBE.kind === 'pre-registration') return new RegistrationData((args && args.customer && args.customer.attributes) || {}, [], session);
  var answer = {};
  answer[KEY] = report;
  return answer;
}

module.exports = async function (args, callback, error) {
  var report = { probe: 1, kind: PROBE.kind };
  try {
    var capture = captureCallback();
    report.nodeVersion = process.version;
    report.resultClasses = resultClasses();
    report.secret = {
      name: PROBE.secretVariable,
      inEnv: safe(function () { return typeof process.env[PROBE.secretVariable] === 'string' && process.env[PROBE.secretVariable].length > 0; }, false),
      asGlobal: safe(function () { var v = globalThis[PROBE.secretVariable]; return typeof v === 'string' && v.length > 0; }, false)
    };
    report.fetch = typeof fetch === 'function';
    report.abortSignalTimeout = typeof AbortSignal === 'function' && typeof AbortSignal.timeout === 'function';
    report.asyncLocalStorage = safe(function () { return typeof require('async_hooks').AsyncLocalStorage === 'function'; }, false);
    report.domainLoaded = capture.domain;
    report.captureCallback = capture.state;
    report.packages = PROBE.packages.map(packageInfo);
    report.arguments = { count: arguments.length, callback: typeof callback, error: typeof error, shape: argumentShape(args) };
    report.entra = await reach(PROBE.entraUrl);
    report.dataverse = await reach(PROBE.dataverseUrl);
  } catch (e) {
    report.failed = true;
  }
  var line = {};
  line[KEY] = report;
  console.log(JSON.stringify(line));
  if (typeof callback === 'function') callback(answerWith(report, args));
};
`;

/** The probe hook's source for these targets (well under the 256,000-character limit). */
export function renderProbeHook(targets: ProbeTargets): string {
  return `'use strict';\n/* dynamics-hook probe: reports runtime facts (presence, types, keys, timings; never values). */\nvar KEY = ${JSON.stringify(PROBE_KEY)};\nvar PROBE = ${JSON.stringify(targets, null, 2)};\n${PROBE_BODY}`;
}

const classInfo = z.looseObject({ present: z.boolean(), arity: z.number().optional() });
const reach = z.looseObject({ reached: z.boolean(), status: z.number().optional(), error: z.string().optional(), ms: z.number() });

/** The probe's report, as validated when it comes back. */
export const probeReportSchema = z.looseObject({
  kind: z.enum(['pre-registration', 'post-registration']),
  nodeVersion: z.string(),
  resultClasses: z.record(z.string(), classInfo),
  secret: z.looseObject({ name: z.string(), inEnv: z.boolean(), asGlobal: z.boolean() }),
  fetch: z.boolean(),
  abortSignalTimeout: z.boolean(),
  asyncLocalStorage: z.boolean(),
  domainLoaded: z.boolean(),
  captureCallback: z.enum(['takeable', 'held', 'refused', 'unavailable']),
  packages: z.array(z.looseObject({ name: z.string(), loaded: z.boolean(), version: z.string().optional(), sameRealm: z.boolean().nullable().optional() })),
  arguments: z.looseObject({ count: z.number(), callback: z.string(), error: z.string(), shape: z.record(z.string(), z.unknown()) }),
  entra: reach,
  dataverse: reach,
});
export type ProbeReport = z.infer<typeof probeReportSchema>;

/** Finds the probe's report anywhere in a try-out answer (its place in `body` is not documented). */
export function findProbeReport(value: unknown, depth = 0): unknown {
  if (typeof value !== 'object' || value === null || depth > 4) return undefined;
  if (PROBE_KEY in value) return (value as Record<string, unknown>)[PROBE_KEY];
  for (const child of Object.values(value)) {
    const found = findProbeReport(child, depth + 1);
    if (found !== undefined) return found;
  }
  return undefined;
}
