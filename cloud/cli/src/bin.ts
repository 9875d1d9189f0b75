#!/usr/bin/env -S node --single-threaded-gc
// --single-threaded-gc: V8's GC helper threads wake for every concurrent marking and parallel scavenge; for the
// agent's small heap those wakeups cost more than they spare (overhead bench, 5 k requests/s: ~8 % less agent
// CPU per request, 3 alternated pairs). npm run bench gives the benchmarks that host the agent the same flag.
import { main } from './main.js';

process.exitCode = await main(process.argv.slice(2));
