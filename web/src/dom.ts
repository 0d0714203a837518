// Small DOM helpers: h() builds elements, no virtual DOM.

export type Child = Node | string | number | null | undefined | false | Child[];
type Handler = (ev: any) => void;
export type Attrs = Record<string, string | number | boolean | null | undefined | Handler>;

/** Properties set as DOM properties rather than attributes. */
const PROPS = new Set(['value', 'checked', 'selected', 'disabled', 'indeterminate']);

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs?: Attrs | null,
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  if (attrs) {
    for (const [k, v] of Object.entries(attrs)) {
      if (v === undefined || v === null || v === false) continue;
      if (k.startsWith('on') && typeof v === 'function') {
        el.addEventListener(k.slice(2).toLowerCase(), v as EventListener);
      } else if (k === 'testid') {
        el.setAttribute('data-testid', String(v));
      } else if (PROPS.has(k)) {
        (el as any)[k] = v;
      } else {
        el.setAttribute(k, v === true ? '' : String(v));
      }
    }
  }
  append(el, children);
  return el;
}

export function append(parent: Node, children: Child[]): void {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(parent, c);
    else if (c instanceof Node) parent.appendChild(c);
    else parent.appendChild(document.createTextNode(String(c)));
  }
}

/** Builds a DocumentFragment (one reflow when inserted). */
export function frag(...children: Child[]): DocumentFragment {
  const f = document.createDocumentFragment();
  append(f, children);
  return f;
}

export function clear(el: Element): void {
  el.replaceChildren();
}

/** Replaces el's children with the given ones in one operation. */
export function replace(el: Element, ...children: Child[]): void {
  el.replaceChildren(frag(...children));
}

/** Text only visible to assistive technology. */
export function sr(text: string): HTMLSpanElement {
  return h('span', { class: 'sr-only' }, text);
}

let idSeq = 0;
export function uid(prefix = 'id'): string {
  idSeq += 1;
  return `${prefix}-${idSeq}`;
}

/** A labelled form field: <label> + control + error message slot. */
export function field(
  label: string,
  control: HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement,
  opts: { hint?: string; testid?: string } = {},
): { wrap: HTMLDivElement; error: HTMLParagraphElement; control: typeof control } {
  if (!control.id) control.id = uid('f');
  const errId = `${control.id}-error`;
  const hintId = `${control.id}-hint`;
  const error = h('p', {
    class: 'field-error',
    id: errId,
    testid: opts.testid ? `${opts.testid}-error` : undefined,
    'aria-live': 'polite',
  });
  const describedBy = [opts.hint ? hintId : '', errId].filter(Boolean).join(' ');
  control.setAttribute('aria-describedby', describedBy);
  const wrap = h(
    'div',
    { class: 'field' },
    h('label', { for: control.id }, label),
    opts.hint ? h('p', { class: 'hint', id: hintId }, opts.hint) : null,
    control,
    error,
  );
  return { wrap, error, control };
}

export function setFieldError(
  f: { error: HTMLElement; control: HTMLElement },
  message: string | null,
): void {
  f.error.textContent = message ?? '';
  if (message) f.control.setAttribute('aria-invalid', 'true');
  else f.control.removeAttribute('aria-invalid');
}

/** Debounce a function (used for search boxes). */
export function debounce<A extends unknown[]>(fn: (...a: A) => void, ms: number): (...a: A) => void {
  let t: ReturnType<typeof setTimeout> | undefined;
  return (...a: A) => {
    if (t) clearTimeout(t);
    t = setTimeout(() => fn(...a), ms);
  };
}
