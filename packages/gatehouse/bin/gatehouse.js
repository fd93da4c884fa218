#!/usr/bin/env node
// The `gatehouse` command. Runs the compiled CLI (npm ci builds it: see the root "prepare" script).
import { main } from '../dist/cli/main.js';

process.exitCode = await main(process.argv.slice(2));
