/**
 * What the tools around a hook kind need to know about it: its `--hook` name, its Strivacity type,
 * whether Strivacity waits for it, and sample arguments. Each kind declares one of these in
 * `src/build/kinds/<kind>.ts`; `src/build/kinds.ts` lists them in one table that every command
 * reads. They live here, not in src/hook/: none of this is pasted into Strivacity.
 */

/** One sample argument set, as `payloads` writes it and `tryout` runs it. */
export interface PayloadCase {
  readonly file: string;
  readonly description: string;
  /** What the hook does with it against the recorded responses, with the default config. */
  readonly expect: string;
  readonly payload: Record<string, unknown>;
}

/** What `try` may add to a run's arguments. */
export interface PayloadOptions {
  readonly locales?: readonly string[];
  /** A contact id kept on the account at `attribute` (the config's `link.attribute`); kinds that read no link ignore it. */
  readonly link?: { readonly attribute: string; readonly contactId: string };
}

export interface KindFacts<Name extends string = string> {
  /** The `--hook` name; also the kind's folder under `src/hook/kinds/`. */
  readonly name: Name;
  /** The hook `type` in the Strivacity Admin API. */
  readonly strivacityType: string;
  /** Whether Strivacity waits for the answer (a blocking hook can refuse; the others only report). */
  readonly blocking: boolean;
  /** `decides` answers allow, showError or deny; `writes` keeps the CRM in step and decides nothing. */
  readonly role: 'decides' | 'writes';
  /** The hook's name in Strivacity unless the config or `--name` says otherwise (3 to 64 characters). */
  readonly defaultHookName: string;
  /** One line for help texts: when Strivacity runs it and what it does. */
  readonly summary: string;
  /** Where the fact that Strivacity passes these arguments comes from, or that it is assumed. */
  readonly contractSource: string;
  /** The arguments of one run for `email` (`try --email`), in the shape the kind reads. */
  readonly payloadFor: (email: string, options?: PayloadOptions) => Record<string, unknown>;
  /** The event of the one log line a run writes (its outcome and reason). */
  readonly logEvent: string;
  /** Sample arguments; `knownEmail` is a contact the recorded responses (or the live CRM) hold. */
  readonly samplePayloads: (knownEmail?: string) => readonly PayloadCase[];
}
