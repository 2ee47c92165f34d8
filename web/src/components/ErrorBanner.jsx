/** An error from the API (or anything with a message), announced politely. */
export function ErrorBanner({ error, title, onRetry, children }) {
  if (!error && !children) return null;
  return (
    <div class="banner banner-error" role="alert">
      <div>
        {title && <strong class="banner-title">{title} </strong>}
        <span>{children || error.message}</span>
        {error?.code && error.code !== 'network_error' && <span class="banner-code"> ({error.code})</span>}
      </div>
      {onRetry && (
        <button type="button" class="btn btn-small" onClick={onRetry}>
          Try again
        </button>
      )}
    </div>
  );
}

export function Banner({ kind = 'info', title, children, role }) {
  return (
    <div class={`banner banner-${kind}`} role={role}>
      <div>
        {title && <strong class="banner-title">{title} </strong>}
        {children}
      </div>
    </div>
  );
}
