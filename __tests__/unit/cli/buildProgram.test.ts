// buildProgram's start-up shortcut: when argv starts with a command's name it registers that command alone.
// Reference: the program with all nine commands. The one-command program must declare the same flags,
// print the same --help, and give the same commander errors (suggestions included) for that command.
import { CommanderError, type Command } from 'commander';
import { buildProgram, main } from '../../../src/cli/main';
import { memoryIo } from '../../../src/cli/io';

const NAMES = ['info', 'batch', 'loss', 'eval', 'train', 'gradcheck', 'sweep', 'probe', 'demo'];

const sub = (program: Command, name: string): Command => {
  const found = program.commands.find((c) => c.name() === name);
  if (found === undefined) throw new Error(`no ${name} command`);
  return found;
};

describe('buildProgram', () => {
  it('registers all nine commands, in --help order, when argv names none', () => {
    for (const argv of [[], ['--help'], ['help', 'eval'], ['evl'], ['--version', 'eval']])
      expect(buildProgram(memoryIo(), argv).commands.map((c) => c.name())).toEqual(NAMES);
  });

  it.each(NAMES)('registers %s alone when argv starts with it, with the same flags and help as the full program', (name) => {
    const full = sub(buildProgram(memoryIo()), name);
    const program = buildProgram(memoryIo(), [name, '--json']);
    expect(program.commands.map((c) => c.name())).toEqual([name]);
    const alone = sub(program, name);
    expect(alone.options.map((o) => [o.flags, o.description, o.defaultValue])).toEqual(full.options.map((o) => [o.flags, o.description, o.defaultValue]));
    expect(alone.helpInformation()).toBe(full.helpInformation());
  });

  it('gives the same error and suggestion for a misspelt flag either way', async () => {
    const viaMain = memoryIo();
    expect(await main(['eval', '--modle', 'x'], viaMain)).toBe(2);
    const full = memoryIo();
    const program = buildProgram(full); // all nine: the reference
    await expect(program.parseAsync(['eval', '--modle', 'x'], { from: 'user' })).rejects.toBeInstanceOf(CommanderError);
    const beforeHint = (text: string) => text.slice(0, text.indexOf('hint: '));
    expect(beforeHint(viaMain.stderr)).toBe(beforeHint(full.stderr));
    expect(viaMain.stderr).toMatch(/unknown option '--modle' \(Did you mean --model\?\)\nhint: /); // one line: the suggestion joins it
  });

  it("points a usage error's hint at the command's own --help, or at the command list", async () => {
    const bad = memoryIo();
    expect(await main(['batch', '--seed', '-1'], bad)).toBe(2);
    expect(bad.stdout).toBe('');
    expect(bad.stderr).toMatch(/^mnist-loss: option '--seed <n>' argument '-1' is invalid\..*\nhint: see 'mnist-loss batch --help' for its flags and their values\n$/);
    const unknown = memoryIo();
    expect(await main(['bogus'], unknown)).toBe(2);
    expect(unknown.stderr).toBe("mnist-loss: unknown command 'bogus'\nhint: see 'mnist-loss --help' for the commands\n");
  });
});
