import escapeHtml from 'escape-html';

/** Markup that is already escaped: interpolated into `html` as it is. */
export class SafeHtml {
  readonly text: string;
  constructor(text: string) {
    this.text = text;
  }
  toString(): string {
    return this.text;
  }
}

function render(value: unknown): string {
  if (value instanceof SafeHtml) return value.text;
  if (Array.isArray(value)) return value.map(render).join('');
  if (value === undefined || value === null || value === false) return '';
  return escapeHtml(String(value));
}

/**
 * The console's templates: a tagged template that escapes every interpolated value (text and
 * attribute values alike) unless it is `SafeHtml`, so data from the change log, a dead letter's body
 * or a doctor's name cannot become markup. Arrays are joined; `null`, `undefined` and `false` vanish.
 *
 * @example
 * html`<td>${doctor.doctorLastName}</td>`
 */
export function html(strings: TemplateStringsArray, ...values: unknown[]): SafeHtml {
  let out = strings[0] ?? '';
  values.forEach((value, index) => {
    out += render(value) + (strings[index + 1] ?? '');
  });
  return new SafeHtml(out);
}
