export type { Bus, BusMessage, BusHandler, BusSubscription } from './bus.js';
export { InProcessBus, subjectMatches } from './bus-memory.js';
export { NatsBus, type NatsBusOptions } from './bus-nats.js';
export { SUBJECTS, subjectToken } from './subjects.js';
export { FRAME, ReplyWriter, ReplyStreamError, requestStream, type ReplyEvent, type RequestStreamOptions } from './stream.js';
export type { AgentAnnouncement, AgentInfo, AgentQueryRequest } from './wire.js';
export { AgentRegistry, type RegistryOptions, type RegistryEvent } from './registry.js';
export { announceAgent, type AnnounceOptions, type Announcer } from './announce.js';
export { VIZIER_ERROR_CODES, VizierError, createVizierError, type VizierErrorCode } from './errors.js';
