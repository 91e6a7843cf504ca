/**
 * vitest's order, with one change: a fresh clone has no results cache (node_modules/.vite), and vitest then runs the
 * largest files first, which puts some of the longest ones last; with two cores, those alone then decide when the run
 * ends. Without a cached duration, this takes the one in durations.json (one whole run under load; it only orders).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

const DURATIONS = JSON.parse(readFileSync(new URL('./durations.json', import.meta.url), 'utf8')) as Record<string, number>;

export class LongestFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const root = this.ctx.config.root;
    const key = (f: TestSpecification): string => path.relative(root, f.moduleId).split(path.sep).join('/');
    if (files.every((f) => this.ctx.cache.getFileTestResults(`${f.project.name}:${key(f)}`))) return super.sort(files);
    return [...files].sort((a, b) => (DURATIONS[key(b)] ?? 0) - (DURATIONS[key(a)] ?? 0));
  }
}
