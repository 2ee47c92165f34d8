import { cloneElement, toChildArray } from 'preact';
import { useId } from '../hooks.js';

/** True when an ApiError's param names this field (or something inside it). */
export function errorFor(error, param) {
  if (!error || !error.param || !param) return null;
  const p = error.param;
  if (p === param || p.startsWith(param + '.') || p.startsWith(param + '[')) return error.message;
  return null;
}

/**
 * A form control with a visible label, an optional hint and an error slot.
 * `param` is the API field path this control edits (e.g. `name`,
 * `sequenceSteps[1].delayDays`); when `error` (an ApiError) names it, its
 * message is shown under the control and the control is marked invalid.
 * The single child (input, select, textarea) gets id and aria attributes.
 */
export function Field({ label, hint, param, error, message, children, className = '', inline = false }) {
  const id = useId('fld');
  const text = message || errorFor(error, param);
  const hintId = hint ? id + '-hint' : undefined;
  const errId = text ? id + '-err' : undefined;
  const describedBy = [hintId, errId].filter(Boolean).join(' ') || undefined;
  const [child] = toChildArray(children);
  const control = cloneElement(child, {
    id: child.props.id || id,
    'aria-describedby': describedBy,
    'aria-invalid': text ? 'true' : undefined,
  });
  return (
    <div class={`field ${inline ? 'field-inline' : ''} ${text ? 'has-error' : ''} ${className}`}>
      {inline ? (
        <>
          {control}
          <label for={child.props.id || id}>{label}</label>
        </>
      ) : (
        <>
          <label for={child.props.id || id}>{label}</label>
          {control}
        </>
      )}
      {hint && (
        <p class="hint" id={hintId}>
          {hint}
        </p>
      )}
      {text && (
        <p class="field-error" id={errId}>
          {text}
        </p>
      )}
    </div>
  );
}
