/**
 * The bus contract, recorded at its CONTRACT_VERSION: every event's name, kind, payload version and
 * payload type spelled out structurally (from the TypeScript declarations, so a field added deep in a
 * content type counts). A shell and its remotes agree by CONTRACT_VERSION alone; a contract that
 * changes without a bump would let a release be offered to a shell that lacks what it needs. So a
 * change fails here until the version is bumped and the contract recorded again.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { BUS_EVENTS, type BusEventType } from './bus-events.js';
import { CONTRACT_VERSION } from './contract-version.js';

const BUS_EVENTS_FILE = fileURLToPath(new URL('./bus-events.ts', import.meta.url));
const RECORD_FILE = fileURLToPath(new URL('./bus-contract.json', import.meta.url));
/** Set to record the current contract (only accepted together with a bumped CONTRACT_VERSION). */
const RECORD_ENV = 'PARLEY_RECORD_BUS_CONTRACT';

/** The bus contract as recorded in bus-contract.json. */
interface RecordedContract {
  readonly contractVersion: string;
  readonly events: Record<string, { readonly kind: string; readonly version: number; readonly payload: string }>;
}

/** Spells a type out structurally, in a stable order, with named interfaces expanded. */
function describeType(checker: ts.TypeChecker, type: ts.Type, within: ReadonlySet<ts.Type> = new Set()): string {
  if (within.has(type)) return `<recursive ${checker.typeToString(type)}>`;
  const inner = new Set(within).add(type);
  const describe = (t: ts.Type) => describeType(checker, t, inner);
  if (type.isUnion()) return type.types.map(describe).sort().join(' | ');
  if (type.isIntersection()) return type.types.map(describe).sort().join(' & ');
  if (checker.isArrayType(type) || checker.isTupleType(type)) {
    const elements = checker.getTypeArguments(type as ts.TypeReference).map(describe);
    const readonly = checker.typeToString(type).startsWith('readonly ') ? 'readonly ' : '';
    return checker.isTupleType(type) ? `${readonly}[${elements.join(', ')}]` : `${readonly}(${elements[0]})[]`;
  }
  if (!(type.flags & ts.TypeFlags.Object)) return checker.typeToString(type);
  const parts: string[] = [];
  for (const info of checker.getIndexInfosOfType(type)) {
    parts.push(`${info.isReadonly ? 'readonly ' : ''}[key: ${checker.typeToString(info.keyType)}]: ${describe(info.type)}`);
  }
  for (const property of [...checker.getPropertiesOfType(type)].sort((a, b) => a.name.localeCompare(b.name))) {
    const declaration = property.valueDeclaration ?? property.declarations?.[0];
    const readonly = declaration && ts.getCombinedModifierFlags(declaration) & ts.ModifierFlags.Readonly ? 'readonly ' : '';
    const optional = property.flags & ts.SymbolFlags.Optional ? '?' : '';
    // An optional property's `undefined` is its `?`, not part of its type.
    const propertyType = checker.getTypeOfSymbol(property);
    const described = optional && propertyType.isUnion() ? propertyType.types.filter((t) => !(t.flags & ts.TypeFlags.Undefined)).map(describe).sort().join(' | ') : describe(propertyType);
    parts.push(`${readonly}${property.name}${optional}: ${described}`);
  }
  for (const signature of checker.getSignaturesOfType(type, ts.SignatureKind.Call)) parts.push(checker.signatureToString(signature));
  return `{ ${parts.join('; ')} }`;
}

let current: RecordedContract['events'] | undefined;
/** The bus contract of this checkout, read from bus-events.ts's declarations and BUS_EVENTS (built once). */
function currentContract(): RecordedContract['events'] {
  current ??= readContract();
  return current;
}

