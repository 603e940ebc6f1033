import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { ENV_VARIABLES } from './config.js';

describe('.env.example', () => {
  it('lists exactly the variables the configuration schema reads, each with a comment', async () => {
    const text = await readFile(new URL('../.env.example', import.meta.url), 'utf8');
    const lines = text.split('\n');
    const listed = lines.filter((l) => /^[A-Z_]+=/.test(l)).map((l) => l.split('=')[0]);
    expect([...listed].sort()).toEqual([...ENV_VARIABLES].sort());
    for (const name of listed) {
      const index = lines.findIndex((l) => l.startsWith(`${name}=`));
      const above = lines.slice(0, index).reverse();
      const comment = above.find((l) => l.startsWith('#') || /^[A-Z_]+=/.test(l));
      expect(comment, `${name} has no comment above it`).toMatch(/^#/);
    }
  });
});
