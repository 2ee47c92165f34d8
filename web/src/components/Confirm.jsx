import { Banner } from './ErrorBanner.jsx';
import { CopyButton } from './CopyButton.jsx';

/**
 * An inline "are you sure?" for destructive actions: the question in bold,
 * what it means, a danger button and "Keep it". Announced as an alert.
 */
export function ConfirmDelete({ question, children, confirmLabel, onConfirm, onCancel }) {
  return (
    <div class="banner banner-error" role="alert">
      <div>
        <strong>{question}</strong> {children}
        <div class="btn-row">
          <button type="button" class="btn btn-danger-solid" onClick={onConfirm}>
            {confirmLabel}
          </button>
          <button type="button" class="btn" onClick={onCancel}>
            Keep it
          </button>
        </div>
      </div>
    </div>
  );
}

/** A secret the server shows once (API key, webhook signing secret), with a copy button. */
export function SecretOnce({ title, secret, testId, copyLabel, onDone, children }) {
  return (
    <Banner kind="ok" title={title} role="status">
      <p>{children}</p>
      <div class="secret">
        <code data-testid={testId}>{secret}</code>
        <CopyButton text={secret} label={copyLabel} />
      </div>
      <div class="btn-row">
        <button type="button" class="btn btn-small" onClick={onDone}>
          I have stored it
        </button>
      </div>
    </Banner>
  );
}
