/** The contracts modules that build zod schemas when they run (they import zod), by file name. */
export function contractSchemaModules(folder?: string): string[];
/** rsbuild `forceSplitting` groups for the workspace libraries: `parley-common` and `parley-schemas`. */
export function workspaceLibraryChunks(schemaModules?: readonly string[]): Record<'parley-common' | 'parley-schemas', RegExp>;
