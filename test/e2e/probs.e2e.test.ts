// The probability views in a real terminal (tmux): /probs on, /next while /temp changes, a /step
// session, and the /next panel in 60 columns; on the shipped base model, as a fresh clone has it.
import stringWidth from 'string-width';
import { beforeAll, describe, expect, it } from 'vitest';
import { useTempDir } from '../support/temp.js';
import { EXITED, hasTmux, sleep, useAppScreen } from './tmux.js';

const tempDir = useTempDir();

/** The part of the screen from the last /next panel's title on (the scrollback holds earlier ones). */
function lastPanel(screen: string): string {
  return screen.slice(screen.lastIndexOf('next token after'));
}

/** The probability of the likeliest candidate after the settings, from the panel's first bar row. */
function topSampled(panel: string): number {
  const row = /│ +\S+ +[█▏▎▍▌▋▊▉ ]*\s*[<\d.]+% │ [█▏▎▍▌▋▊▉ ]*\s*([\d.]+)%/.exec(panel);
  if (!row) throw new Error(`no candidate row in:\n${panel}`);
  return Number(row[1]);
}

describe.skipIf(!hasTmux())('probabilities in a terminal (needs tmux)', () => {
  let modelsDir: string;
  let configDir: string;
  const openApp = useAppScreen();
  const startApp = (width = 110) => openApp({ modelsDir, configDir }, { width, height: 50 });

  beforeAll(async () => {
    modelsDir = tempDir('inkling-e2e-models-');
    configDir = tempDir('inkling-e2e-config-');
  });

  it('colours a reply, reshapes /next as /temp changes, and steps a reply by hand', async () => {
    const app = startApp();
    await app.waitFor(/Type a prompt, or \/help[\s\S]*gutenberg-gpt \(gpt/, 90_000);

    await app.enter('/probs on');
    await app.waitFor(/probs on: replies are coloured/);
    await app.enter('the cat');
    await app.waitFor(/you › the cat[\s\S]*gutenberg-gpt · [\d.,]+ tok\/s[\s\S]*probability: ■ ≥50%/);

    await app.enter('/temp 0.2');
    await app.waitFor(/temperature = 0\.2/);
    await app.enter('/next');
    await app.waitFor(/next token after/);
    app.type('the c');
    const sharp = lastPanel(await app.waitFor(/next token after "the c"[\s\S]*T 0\.2[\s\S]*entropy/));
    // Clear the box to type a command: the panel keeps the text it read.
    app.keys('C-u');
    await sleep(300);
    await app.enter('/temp 1.5');
    const flat = lastPanel(await app.waitFor(/temperature = 1\.5[\s\S]*next token after "the c"[\s\S]*T 1\.5[\s\S]*entropy/));
    expect(topSampled(flat)).toBeLessThan(topSampled(sharp));
    app.keys('Escape');
    await sleep(500);

    await app.enter('/step the');
    await app.waitFor(/step the[\s\S]*▸ [\s\S]*↑↓ choose/);
    app.keys('Space');
    await sleep(400);
    app.keys('Down');
    await sleep(200);
    app.keys('Enter');
    await sleep(400);
    app.keys('Space');
    await sleep(400);
    app.keys('BSpace');
    await sleep(400);
    app.keys('Escape');
    await app.waitFor(/you › the\s[\s\S]*gutenberg-gpt · stepped by hand/);

    await app.enter('/quit');
    const last = await app.waitFor(new RegExp(EXITED));
    expect(last).not.toMatch(/Error|at .*\.ts:\d+/);
  }, 300_000);

  it('fits the /next panel in 60 columns', async () => {
    const app = startApp(60);
    await app.waitFor(/Type a prompt, or \/help[\s\S]*gutenberg-gpt \(gpt/, 90_000);
    await app.enter('/next');
    app.type('the dog sat on the mat and the cat');
    const panel = lastPanel(await app.waitFor(/next token after "[^"]*cat"[\s\S]*entropy/));
    // capture-pane joins lines the terminal wrapped: a line over 60 columns here is one the panel overflowed.
    for (const line of panel.split('\n')) expect(stringWidth(line)).toBeLessThanOrEqual(60);
    expect(panel).toMatch(/│ T [\d.]+/);
    expect(topSampled(panel)).toBeGreaterThan(0);
    app.keys('C-u');
    await sleep(300);
    await app.enter('/quit');
    await app.waitFor(new RegExp(EXITED));
  }, 200_000);
});
