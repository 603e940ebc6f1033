/**
 * `npm run check:typed-client`: the README's "A TypeScript service" quick start, done for real so that it stays
 * true. In a throwaway project it installs the packages the README names (at the versions last checked, so that
 * CI does not change under us; @types/node too, which any Node service has), copies openapi/openapi.json where
 * the README's command expects it, runs that command, type-checks the README's code strictly with TypeScript 5,
 * and runs it against the gateway in front of the sandbox: it must create a room, find it there on a repeat
 * (200, created: false), and report the 401 problem for an unknown key. Needs the npm registry; CI runs it.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { startLocalGateway } from './local-gateway.js';

const run = promisify(execFile);

/** What the check installs, by the names the README's `npm install` lines use. */
const PINNED: Record<string, string> = {
  'openapi-fetch': '0.17.0',
  'openapi-typescript': '7.13.0',
  typescript: '5.9.3',
};
const NODE_TYPES = '@types/node@20';

function fail(message: string): never {
  throw new Error(`README's TypeScript quick start: ${message}`);
}

/** The shell and TypeScript blocks of the README's "A TypeScript service" section. */
async function quickStart(): Promise<{ shell: string[]; code: string }> {
  const readme = await readFile('README.md', 'utf8');
  const section = /\n### A TypeScript service\n([\s\S]*?)\n##/.exec(readme)?.[1] ?? fail('section not found');
  const shell = /```sh\n([\s\S]*?)```/.exec(section)?.[1] ?? fail('no sh block');
  const code = /```ts\n([\s\S]*?)```/.exec(section)?.[1] ?? fail('no ts block');
  return { shell: shell.split('\n').map((l) => l.replace(/\s+#.*$/, '').trim()), code };
}

async function main(): Promise<void> {
  const { shell, code } = await quickStart();
  const installed = shell
    .filter((l) => l.startsWith('npm install '))
    .flatMap((l) => l.split(/\s+/).slice(2))
    .filter((word) => !word.startsWith('-'))
    .map((spec) => spec.replace(/(.)@.*$/, '$1'));
  if (installed.sort().join() !== Object.keys(PINNED).sort().join()) {
    fail(`it installs ${installed.join(', ')}; update PINNED in scripts/typed-client-check.ts to match`);
  }
  const generate =
    shell.find((l) => l.startsWith('npx openapi-typescript ')) ?? fail('no openapi-typescript command');
  const [input, , output] = generate.split(/\s+/).slice(2);
  if (!input || !output) fail(`cannot read "${generate}"`);

  const project = await mkdtemp(join(tmpdir(), 'roomgate-typed-client-'));
  const gateway = await startLocalGateway();
  try {
    await writeFile(
      join(project, 'package.json'),
      '{ "name": "calling-service", "private": true, "type": "module" }\n',
    );
    const specs = Object.entries(PINNED).map(([name, version]) => `${name}@${version}`);
    await run('npm', ['install', '--no-audit', '--no-fund', '--ignore-scripts', ...specs, NODE_TYPES], {
      cwd: project,
    });
    await writeFile(join(project, input), await readFile('openapi/openapi.json', 'utf8'));
    await run('npx', generate.split(/\s+/).slice(1), { cwd: project });
    await writeFile(join(project, dirname(output), 'create-room.ts'), code);
    await writeFile(
      join(project, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          target: 'ES2022',
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          strict: true,
          noUncheckedIndexedAccess: true,
          types: ['node'],
          outDir: 'dist',
          rootDir: dirname(output),
        },
        include: [dirname(output)],
      }),
    );
    await run('npx', ['tsc', '-p', '.'], { cwd: project });

    const call = async (apiKey: string) => {
      const env = { ...process.env, ROOMGATE_URL: gateway.url, ROOMGATE_API_KEY: apiKey };
      const { stdout, stderr } = await run('node', ['dist/create-room.js'], { cwd: project, env });
      return (stdout + stderr).trim();
    };
    const expectations: [string, string, RegExp, number][] = [
      ['a new room', gateway.apiKey, /^201 created Id-/, 0],
      // Tencent takes the same RoomId once per second: the repeat waits it out, then finds the room there.
      ['the same room again', gateway.apiKey, /^200 already there Id-/, 1100],
      ['an unknown key', 'not-a-key', /^401 \/problems\/unauthorized /, 0],
    ];
    for (const [what, apiKey, expected, waitMs] of expectations) {
      await new Promise((resolve) => setTimeout(resolve, waitMs));
      const said = await call(apiKey);
      if (!expected.test(said)) fail(`for ${what} the code printed "${said}", expected ${expected}`);
      process.stdout.write(`typed client, ${what}: ${said}\n`);
    }
  } finally {
    await gateway.close();
    await rm(project, { recursive: true, force: true });
  }
}

await main();
