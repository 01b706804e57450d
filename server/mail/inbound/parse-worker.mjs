/**
 * Entry point of a parse worker thread (piscina). Workers start without the TypeScript loader that runs the main
 * thread (tsx registers its hooks per thread), so this plain module registers tsx for its own imports, then hands
 * piscina the task function from parse-task.ts.
 */
import { register } from 'tsx/esm/api';

const api = register({ namespace: 'helpdesk-parse-worker' });
const mod = await api.import('./parse-task.ts', import.meta.url);

export default mod.parseTask ?? mod.default?.parseTask;
