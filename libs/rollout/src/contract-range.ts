/**
 * The contract versions a release can be hosted by. A deliberately small subset of npm ranges —
 * exact (`1.2.3`), caret (`^1.2.0`) and alternatives joined by `||` — so the evaluation runs the same
 * in the browser and on the server without a semver dependency. Semantics follow npm's: a caret allows
 * changes that do not touch the left-most non-zero part, and a pre-release version only satisfies a
 * comparator that names a pre-release of the same major.minor.patch.
 */

/** A parsed semantic version (build metadata is not part of Parley's versions). */
export interface SemanticVersion {
  readonly major: number;
  readonly minor: number;
  readonly patch: number;
  /** Dot-separated pre-release identifiers; empty for a release. */
  readonly prerelease: readonly string[];
}

/** One alternative of a range. */
export interface ContractComparator {
  readonly kind: 'exact' | 'caret';
  readonly version: SemanticVersion;
}

/** A parsed contract range: satisfied when any alternative is. */
export interface ContractRange {
  readonly source: string;
  readonly alternatives: readonly ContractComparator[];
}

// Same shape as @parley/contracts' semver (a core version with an optional pre-release), but without
// leading zeros, which semver forbids and which would make "1.02.0" and "1.2.0" the same version.
const NUMBER = '(0|[1-9]\\d{0,8})';
const IDENTIFIER = '(?:0|[1-9]\\d*|\\d*[A-Za-z-][0-9A-Za-z-]*)';
const VERSION = new RegExp(`^${NUMBER}\\.${NUMBER}\\.${NUMBER}(?:-(${IDENTIFIER}(?:\\.${IDENTIFIER})*))?$`);

/** Parses `1.2.3` or `1.2.3-beta.1`; null when it is not a semantic version. */
export function parseSemanticVersion(text: string): SemanticVersion | null {
  const match = VERSION.exec(text);
  if (!match) return null;
  return {
    major: Number(match[1]),
    minor: Number(match[2]),
    patch: Number(match[3]),
    prerelease: match[4] === undefined ? [] : match[4].split('.'),
  };
}

/** Parses a range such as `^1.0.0`, `1.4.2` or `^1.0.0 || ^2.0.0`; null when it is not one. */
export function parseContractRange(text: string): ContractRange | null {
  if (typeof text !== 'string' || text.length === 0 || text.length > 256) return null;
  const alternatives: ContractComparator[] = [];
  for (const part of text.split('||')) {
    const trimmed = part.trim();
    const caret = trimmed.startsWith('^');
    const version = parseSemanticVersion(caret ? trimmed.slice(1) : trimmed);
    if (!version) return null;
    alternatives.push({ kind: caret ? 'caret' : 'exact', version });
  }
  return { source: text, alternatives };
}

/** Semver precedence: negative when a < b, zero when equal, positive when a > b. */
export function compareSemanticVersions(a: SemanticVersion, b: SemanticVersion): number {
  const core = a.major - b.major || a.minor - b.minor || a.patch - b.patch;
  if (core !== 0) return core;
  // A release ranks above its pre-releases.
  if (a.prerelease.length === 0 || b.prerelease.length === 0) return b.prerelease.length - a.prerelease.length;
  const shared = Math.min(a.prerelease.length, b.prerelease.length);
  for (let i = 0; i < shared; i += 1) {
    const order = compareIdentifiers(a.prerelease[i]!, b.prerelease[i]!);
    if (order !== 0) return order;
  }
  return a.prerelease.length - b.prerelease.length;
}

function compareIdentifiers(a: string, b: string): number {
  const aNumeric = /^\d+$/.test(a);
  const bNumeric = /^\d+$/.test(b);
  if (aNumeric && bNumeric) return Number(a) - Number(b);
  // Numeric identifiers rank below alphanumeric ones.
  if (aNumeric !== bNumeric) return aNumeric ? -1 : 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

function sameCore(a: SemanticVersion, b: SemanticVersion): boolean {
  return a.major === b.major && a.minor === b.minor && a.patch === b.patch;
}

function satisfiesComparator(version: SemanticVersion, comparator: ContractComparator): boolean {
  const base = comparator.version;
  if (comparator.kind === 'exact') return compareSemanticVersions(version, base) === 0;
  if (version.prerelease.length > 0 && !(base.prerelease.length > 0 && sameCore(version, base))) return false;
  if (compareSemanticVersions(version, base) < 0) return false;
  // The upper bound excludes the next change of the left-most non-zero part.
  if (base.major > 0) return version.major === base.major;
  if (base.minor > 0) return version.major === 0 && version.minor === base.minor;
  return version.major === 0 && version.minor === 0 && version.patch === base.patch;
}

/**
 * Whether a shell at contract `version` can host a release declaring `range`. False — never a throw —
 * when either is malformed: an unreadable range offers nothing.
 */
export function satisfiesContractRange(version: string | SemanticVersion, range: string | ContractRange): boolean {
  const parsedVersion = typeof version === 'string' ? parseSemanticVersion(version) : version;
  const parsedRange = typeof range === 'string' ? parseContractRange(range) : range;
  if (!parsedVersion || !parsedRange) return false;
  return parsedRange.alternatives.some((comparator) => satisfiesComparator(parsedVersion, comparator));
}
