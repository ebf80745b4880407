/**
 * Which column values may cross between a registration and Dataverse, in either direction: the
 * values `enrich` copies into a registration and the values `sync` writes into a contact.
 */

/**
 * dynamics-web-api 2.5.0 takes any response whose body contains this text for a batch response
 * (`isBatchResponse` in its `parseResponse`: `response.indexOf("--batchresponse_") > -1`) and
 * throws while parsing it. A value written with it would break every later read of that column.
 */
export const BATCH_RESPONSE_MARKER = '--batchresponse_';

/** The default of `policy.maxValueLength`: Dataverse single-line text columns hold at most 4,000 characters. */
export const DEFAULT_MAX_VALUE_LENGTH = 4000;

/** Why a value was not copied or written: logged with the column's name, never with the value. */
export type ValueProblem = 'too_long' | 'batch_marker';

/** A column whose value was left out, for the log. `column` is a configured column name, not data. */
export interface SkippedValue {
  readonly column: string;
  readonly problem: ValueProblem;
}

/** True for a text the library would misread as a batch response if Dataverse sent it back. */
export function containsBatchMarker(text: string): boolean {
  return text.includes(BATCH_RESPONSE_MARKER);
}

/** What is wrong with a text value, or `undefined` when it may be copied or written. */
export function valueProblem(text: string, maxLength: number): ValueProblem | undefined {
  if (text.length > maxLength) return 'too_long';
  if (containsBatchMarker(text)) return 'batch_marker';
  return undefined;
}
