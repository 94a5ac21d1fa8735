import { lazy } from 'react';

/**
 * The schedule form, fetched (as a chunk of this app, under its Subresource Integrity) the first
 * time it opens: its limits come from the content schemas, and with them zod, which the
 * conversation list does not need (issue 20: ~27 kB brotli off a returning user's critical path).
 * Render it inside a Suspense boundary.
 */
export const LazyScheduleCallForm = lazy(() => import('./ScheduleCallForm.js').then((module) => ({ default: module.ScheduleCallForm })));
