// The layout at 40, 60 and 110 columns in a real terminal (tmux): with a run training in the background,
// no line is wider than the terminal (capture -J joins wrapped rows, so a wrapped row shows as too
// long), the status bar keeps model and run (and from 60 columns context mode and tok/s), and the panel keeps both losses and its legend.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import stringWidth from 'string-width';
import { beforeAll, describe, expect, it } from 'vitest';
import { makeTinyModel, writeCorpus } from '../support/models.js';
import { useTempDir } from '../support/temp.js';
import { hasTmux, useAppScreen } from './tmux.js';

const tempDir = useTempDir();

describe.skipIf(!hasTmux())('the layout at several widths (needs tmux)', () => {
  let modelsDir: string;
  let configDir: string;
  const openApp = useAppScreen();

  beforeAll(async () => {
    modelsDir = tempDir('inkling-layout-models-');
    configDir = tempDir('inkling-layout-config-');
    await makeTinyModel(modelsDir, 'tiny-gpt', { arch: 'gpt' });
    writeFileSync(path.join(configDir, 'config.json'), JSON.stringify({ lastModel: 'tiny-gpt' }));
  }, 120_000);

  it.each([40, 60, 110])('fits %i columns with a run in the background', async (width) => {
    const corpus = writeCorpus(configDir);
    const app = openApp({ modelsDir, configDir }, { width, height: 40 });
    await app.waitFor(/Type a prompt/, 90_000);
    await app.enter('/context on');
    await app.waitFor(/context on:/);
    await app.enter('the cat');
    await app.waitFor(/tiny-gpt · \d+\.\d tok\/s/);
    await app.enter(`/train --corpus ${corpus} --preset tiny --steps 100000 --name wide-${width}`);
    // The chart has points once a few steps are in.
    const shown = await app.waitFor(/── train {2}── val/, 120_000);
    const lines = shown.split('\n');
    const tooWide = lines.filter((l) => stringWidth(l) > width);
    expect(tooWide, `lines wider than ${width} columns:\n${tooWide.join('\n')}`).toEqual([]);
    expect(shown).toMatch(/val( loss)? (\d+\.\d+|-)/);
    expect(shown).toMatch(/train( loss)? (\d+\.\d+|-)/);
    const status = lines.filter((l) => l.trim() !== '').at(-1)!;
    expect(status).toContain('tiny-gpt');
    expect(status).toContain(`wide-${width}`);
    // From 60 columns the context mode and the speed stay too; at 40 they give way to model and run.
    if (width >= 60) {
      expect(status).toMatch(/tok\/s/);
      expect(status).toMatch(/ctx|context/);
    }
    await app.enter('/stop');
    await app.waitFor(/finished|stopped/, 120_000);
  }, 400_000);
});
