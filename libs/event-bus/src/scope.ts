// A second entry point, outside the Module Federation singleton (shared-dependencies.mjs shares
// only the package's main entry): ObservableScope is plain code with no page-wide state, so each
// app bundles the version it was built with. A call release newer than its shell would otherwise get
// the shell's older class, without child scopes or derived Behaviors (version-skew.spec.ts).
export { type Behavior, readOnly } from './behavior.js';
export { ObservableScope } from './observable-scope.js';
