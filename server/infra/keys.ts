/**
 * Every key carries one hash tag (the prefix, `{pz}` by default) so that the Lua commit, which
 * touches state, sequence and log together, works on Redis Cluster too.
 */
export function keys(prefix: string) {
  return {
    seq: `${prefix}:seq`,
    events: `${prefix}:events`,
    incidents: `${prefix}:incidents`,
    aliases: `${prefix}:incident-aliases`,
    openGeo: `${prefix}:open-incidents:geo`,
    videoAlerts: `${prefix}:video-alerts`,
    resources: `${prefix}:resources`,
    operations: `${prefix}:operations`,
    dispatches: `${prefix}:dispatches`,
    reports: `${prefix}:reports`,
    mode: `${prefix}:mode`,
    done: `${prefix}:done`,
    meta: `${prefix}:meta`,
    users: `${prefix}:users`,
    session: (id: string) => `${prefix}:session:${id}`,
    loginFails: (who: string) => `${prefix}:login-fails:${who}`,
    bullPrefix: `${prefix}:bull`,
    /** Pub/sub channel: sessions ended, for every process to cut their sockets. */
    revocations: `${prefix}:revocations`,
  };
}
export type Keys = ReturnType<typeof keys>;
