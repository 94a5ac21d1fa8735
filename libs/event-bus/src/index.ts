export { type Behavior, readOnly } from './behavior.js';
export { EventBus } from './event-bus.js';
export { ObservableScope } from './observable-scope.js';
export { bus, busEvaluations } from './singleton.js';
export { type PageSlot, createPageSlot } from './page-slot.js';
