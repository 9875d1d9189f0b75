export {
  startTestAgent, waitForRows, tableRows, type TestAgent, type TestAgentOptions, type WaitOptions, type Row,
} from './agent.js';
export { canTraceBpf } from './preflight.js';
export { runTraced } from './traced.js';
