import { EmptyState } from './EmptyState.jsx';
import { ErrorBanner } from './ErrorBanner.jsx';
import { TableWrap } from './TableWrap.jsx';

/**
 * A table over one cursor-paged list (see usePaged). columns:
 * [{key, label, render?(row), className?, numeric?}]. Values are rendered as
 * text. `empty` is shown (an EmptyState) when there is nothing at all.
 */
export function DataTable({ caption, columns, rows, rowKey = (r) => r.id, loading, error, onRetry, hasMore, onMore, empty, rowClass, stack = true }) {
  const showEmpty = !loading && !error && rows.length === 0;
  return (
    <div class="table-block">
      {error && <ErrorBanner error={error} onRetry={onRetry} />}
      {showEmpty ? (
        empty || <EmptyState title="Nothing here yet." />
      ) : (
        <TableWrap label={caption} stack={stack}>
          <table class="table">
            {caption && <caption class="visually-hidden">{caption}</caption>}
            <thead>
              <tr>
                {columns.map((c) => (
                  <th scope="col" key={c.key} class={`${c.numeric ? 'num' : ''} ${c.className || ''}`}>
                    {c.label}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => (
                <tr key={rowKey(r)} class={rowClass ? rowClass(r) : ''}>
                  {columns.map((c) => (
                    <td key={c.key} class={`${c.numeric ? 'num' : ''} ${c.className || ''}`} data-label={c.label}>
                      <div class="cell">{c.render ? c.render(r) : r[c.key] ?? '—'}</div>
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
      )}
      <div class="table-foot">
        {loading && (
          <span class="muted" role="status">
            Loading…
          </span>
        )}
        {hasMore && !loading && (
          <button type="button" class="btn" onClick={onMore}>
            Load more
          </button>
        )}
      </div>
    </div>
  );
}
