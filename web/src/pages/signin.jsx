import { useRef, useState } from 'preact/hooks';
import { useLocation, useSearch } from 'wouter-preact';
import { api } from '../api.js';
import { useSession } from '../context.js';
import { Field } from '../components/Field.jsx';
import { ErrorBanner } from '../components/ErrorBanner.jsx';
import { HOME } from '../routes.js';

/** Sign in with an API key. The key goes to the server once and is never stored. */
export default function SignIn() {
  const { setSession } = useSession();
  const [, navigate] = useLocation();
  const search = useSearch();
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const input = useRef(null);

  const onSubmit = async (e) => {
    e.preventDefault();
    const apiKey = input.current.value.trim();
    if (!apiKey) {
      setError({ message: 'Enter an API key.', param: 'apiKey' });
      input.current.focus();
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const r = await api('/v1/session', { method: 'POST', body: { apiKey }, noAuthRedirect: true });
      input.current.value = '';
      const next = new URLSearchParams(search).get('next');
      setSession(r.data);
      navigate(next && next.startsWith('/') && !next.startsWith('//') && !next.startsWith('/signin') ? next : HOME, { replace: true });
    } catch (err) {
      setError(err.status === 401 ? { ...err, message: 'That API key was not accepted. Check it and try again.', param: 'apiKey' } : err);
      setBusy(false);
      input.current.select();
    }
  };

  return (
    <main id="main" class="signin">
      <div class="signin-card card">
        <div class="signin-brand">
          <span class="brand-mark" aria-hidden="true" />
          Leadterra
        </div>
        <h1 tabIndex={-1}>Sign in</h1>
        <p class="muted">
          Use one of your workspace's API keys (<code>sk_live_…</code>). <code>leadterra workspace create</code> prints the first
          one; Settings → API keys makes more.
        </p>
        {error && !error.param && <ErrorBanner error={error} />}
        <form class="form" onSubmit={onSubmit} noValidate>
          <Field label="API key" param="apiKey" error={error}>
            <input ref={input} type="password" name="apiKey" autoComplete="off" spellcheck={false} required autoFocus />
          </Field>
          <div>
            <button type="submit" class="btn btn-primary" disabled={busy}>
              {busy ? 'Signing in…' : 'Sign in'}
            </button>
          </div>
        </form>
        <p class="hint">The key is sent once to start a session; the browser keeps only a session cookie.</p>
      </div>
    </main>
  );
}
