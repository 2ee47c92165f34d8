import { useEffect, useRef } from 'preact/hooks';
import { Banner } from './ErrorBanner.jsx';
import { CopyButton } from './CopyButton.jsx';

/**
 * An inline "are you sure?": the question in bold, what it means, the
 * action's button and a way back. Announced as an alert. `autoFocus` moves
 * the focus to the question, so the action is one Tab away.
 */
export function Confirm({ question, children, confirmLabel, cancelLabel = 'Cancel', kind = 'warn', danger = false, autoFocus = false, onConfirm, onCancel }) {
  const q = useRef(null);
  useEffect(() => {
    if (autoFocus) q.current?.focus();
  }, []);
  return (
    <div class={`banner banner-${kind}`} role="alert">
      <div>
        <strong tabIndex={autoFocus ? -1 : undefined} ref={q}>
          {question}
        </strong>{' '}
        {children}
        <div class="btn-row">
          <button type="button" class={danger ? 'btn btn-danger-solid' : 'btn btn-primary'} onClick={onConfirm}>
            {confirmLabel}
          </button>
          <button type="button" class="btn" onClick={onCancel}>
            {cancelLabel}
          </button>
        </div>
      </div>
    </div>
  );
}

/** Confirm for destructive actions: a danger button and "Keep it". */
export function ConfirmDelete(props) {
  return <Confirm kind="error" danger cancelLabel="Keep it" {...props} />;
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
