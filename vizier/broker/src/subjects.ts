/** Subjects on the Bus; vizier/broker/README.md documents each one's payload. */
export const SUBJECTS = Object.freeze({
  /** Agent -> vizier: an agent starts (or restarts), with its schemas. JSON AgentAnnouncement. */
  register: 'nixie.agent.register',
  /** Agent -> vizier: every heartbeat period, carrying schemas, so a restarted vizier learns agents. */
  heartbeat: 'nixie.agent.heartbeat',
  /** Agent -> vizier: an agent stopping cleanly; its in-flight queries end at once. */
  unregister: 'nixie.agent.unregister',
  /** Vizier -> agents: vizier (re)started; agents register at once instead of at the next heartbeat. */
  vizierHello: 'nixie.vizier.hello',
  /** Vizier -> one agent: run a plan fragment; chunked replies go to the message's reply subject. */
  query: (agentId: string): string => `nixie.query.${subjectToken(agentId)}`,
  /** Vizier -> one agent: cancel a running query (JSON {queryId}). */
  cancel: (agentId: string): string => `nixie.cancel.${subjectToken(agentId)}`,
});

/** An agent id as one subject token: dots, spaces and wildcards would split or widen the subject. */
export function subjectToken(id: string): string {
  return id.replace(/[^A-Za-z0-9_-]/g, '_') || '_';
}
