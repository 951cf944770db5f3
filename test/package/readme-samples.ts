/** A file of the five-minute start: a code block whose first line is `// <path>`. */
export interface SampleFile {
  path: string;
  text: string;
}

/** `node dist/<script>.js <args>`, and the line the README shows it printing, if any. */
export interface SampleRun {
  script: string;
  args: string[];
  prints: Record<string, unknown> | null;
}

export interface ReadmeSamples {
  files: SampleFile[];
  /** The packages of `npm install …`, and of `npm install --save-dev …`. */
  install: string[];
  devInstall: string[];
  runs: SampleRun[];
  /** Code the test would not run: each is a README sample out of step with the test. */
  unrun: string[];
}

const BLOCK = /```(\w+)\n([\s\S]*?)```/g;
const FILE_HEADER = /^\/\/ ((?:src\/)?[\w./-]+\.(?:ts|json))\n/;
/** Shell lines the test performs its own way: the database is one of its own, compiled with tsc. */
const PERFORMED = [/^createdb /, /^npx tsc -p \.$/];

/** Reads the README's code blocks into what the packed-library test writes and runs. */
export function readmeSamples(markdown: string): ReadmeSamples {
  const samples: ReadmeSamples = { files: [], install: [], devInstall: [], runs: [], unrun: [] };
  for (const [, lang, body] of markdown.matchAll(BLOCK)) {
    if (lang === 'bash') readShell(body, samples);
    else if (lang === 'ts' || lang === 'jsonc') readFile(body, samples);
    else samples.unrun.push(body);
  }
  return samples;
}

function readFile(body: string, samples: ReadmeSamples): void {
  const header = FILE_HEADER.exec(body);
  if (header) samples.files.push({ path: header[1], text: body });
  else samples.unrun.push(body);
}

function readShell(body: string, samples: ReadmeSamples): void {
  const lines = body.split('\n').filter((line) => line.trim() !== '');
  for (let i = 0; i < lines.length; i++) {
    const words = lines[i].trim().split(/\s+/);
    if (words[0] === 'npm' && words[1] === 'install' && words[2] === '--save-dev') {
      samples.devInstall.push(...words.slice(3));
    } else if (words[0] === 'npm' && words[1] === 'install') {
      samples.install.push(...words.slice(2));
    } else if (words[0] === 'node' && words[1]?.startsWith('dist/')) {
      const next = lines[i + 1]?.trim() ?? '';
      const prints = next.startsWith('# {')
        ? (JSON.parse(next.slice(2)) as SampleRun['prints'])
        : null;
      samples.runs.push({ script: words[1], args: words.slice(2), prints });
      if (prints) i++;
    } else if (!PERFORMED.some((pattern) => pattern.test(lines[i]))) {
      samples.unrun.push(lines[i]);
    }
  }
}
