import type { VariableUses } from './read-config.js';
import { VARIABLES, type VariableName } from './variables.js';

/**
 * The Markdown table of an app's variables (name, default, accepts, meaning), generated from the
 * declarations so the README cannot drift from the code. `npm run config-tables` writes it between
 * `<!-- config-table:<app> -->` and `<!-- /config-table:<app> -->` in each README.
 */
export function configTable(uses: VariableUses): string {
  const rows = (Object.keys(uses) as VariableName[]).map((name) => {
    const declared: { description: string; accepts: string; defaultValue?: string } = VARIABLES[name];
    const use = uses[name] ?? {};
    const fallback = use.defaultValue ?? declared.defaultValue;
    const shownDefault = use.isRequired ? 'required' : fallback === undefined ? 'unset' : `\`${fallback}\``;
    const meaning = use.note ? `${declared.description}; ${use.note}` : declared.description;
    return `| \`${name}\` | ${shownDefault} | ${escapePipes(declared.accepts)} | ${escapePipes(meaning)} |`;
  });
  return ['| variable | default | accepts | meaning |', '|---|---|---|---|', ...rows].join('\n');
}

function escapePipes(text: string): string {
  return text.replaceAll('|', '\\|');
}
