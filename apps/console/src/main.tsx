import { render } from 'preact';
import { useState } from 'preact/hooks';
import { session } from './api';
import { Link } from './components';
import { CustomerPage } from './pages/customer';
import { CustomersPage } from './pages/customers';
import { InvoicesPage } from './pages/invoices';
import { LoginPage } from './pages/login';
import { PlanPage, PlansPage } from './pages/plans';
import { RejectedEventsPage } from './pages/rejected-events';
import { WebhookEndpointPage, WebhooksPage } from './pages/webhooks';
import { match, navigate, useLocation } from './router';
import './styles.css';

const SECTIONS = [
  { to: '/customers', label: 'Customers' },
  { to: '/invoices', label: 'Invoices' },
  { to: '/plans', label: 'Plans' },
  { to: '/webhooks', label: 'Webhooks' },
  { to: '/rejected-events', label: 'Rejected events' },
];

function Page({ path, params }: { path: string; params: URLSearchParams }) {
  let found: Record<string, string> | undefined;
  if ((found = match('/customers/:id', path))) return <CustomerPage id={found.id} />;
  if (match('/invoices', path)) return <InvoicesPage status={params.get('status') ?? ''} />;
  if ((found = match('/plans/:id', path))) return <PlanPage id={found.id} />;
  if (match('/plans', path)) return <PlansPage />;
  if ((found = match('/webhooks/:id', path))) return <WebhookEndpointPage id={found.id} />;
  if (match('/webhooks', path)) return <WebhooksPage />;
  if (match('/rejected-events', path)) return <RejectedEventsPage />;
  return <CustomersPage />;
}

function App() {
  const { path, params } = useLocation();
  const [signedIn, setSignedIn] = useState(() => session.key() !== null);
  if (!signedIn) return <LoginPage onSignedIn={() => setSignedIn(true)} />;
  const signOut = () => {
    session.signOut();
    setSignedIn(false);
    navigate('/');
  };
  return (
    <>
      <a class="skip" href="#main">
        Skip to content
      </a>
      <header class="top">
        <span class="brand">ABAXUS console</span>
        <nav aria-label="Sections">
          {SECTIONS.map((section) => (
            <Link key={section.to} to={section.to} current={path.startsWith(section.to) || (path === '/' && section.to === '/customers')}>
              {section.label}
            </Link>
          ))}
        </nav>
        <button type="button" class="link" onClick={signOut}>
          Sign out
        </button>
      </header>
      <main id="main" tabIndex={-1}>
        <Page path={path} params={params} />
      </main>
    </>
  );
}

render(<App />, document.getElementById('app')!);
