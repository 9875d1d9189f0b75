#!/usr/bin/env -S node --single-threaded-gc --min-semi-space-size=8 --initial-old-space-size=64
// The agent's V8 flags (npm start and npm run bench give the benchmarks that host the agent the same ones):
// --single-threaded-gc: V8's GC helper threads wake for every concurrent marking and parallel scavenge; for the
// agent's small heap those wakeups cost more than they spare (overhead bench, 5 k requests/s: ~8 % less agent
// CPU per request, 3 alternated pairs).
// --min-semi-space-size=8 --initial-old-space-size=64: the agent's heap is small (~10 MB), so V8 kept its young
// generation at 1 MB and its old generation's limit just above what was live: ~4 scavenges and ~1 full GC a
// second at 5 k requests/s. With these: 13 scavenges and 4 full GCs in the run instead of 50-59 and 12, and
// ~17 % less agent CPU per request (2 alternated pairs); +12 MB of RSS.
import { main } from './main.js';

process.exitCode = await main(process.argv.slice(2));
