#!/usr/bin/env node
// The `lanyard` command: registers tsx's loader and runs the TypeScript entry point, so no build step is needed.
import { register } from 'tsx/esm/api';

register();
await import('../src/main.ts');
