/**
 * A modal confirmation. For what cannot be undone (an emergency key revoke) the operator types the
 * name of the thing first: the button stays disabled until it matches.
 */
import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';

export interface ConfirmDialogProps {
  readonly title: string;
  readonly children: ComponentChildren;
  /** The text to type before the action is allowed; none: one click confirms. */
  readonly typeToConfirm?: string;
  readonly confirmLabel: string;
  readonly danger?: boolean;
  readonly busy?: boolean;
  onConfirm(): void;
  onCancel(): void;
}

export function ConfirmDialog(props: ConfirmDialogProps) {
  const [typed, setTyped] = useState('');
  const input = useRef<HTMLInputElement>(null);
  const cancel = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    (input.current ?? cancel.current)?.focus();
    const onKey = (event: KeyboardEvent): void => {
      if (event.key === 'Escape') props.onCancel();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);
  const allowed = props.typeToConfirm === undefined || typed === props.typeToConfirm;
  return (
    <div class="overlay" data-testid="confirm-dialog" role="dialog" aria-modal="true" aria-label={props.title}>
      <form
        class="dialog"
        aria-label={props.title}
        onSubmit={(event) => {
          event.preventDefault();
          if (allowed && props.busy !== true) props.onConfirm();
        }}
      >
        <h2>{props.title}</h2>
        <div class="dialog-body">{props.children}</div>
        {props.typeToConfirm === undefined ? null : (
          <label class="field">
            <span>
              Type <code>{props.typeToConfirm}</code> to confirm
            </span>
            <input ref={input} data-testid="confirm-input" value={typed} autocomplete="off" spellcheck={false} onInput={(event) => setTyped(event.currentTarget.value)} />
          </label>
        )}
        <div class="dialog-actions">
          <button type="button" ref={cancel} class="button" data-testid="confirm-cancel" onClick={props.onCancel}>
            Cancel
          </button>
          <button type="submit" class={`button ${props.danger === true ? 'button-danger' : 'button-primary'}`} data-testid="confirm-submit" disabled={!allowed || props.busy === true}>
            {props.confirmLabel}
          </button>
        </div>
      </form>
    </div>
  );
}
