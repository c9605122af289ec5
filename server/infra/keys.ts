/**
 * Every key carries one hash tag (the prefix, `{pz}` by default) so that the Lua commit, which
 * touches state, sequence and log together, works on Redis Cluster too.
 */
export function keys(prefix: string) {
  return {
    seq: `${prefix}:seq`,
    events: `${prefix}:events`,
    /** The highest seq the projector has committed to the database (only ever rises). */
    projected: `${prefix}:projected`,
    incidents: `${prefix}:incidents`,
    aliases: `${prefix}:incident-aliases`,
    /**
     * Archived ids a sender could send again (intake ids derived from an externalId, and the
     * merged report ids of archived incidents) → the case id they stand for. The create commit
     * expects the id absent here, so a re-sent report never makes a second incident.
     */
    tombstones: `${prefix}:archived-ids`,
    openGeo: `${prefix}:open-incidents:geo`,
    /**
     * Finished items still in the working set (member `<hash>|<id>`, score: when it finished):
     * the archive sweep reads what is due from here instead of scanning the working set.
     */
    finished: `${prefix}:finished`,
    /** Set once the finished index was built from older data (EventStore.migrateFinished). */
    finishedBuilt: `${prefix}:finished:built`,
    videoAlerts: `${prefix}:video-alerts`,
    resources: `${prefix}:resources`,
    operations: `${prefix}:operations`,
    dispatches: `${prefix}:dispatches`,
    reports: `${prefix}:reports`,
    /** CAP warnings (threads) by id (shared/warning.ts). */
    warnings: `${prefix}:warnings`,
    /** "sender identifier" of every message held → the id of its thread (idempotency, references). */
    warningAliases: `${prefix}:warning-aliases`,
    /** The raw CAP message as received (base64 of its bytes), by message id; never in events. */
    warningRaw: `${prefix}:warning-raw`,
    /** Footage requests still open (requested, approved); a finished one leaves on its last commit. */
    footageRequests: `${prefix}:footage-requests`,
    /** Cameras (shared/camera.ts CameraState) by id: register data, links and status. */
    cameras: `${prefix}:cameras`,
    /**
     * When each camera was last heard from (ms), outside the state: heartbeats every few seconds
     * must not each write an event. Read by the silence sweep and `GET /api/v1/cameras`.
     */
    cameraHeard: `${prefix}:camera-heard`,
    /** Video debounce state, one JSON per camera (integrations/video/debounce.ts). */
    videoDebounce: `${prefix}:video-debounce`,
    /** Short per-camera locks so two processes debounce one camera's events in turn. */
    videoLock: (cameraId: string) => `${prefix}:video-lock:${cameraId}`,
    mode: `${prefix}:mode`,
    done: `${prefix}:done`,
    meta: `${prefix}:meta`,
    /** The case rules: field `current` and every version ever saved (`v1`, `v2`…), kept for good. */
    caseRules: `${prefix}:case-rules`,
    users: `${prefix}:users`,
    /** A session, under the sha256 of its token (never the token itself). */
    session: (id: string) => `${prefix}:session:${id}`,
    /** The session keys of one user, so all of them can be ended at once. */
    userSessions: (userId: string) => `${prefix}:user-sessions:${userId}`,
    loginFails: (who: string) => `${prefix}:login-fails:${who}`,
    bullPrefix: `${prefix}:bull`,
    /** Pub/sub channel: sessions ended, for every process to cut their sockets. */
    revocations: `${prefix}:revocations`,
  };
}
export type Keys = ReturnType<typeof keys>;
