import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { chatContext } from '#test/support/commands.js';
import { runCommandLine } from './dispatch.js';
import { finetuneCommand, splitFinetune } from './finetune.js';
import { useTempDir } from '#test/support/temp.js';

const tempDir = useTempDir();
const GOOD_LINE = JSON.stringify({ messages: [{ role: 'user', content: 'hi' }, { role: 'assistant', content: 'hello' }] });

function modelsDirWith(...names: string[]): string {
  const dir = tempDir('inkling-ft-');
  for (const n of names) mkdirSync(path.join(dir, n));
  return dir;
}

describe('finetune parser', () => {
  it('builds a FinetuneRequest', () => {
    expect(finetuneCommand.parse(['--from', 's1', '--data', 'poems.txt', '--name', 'v1', '--steps', '300', '--lr', '1e-4', '--freeze', '2', '--patience', '3'])).toEqual({
      kind: 'finetune', from: 's1', data: 'poems.txt', name: 'v1', steps: 300, learningRate: 1e-4, freeze: 2, patience: 3,
      command: 'inkling finetune --from s1 --data poems.txt --name v1 --steps 300 --lr 1e-4 --freeze 2 --patience 3',
    });
  });

  it.each([
    [['--from', 's1', '--name', 'v'], 'finetune needs --data or --text'],
    [['--from', 's1', '--name', 'v', '--data', 'a', '--text', 'b'], 'use --data or --text, not both'],
    [['--data', 'a', '--name', 'v'], '--from is required'],
    [['--from', 's1', '--data', 'a'], '--name is required'],
    [['--from', 's1', '--data', 'a', '--name', 's1'], '--name must differ from --from'],
    [['--from', 's1', '--data', 'a', '--name', '/abs'], "invalid model name '/abs'"],
    [['--from', 's1', '--text', '   ', '--name', 'v'], '--text is empty'],
    [['--from', 's1', '--data', 'a', '--name', 'v', '--freeze', '-1'], '--freeze must be between 0 and 64, got -1'],
    [['--from', 's1', '--data', 'a', '--name', 'v', '--lr', 'fast'], '--lr needs a number, got "fast"'],
  ])('%j -> %s', (argv, message) => {
    expect(() => finetuneCommand.parse(argv)).toThrow(message);
  });
});

describe('splitFinetune (chat)', () => {
  it('takes the rest of the line after --text verbatim', () => {
    expect(splitFinetune('--from s1 --name v --text It\'s a "grey" sea -- and --steps 5')).toEqual([
      '--from', 's1', '--name', 'v', '--text=It\'s a "grey" sea -- and --steps 5',
    ]);
    expect(splitFinetune('--from s1 --text "quoted whole" ')).toEqual(['--from', 's1', '--text=quoted whole']);
    expect(splitFinetune('--from "s 1" --data x')).toEqual(['--from', 's 1', '--data', 'x']);
  });
});

describe('finetune in the chat', () => {
  it('starts a fine-tune of an existing base with pasted text', async () => {
    const ctx = chatContext(undefined, modelsDirWith('s1'));
    await runCommandLine("/finetune --from s1 --name s1-sea --steps 50 --text The sea, the sea; it's grey.", ctx);
    expect(ctx.out.errors).toEqual([]);
    expect(ctx.chat.started[0]).toMatchObject({ kind: 'finetune', from: 's1', name: 's1-sea', steps: 50, text: "The sea, the sea; it's grey." });
    expect(ctx.out.lines[0]).toMatch(/^fine-tuning s1-sea in the background/);
  });

  it('starts a fine-tune on conversations from a chats.jsonl', async () => {
    const ctx = chatContext(undefined, modelsDirWith('s1'));
    const file = path.join(tempDir('inkling-chats-'), 'chats.jsonl');
    writeFileSync(file, `${GOOD_LINE}\n${GOOD_LINE}\n`);
    await runCommandLine(`/finetune --from s1 --name s1-chats --steps 20 --data ${file}`, ctx);
    expect(ctx.out.errors).toEqual([]);
    expect(ctx.chat.started[0]).toMatchObject({ kind: 'finetune', from: 's1', name: 's1-chats', data: file });
  });

  it.each([
    ['/finetune --from ghost --name v --text hi', /^model 'ghost' not found/],
    ['/finetune --from s1 --name v --data /no/such/file.txt', /^--data: file not found/],
    ['/finetune --from s1 --name taken --text hi', /^model taken already exists/],
    ['/finetune --from s1 --name v --data /no/such/chats.jsonl', /^file not found: \/no\/such\/chats\.jsonl$/],
    ['/finetune --from s1 --name v --data CHATS/bad.jsonl', /^bad\.jsonl line 2: messages\[0\]\.role: role must be "system", "user" or "assistant"$/],
  ])('%s -> one line', async (input, message) => {
    const ctx = chatContext(undefined, modelsDirWith('s1', 'taken'));
    const chats = tempDir('inkling-chats-');
    writeFileSync(path.join(chats, 'bad.jsonl'), `${GOOD_LINE}\n{"messages":[{"role":"bot","content":"x"}]}\n`);
    await runCommandLine(input.replace('CHATS', chats), ctx);
    expect(ctx.out.errors).toHaveLength(1);
    expect(ctx.out.errors[0]).toMatch(message);
    expect(ctx.chat.started).toEqual([]);
  });
});
