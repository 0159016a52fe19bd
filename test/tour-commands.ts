/**
 * The README tour as commands: the shell block under "## A five-minute tour", cut into the commands a
 * user pastes one by one (a command runs on over lines ending in `\` or inside an open single quote).
 */
export interface TourCommand {
  /** The step it belongs to: the number of the `# N.` comment above it. */
  step: number;
  /** The command as printed, continuation lines included. */
  text: string;
}

export function tourCommands(readme: string): TourCommand[] {
  const section = readme.split(/^## A five-minute tour$/m)[1];
  const block = section?.match(/^```sh\n([\s\S]*?)^```$/m)?.[1];
  if (!block) throw new Error('README.md has no ```sh block under "## A five-minute tour"');
  const commands: TourCommand[] = [];
  let step = 0;
  let pending: string[] = [];
  for (const line of block.split('\n')) {
    if (pending.length === 0) {
      const header = line.match(/^# (\d+)\./);
      if (header) step = Number(header[1]);
      if (line.trim() === '' || line.startsWith('#')) continue;
    }
    pending.push(line);
    const text = pending.join('\n');
    const openQuote = (text.replace(/"[^"']*"/g, '').match(/'/g)?.length ?? 0) % 2 === 1;
    if (!line.endsWith('\\') && !openQuote) {
      commands.push({ step, text });
      pending = [];
    }
  }
  if (pending.length > 0) throw new Error(`the tour's last command is unfinished: ${pending.join('\n')}`);
  return commands;
}
