import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { BehaviorSubject } from 'rxjs';
import { ShellRoot } from './ShellRoot.js';
import { ActiveTabLock, type TabStatus } from './session/tab-lock.js';
import '@parley/design-tokens/tokens.css';
import './shell.css';

// The active-tab lock lives for the page, outside React, so re-renders never drop or re-request it.
const tab$ = new BehaviorSubject<TabStatus>('acquiring');
const lock = navigator.locks ? new ActiveTabLock(navigator.locks, (status) => tab$.next(status)) : null;
if (lock) lock.acquire();
// Without Web Locks (very old browsers) every tab is active; the relay's "replaced" close still
// keeps one connection per device.
else tab$.next('active');

const container = document.getElementById('root');
if (!container) throw new Error('The page has no #root element');
createRoot(container).render(
  <StrictMode>
    <ShellRoot tab$={tab$} onUseHere={() => lock?.takeOver()} />
  </StrictMode>,
);
