/** The page's status live region: short messages that fade after a while. */
export function Toasts({ items, onDismiss }) {
  return (
    <div class="toasts" role="status" aria-live="polite" aria-atomic="false">
      {items.map((t) => (
        <div key={t.id} class={`toast toast-${t.kind}`}>
          <span>{t.message}</span>
          <button type="button" class="toast-close" onClick={() => onDismiss(t.id)} aria-label="Dismiss message">
            ×
          </button>
        </div>
      ))}
    </div>
  );
}
