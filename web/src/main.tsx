import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { BrowserRouter } from 'react-router';
import { App } from './app.tsx';
import { ApiProvider } from './auth/auth-context.tsx';
import { JobEventsProvider } from './events/job-events.tsx';
import { api } from './lib/api-client.ts';
import './styles.css';

const root = document.getElementById('root');
if (!root) throw new Error('missing #root element');
createRoot(root).render(
  <StrictMode>
    <ApiProvider client={api}>
      <JobEventsProvider>
        <BrowserRouter>
          <App />
        </BrowserRouter>
      </JobEventsProvider>
    </ApiProvider>
  </StrictMode>,
);