function readContract(): RecordedContract['events'] {
  const program = ts.createProgram([BUS_EVENTS_FILE], { strict: true, noEmit: true, skipLibCheck: true, types: [], module: ts.ModuleKind.ESNext, moduleResolution: ts.ModuleResolutionKind.Bundler, target: ts.ScriptTarget.ES2022 });
  const checker = program.getTypeChecker();
  const source = program.getSourceFile(BUS_EVENTS_FILE)!;
  const map = source.statements.find((statement): statement is ts.InterfaceDeclaration => ts.isInterfaceDeclaration(statement) && statement.name.text === 'BusEventMap');
  if (!map) throw new Error('bus-events.ts declares no BusEventMap');
  const events: Record<string, RecordedContract['events'][string]> = {};
  for (const event of checker.getPropertiesOfType(checker.getTypeAtLocation(map.name))) {
    const spec = checker.getTypeOfSymbol(event);
    const part = (name: string) => checker.getTypeOfSymbol(checker.getPropertyOfType(spec, name)!);
    events[event.name] = {
      kind: checker.typeToString(part('kind')).replaceAll('"', ''),
      version: BUS_EVENTS[event.name as BusEventType].version,
      payload: describeType(checker, part('payload')),
    };
  }
  return Object.fromEntries(Object.entries(events).sort(([a], [b]) => a.localeCompare(b)));
}

/**
 * The version part a change must raise: major (0) when an event went, minor (1) otherwise — an added
 * event, or a changed payload, which may be an added optional field (the author judges that one).
 */
function neededBump(changed: readonly string[]): 0 | 1 {
  return changed.some((change) => change.startsWith('removed ')) ? 0 : 1;
}

/** Whether semver `a` raises `b` at version part `part` or a higher one (plain x.y.z, as CONTRACT_VERSION is). */
function raises(a: string, b: string, part: 0 | 1): boolean {
  const [pa, pb] = [a, b].map((v) => v.split('.').map(Number));
  for (let i = 0; i < 3; i += 1) if (pa![i] !== pb![i]) return pa![i]! > pb![i]! && i <= part;
  return false;
}

/** Which events changed between two recordings, for the failure message (git diff shows how). */
function changes(before: RecordedContract['events'], after: RecordedContract['events']): string[] {
  const names = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
  return names.flatMap((name) => {
    if (!(name in before)) return [`added ${name}`];
    if (!(name in after)) return [`removed ${name}`];
    return JSON.stringify(before[name]) === JSON.stringify(after[name]) ? [] : [`changed ${name}`];
  });
}

describe('the bus contract', () => {
  // Building a program over the contracts (and zod's types) takes a few seconds.
  it('is the one recorded for CONTRACT_VERSION: a change needs a bump', { timeout: 60_000 }, () => {
    const recorded = JSON.parse(readFileSync(RECORD_FILE, 'utf8')) as RecordedContract;
    const events = currentContract();
    const changed = changes(recorded.events, events);
    if (changed.length > 0 && !raises(CONTRACT_VERSION, recorded.contractVersion, neededBump(changed))) {
      expect.fail(
        `The bus contract changed since ${recorded.contractVersion} (${changed.join('; ')}), but CONTRACT_VERSION is ${CONTRACT_VERSION}. ` +
          'Bump CONTRACT_VERSION in libs/contracts/src/contract-version.ts (minor for added events or optional fields, major for anything ' +
          `removed or changed), so no shell is offered a release it lacks the events of; then record it: ${RECORD_ENV}=1 npx nx run contracts:test`,
      );
    }
    if (process.env[RECORD_ENV] === '1') {
      writeFileSync(RECORD_FILE, `${JSON.stringify({ contractVersion: CONTRACT_VERSION, events }, null, 2)}\n`);
      return;
    }
    expect(changed, `CONTRACT_VERSION was bumped: record the contract with ${RECORD_ENV}=1 npx nx run contracts:test`).toEqual([]);
    expect(recorded.contractVersion, `bus-contract.json was recorded at another CONTRACT_VERSION: record it with ${RECORD_ENV}=1 npx nx run contracts:test`).toBe(CONTRACT_VERSION);
  });

  it('spells payloads out structurally, down to the content types', { timeout: 60_000 }, () => {
    const events = currentContract();
    expect(Object.keys(events)).toEqual(Object.keys(BUS_EVENTS).sort());
    // Named interfaces are expanded, so a field added to a content type changes the recording.
    expect(events['content.text']!.payload).toContain(' body: string;');
    expect(events['call.requested']!.payload).toContain("readonly media: \"audio\" | \"video\"");
    expect(events['call.entry']!.payload).toContain('readonly durationMs: null | number;');
    expect(events['call.state']).toMatchObject({ kind: 'state', version: 1 });
  });
});
