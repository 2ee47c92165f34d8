import { useEffect, useState } from 'preact/hooks';
import { Link } from 'wouter-preact';
import { get, seg } from '../api.js';
import { usePaged, useQueryParam, useTitle } from '../hooks.js';
import { fullName } from '../format.js';
import { PageHeader } from '../components/PageHeader.jsx';
import { DataTable } from '../components/DataTable.jsx';
import { EmptyState } from '../components/EmptyState.jsx';
import { Field } from '../components/Field.jsx';

const TYPING_MS = 300;

/** Every lead of the workspace, across campaigns, searched by the start of an address, a name or a company. */
export default function Leads() {
  useTitle('Leads');
  const [q, setQ] = useQueryParam('q', '');
  const [text, setText] = useState(q);
  // Typing searches once it pauses; Back and reload bring the search box along.
  useEffect(() => {
    if (text.trim() === q) return undefined;
    const t = setTimeout(() => setQ(text.trim()), TYPING_MS);
    return () => clearTimeout(t);
  }, [text]);
  useEffect(() => {
    if (q !== text.trim()) setText(q);
  }, [q]);
  const list = usePaged((cursor) => get('/v1/leads', { q, cursor, limit: 50 }), [q]);
  const submit = (e) => {
    e.preventDefault();
    setQ(text.trim());
  };
  const columns = [
    {
      key: 'email',
      label: 'Email',
      render: (l) => (
        <Link href={`/leads/${seg(l.id)}`} class="cell-main lead-email">
          {l.email}
        </Link>
      ),
    },
    { key: 'name', label: 'Name', render: (l) => fullName(l) || '—' },
    { key: 'company', label: 'Company', render: (l) => l.company || '—' },
    { key: 'jobTitle', label: 'Job title', render: (l) => l.jobTitle || '—' },
  ];
  return (
    <section>
      <PageHeader title="Leads" subtitle="Everyone in this workspace, across campaigns. Open a lead to edit it, see its threads or erase it." />
      <form class="filters" role="search" onSubmit={submit}>
        <Field label="Search leads" hint="The start of an email address, a name or a company.">
          <input type="search" value={text} onInput={(e) => setText(e.currentTarget.value)} placeholder="e.g. ada, Lovelace or Analytical" autoComplete="off" spellcheck={false} />
        </Field>
      </form>
      <DataTable
        caption={q ? `Leads matching “${q}”` : 'Leads'}
        columns={columns}
        rows={list.rows}
        loading={list.loading}
        error={list.error}
        onRetry={list.reload}
        hasMore={!!list.nextCursor}
        onMore={list.loadMore}
        empty={
          q ? (
            <EmptyState
              title={`No lead matches “${q}”.`}
              action={
                <button
                  type="button"
                  class="btn"
                  onClick={() => {
                    setText('');
                    setQ('');
                  }}
                >
                  Clear the search
                </button>
              }
            >
              The search matches the start of an email address, of a first or last name, or of a company.
            </EmptyState>
          ) : (
            <EmptyState
              title="No leads yet."
              action={
                <Link href="/campaigns" class="btn btn-primary">
                  Go to your campaigns
                </Link>
              }
            >
              Leads come in through a campaign: import a CSV file on a campaign's page.
            </EmptyState>
          )
        }
      />
    </section>
  );
}
