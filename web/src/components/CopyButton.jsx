import { useState } from 'preact/hooks';
import { useNotify } from '../context.js';

async function copyText(text) {
  if (navigator.clipboard && window.isSecureContext) {
    await navigator.clipboard.writeText(text);
    return;
  }
  // Plain-http fallback: a temporary textarea and the legacy copy command.
  const ta = document.createElement('textarea');
  ta.value = text;
  ta.setAttribute('readonly', '');
  ta.className = 'offscreen';
  document.body.appendChild(ta);
  ta.select();
  const ok = document.execCommand('copy');
  ta.remove();
  if (!ok) throw new Error('copy refused');
}

/** Copies `text`; `label` says what (e.g. "Copy secret"). */
export function CopyButton({ text, label = 'Copy', className = '' }) {
  const notify = useNotify();
  const [done, setDone] = useState(false);
  const onClick = async () => {
    try {
      await copyText(text);
      setDone(true);
      notify('Copied to the clipboard.');
      setTimeout(() => setDone(false), 2000);
    } catch {
      notify('Could not copy: select the text and copy it by hand.', 'error');
    }
  };
  return (
    <button type="button" class={`btn btn-small ${className}`} onClick={onClick}>
      {done ? 'Copied' : label}
    </button>
  );
}
