import { bus } from '@parley/event-bus';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { Shell } from './Shell.js';
import { devToken, loadDevIdentity } from './session/dev-identity.js';
import { startRelay } from './session/relay.js';
import './shell.css';

const session = loadDevIdentity(localStorage);
bus.set('session.current', session);
startRelay(session, bus, window.location);

const container = document.getElementById('root');
if (!container) throw new Error('The page has no #root element');
createRoot(container).render(
  <StrictMode>
    <Shell session={session} token={devToken(session)} />
  </StrictMode>,
);
