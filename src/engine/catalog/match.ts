/**
 * Variable name matching for searches and query patterns: case-insensitive substrings, globs and
 * regular expressions. Patterns come from users over HTTP, so regular expressions run on V8's
 * linear-time engine (the `l` flag): no input can make a match take more than linear time, and
 * patterns it cannot run that way (backreferences, lookaround) are refused up front.
 */
import { setFlagsFromString } from 'node:v8';

import { MAX_PATTERN_LENGTH } from '../../shared/api';
import type { VariableInfo } from '../decoder';

// Safe to set at run time: it only allows a new RegExp flag, it changes no existing behaviour.
setFlagsFromString('--enable-experimental-regexp-engine');

/** A pattern that cannot be used; the message says why and is meant for the user. */
export class PatternError extends Error {}

function linearRegExp(source: string, flags: string, shown: string): RegExp {
  try {
    return new RegExp(source, `${flags}l`);
  } catch (error) {
    const reason = error instanceof Error ? error.message.replace(/^Invalid regular expression: /, '') : String(error);
    const linear = /linear time/.test(reason);
    throw new PatternError(
      linear
        ? `regular expression ${JSON.stringify(shown)} uses backreferences or lookaround, which cannot be matched in linear time`
        : `regular expression ${JSON.stringify(shown)} is invalid: ${reason}`
    );
  }
}

function checkLength(pattern: string, what: string): void {
  if (pattern.length > MAX_PATTERN_LENGTH) {
    throw new PatternError(`${what} is longer than ${MAX_PATTERN_LENGTH} characters`);
  }
}

/**
 * A whole-name glob: `*` any run of characters, `?` one character. Brackets stay literal because
 * Modelica array subscripts (`x[1, 2]`) use them. Case-sensitive, as Modelica names are.
 */
export function globMatcher(glob: string): (name: string) => boolean {
  checkLength(glob, `glob ${JSON.stringify(glob.slice(0, 40))}…`);
  const body = glob
    .split('')
    .map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[\\^$.*+?()[\]{}|/-]/g, '\\$&')))
    .join('');
  const regExp = linearRegExp(`^${body}$`, 's', glob);
  return (name) => regExp.test(name);
}

/** A regular expression matched against the whole name (anchored at both ends). */
export function regexMatcher(pattern: string): (name: string) => boolean {
  checkLength(pattern, 'regular expression');
  const regExp = linearRegExp(`^(?:${pattern})$`, '', pattern);
  return (name) => regExp.test(name);
}

export interface VariableMatch {
  search?: string;
  glob?: string;
  regex?: string;
  kind?: string;
}

/**
 * How well a variable matches a substring search: exact name first, then names starting with it,
 * then names containing it, then descriptions containing it; undefined when it does not match.
 */
function substringRank(info: VariableInfo, needle: string): number | undefined {
  const name = info.name.toLowerCase();
  if (name === needle) {
    return 0;
  }
  if (name.startsWith(needle)) {
    return 1;
  }
  if (name.includes(needle)) {
    return 2;
  }
  return info.description.toLowerCase().includes(needle) ? 3 : undefined;
}

/** A ranking function for the given criteria (all must hold); undefined = no match. Throws PatternError. */
export function variableRanker(match: VariableMatch): (info: VariableInfo) => number | undefined {
  const needle = match.search?.trim().toLowerCase() || undefined;
  const glob = match.glob === undefined ? undefined : globMatcher(match.glob);
  const regex = match.regex === undefined ? undefined : regexMatcher(match.regex);
  return (info) => {
    if ((match.kind && info.kind !== match.kind) || (glob && !glob(info.name)) || (regex && !regex(info.name))) {
      return undefined;
    }
    return needle ? substringRank(info, needle) : 0;
  };
}

/** The matching variables, best first; equally good matches keep the file's order. */
export function searchVariables(variables: readonly VariableInfo[], match: VariableMatch): VariableInfo[] {
  const rank = variableRanker(match);
  const ranked: Array<{ info: VariableInfo; rank: number }> = [];
  for (const info of variables) {
    const r = rank(info);
    if (r !== undefined) {
      ranked.push({ info, rank: r });
    }
  }
  return ranked.sort((a, b) => a.rank - b.rank).map((r) => r.info);
}
