/** The CLI's main() in-process with its output captured (no spawn): exit code, stdout and stderr as text. */
import { main, type CliIo } from '../../helpers/cli/main.ts';

export async function cliInProcess(argv: string[], env: NodeJS.ProcessEnv = { CI: 'true' }): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: CliIo = { out: (t) => void (out += t), err: (t) => void (err += t), isTTY: false, env };
  const code = await main(argv, io);
  return { code, out, err };
}
