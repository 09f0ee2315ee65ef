#!/usr/bin/env node
// The `kpa` binary: wires the real process I/O to the dispatcher. Nothing else.
import { readFile, writeFile } from 'node:fs/promises';
import { COMMANDS } from './commands/index.js';
import { demoCommand } from './commands/demo.js';
import { dispatch } from './dispatch.js';

// `kpa simulate ... | head`: a closed pipe ends the output, it is not an error.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw err;
});

const exitCode = await dispatch(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  readFile: (path) => readFile(path, 'utf8'),
  writeFile: (path, data) => writeFile(path, data),
}, [...COMMANDS, demoCommand]);
process.exitCode = exitCode;
