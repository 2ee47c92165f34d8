import './styles.css';
import { render } from 'preact';
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { Redirect, Route, Router, Switch, useLocation, useSearch } from 'wouter-preact';
import { api, onUnauthorized } from './api.js';
import { HOME, routes } from './routes.js';
import { SessionContext, ToastContext } from './context.js';
import { Layout } from './components/Layout.jsx';
import { Toasts } from './components/Toasts.jsx';
import { ErrorBanner } from './components/ErrorBanner.jsx';

/** Loads a page's module on first use and renders it with the URL params. */
function Page({ route, params }) {
  const [mod, setMod] = useState(route.module || null);
  const [error, setError] = useState(null);
  useEffect(() => {
    document.title = `${route.title} · Leadterra`;
    if (route.module) return;
    route.load().then(
      (m) => {
        route.module = m;
        setMod(m);
      },
      (e) => setError(e),
    );
  }, [route]);
  if (error)
    return (
      <ErrorBanner error={error} onRetry={() => location.reload()}>
        This page could not be loaded (the server may have been updated). Reload to try again.
      </ErrorBanner>
    );
  if (!mod)
    return (
      <p class="muted loading-page" role="status">
        Loading…
      </p>
    );
  const C = mod.default;
  return <C {...params} />;
}

/**
 * Moves focus to the new page's heading after a client-side navigation.
 * When the focus is still on something inside the page (a link of a list
 * that stays on screen, as the inbox's), the page moves it itself.
 */
function useFocusOnNavigate() {
  const [location] = useLocation();
  const first = useRef(true);
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    const t = setTimeout(() => {
      const a = document.activeElement;
      const main = document.getElementById('main');
      if (a && a !== main && main?.contains(a)) return;
      const h = document.querySelector('main h1') || main;
      h?.focus({ preventScroll: false });
    }, 50);
    return () => clearTimeout(t);
  }, [location]);
}

function App() {
  const [session, setSession] = useState(undefined); // undefined: asking; null: signed out
  const [bootError, setBootError] = useState(null);
  const [toasts, setToasts] = useState([]);
  const [location, navigate] = useLocation();
  const search = useSearch();
  useFocusOnNavigate();

  const notify = useCallback((message, kind = 'info') => {
    const id = Math.random().toString(36).slice(2);
    setToasts((t) => t.concat({ id, message, kind }).slice(-4));
    setTimeout(() => setToasts((t) => t.filter((x) => x.id !== id)), kind === 'error' ? 9000 : 5000);
  }, []);

  const check = useCallback(() => {
    setBootError(null);
    api('/v1/session', { noAuthRedirect: true }).then(
      (r) => setSession(r.data),
      (e) => (e.status === 401 ? setSession(null) : setBootError(e)),
    );
  }, []);
  useEffect(check, [check]);
  useEffect(() => onUnauthorized(() => setSession(null)), []);

  const signOut = useCallback(async () => {
    try {
      await api('/v1/session', { method: 'DELETE', noAuthRedirect: true });
    } catch (e) {
      if (e.status !== 401) {
        notify(`Sign-out failed: ${e.message}`, 'error');
        return;
      }
    }
    setSession(null);
    navigate('/signin', { replace: true });
  }, []);

  const ctx = { session, setSession, signOut };

  let body;
  if (bootError) {
    body = (
      <main id="main" class="main main-solo">
        <ErrorBanner error={bootError} onRetry={check} title="Cannot reach Leadterra." />
      </main>
    );
  } else if (session === undefined) {
    body = (
      <p class="muted loading-page" role="status">
        Loading…
      </p>
    );
  } else {
    const isPublic = location === '/signin';
    if (!session && !isPublic) {
      const wanted = location + (search ? '?' + search : '');
      body = <Redirect to={`/signin?next=${encodeURIComponent(wanted)}`} replace />;
    } else if (session && isPublic) {
      const next = new URLSearchParams(search).get('next');
      body = <Redirect to={next && next.startsWith('/') && !next.startsWith('//') ? next : HOME} replace />;
    } else {
      const sw = (
        <Switch>
          <Route path="/">
            <Redirect to={HOME} replace />
          </Route>
          {routes.map((r) => (
            <Route key={r.path} path={r.path}>
              {(params) => <Page key={r.path} route={r} params={params} />}
            </Route>
          ))}
          <Route>
            <NotFound />
          </Route>
        </Switch>
      );
      body = isPublic ? sw : <Layout>{sw}</Layout>;
    }
  }
  return (
    <SessionContext.Provider value={ctx}>
      <ToastContext.Provider value={notify}>
        {body}
        <Toasts items={toasts} onDismiss={(id) => setToasts((t) => t.filter((x) => x.id !== id))} />
      </ToastContext.Provider>
    </SessionContext.Provider>
  );
}

function NotFound() {
  useEffect(() => {
    document.title = 'Not found · Leadterra';
  }, []);
  return (
    <section>
      <h1 tabIndex={-1}>Page not found</h1>
      <p>
        There is no page at this address. <a href="/campaigns">Go to your campaigns</a>.
      </p>
    </section>
  );
}

render(
  <Router>
    <App />
  </Router>,
  document.getElementById('app'),
);
