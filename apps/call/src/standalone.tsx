import { app } from './remote-app.jsx';

const dom = document.getElementById('root') ?? document.body.appendChild(document.createElement('div'));
app.render({ dom, locale: navigator.language, session: { userId: 'standalone', displayName: 'Standalone', temporary: true } });
