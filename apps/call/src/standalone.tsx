// The shell puts the design tokens on the page; this development page stands in for it.
import '@parley/design-tokens/tokens.css';
import { app } from './remote-app.jsx';

const dom = document.getElementById('root') ?? document.body.appendChild(document.createElement('div'));
app.render({ dom, locale: navigator.language, session: { userId: 'standalone', displayName: 'Standalone', temporary: true } });
