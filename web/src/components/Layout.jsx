import { useEffect, useState } from 'preact/hooks';
import { Link, useLocation } from 'wouter-preact';
import { routes } from '../routes.js';
import { useSession } from '../context.js';
import { useInboxSummary } from '../inbox.js';
import { fmtNum } from '../format.js';

function NavLink({ href, children, onNavigate }) {
  const [location] = useLocation();
  const current = location === href || location.startsWith(href + '/');
  return (
    <Link href={href} class={current ? 'nav-link active' : 'nav-link'} aria-current={current ? 'page' : undefined} onClick={onNavigate}>
      {children}
    </Link>
  );
}

/** A number beside a navigation link (unread replies), read as "3 unread". */
function NavCount({ n, what }) {
  if (!n) return null;
  return (
    <>
      {' '}
      <span class="nav-count">
        {fmtNum(n)}
        <span class="visually-hidden"> {what}</span>
      </span>
    </>
  );
}

/** The frame around every signed-in page: top bar, navigation, main. */
export function Layout({ children }) {
  const { session, signOut } = useSession();
  const [open, setOpen] = useState(false);
  const [location] = useLocation();
  const inbox = useInboxSummary(30000);
  const counts = { inbox: inbox?.unread };
  useEffect(() => setOpen(false), [location]);
  const top = routes.filter((r) => r.nav && !r.group);
  const groups = {};
  for (const r of routes) if (r.nav && r.group) (groups[r.group] ||= []).push(r);
  return (
    <div class="shell">
      <a class="skip-link" href="#main">
        Skip to content
      </a>
      <header class="topbar">
        <Link href="/campaigns" class="brand">
          <span class="brand-mark" aria-hidden="true" />
          Leadterra
        </Link>
        <button type="button" class="btn nav-toggle" aria-expanded={open ? 'true' : 'false'} aria-controls="site-nav" onClick={() => setOpen(!open)}>
          {open ? 'Close menu' : 'Menu'}
        </button>
        <div class="topbar-end">
          <span class="workspace" title="Workspace">
            <span class="visually-hidden">Workspace: </span>
            {session?.workspaceName}
          </span>
          <button type="button" class="btn btn-quiet" onClick={signOut}>
            Sign out
          </button>
        </div>
      </header>
      <nav id="site-nav" class={open ? 'sidenav open' : 'sidenav'} aria-label="Main">
        <ul class="nav-list">
          {top.map((r) => (
            <li key={r.path}>
              <NavLink href={r.href || r.path}>
                {r.nav}
                {r.count && <NavCount n={counts[r.count]} what="unread" />}
              </NavLink>
            </li>
          ))}
          {Object.entries(groups).map(([name, items]) => (
            <li key={name} class="nav-group">
              <span class="nav-group-title" id={`nav-${name}`}>
                {name}
              </span>
              <ul class="nav-list" aria-labelledby={`nav-${name}`}>
                {items.map((r) => (
                  <li key={r.path}>
                    <NavLink href={r.href || r.path}>{r.nav}</NavLink>
                  </li>
                ))}
              </ul>
            </li>
          ))}
        </ul>
        <div class="nav-foot">
          <span class="muted">Workspace</span>
          <span class="nav-ws">{session?.workspaceName}</span>
          <button type="button" class="btn btn-quiet" onClick={signOut}>
            Sign out
          </button>
        </div>
      </nav>
      <main id="main" tabIndex={-1} class="main">
        {children}
      </main>
    </div>
  );
}
