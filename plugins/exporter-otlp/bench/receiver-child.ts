// A separate process for the benchmark's OTLP receiver, so that its decoding is not counted as the agent's CPU.
import { OtlpReceiver } from '../test/receiver.js';

const r = new OtlpReceiver();
await r.start();
process.send!({ port: r.port });
const timer = setInterval(() => {
  process.send!({ spans: r.spans.length });
  // Keep only the count: the benchmark sends hundreds of thousands of spans.
  r.spans.length = 0;
}, 100);
process.on('message', (m: { stop?: boolean }) => {
  if (m.stop) {
    clearInterval(timer);
    void r.stop().then(() => process.exit(0));
  }
});
