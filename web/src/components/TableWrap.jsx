/**
 * The scrolling box around a wide table. It can take focus (tabIndex 0) so
 * keyboard users can scroll it sideways, and is a labelled region.
 */
export function TableWrap({ label, stack = false, children }) {
  return (
    <div class={stack ? 'table-wrap stackable' : 'table-wrap'} tabIndex={0} role="region" aria-label={label}>
      {children}
    </div>
  );
}
