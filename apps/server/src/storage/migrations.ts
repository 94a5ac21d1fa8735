/**
 * The schema, as numbered steps. A step is never edited once released: a change is a new step,
 * so every existing database reaches the same schema by replaying what it has not seen.
 */

/** One schema step; `sql` runs inside a transaction with the bookkeeping row. */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'meta',
    sql: `
      CREATE TABLE meta (
        key   TEXT PRIMARY KEY,
        value TEXT NOT NULL
      ) STRICT;
    `,
  },
  {
    version: 2,
    name: 'accounts, devices, prekeys, relay queue, device linking',
    // Keys and ciphertext are BLOBs: opaque bytes, never text the server could search or log.
    sql: `
      CREATE TABLE accounts (
        user_id        TEXT    PRIMARY KEY,
        handle         TEXT    NOT NULL UNIQUE CHECK (handle = lower(handle)),
        display_name   TEXT    NOT NULL,
        identity_key   BLOB    NOT NULL,
        -- Device ids are never reused: a contact's old session must not meet a new device.
        next_device_id INTEGER NOT NULL DEFAULT 2,
        created_at     INTEGER NOT NULL
      ) STRICT;

      CREATE TABLE devices (
        user_id         TEXT    NOT NULL REFERENCES accounts (user_id) ON DELETE CASCADE,
        device_id       INTEGER NOT NULL CHECK (device_id BETWEEN 1 AND 127),
        registration_id INTEGER NOT NULL,
        -- SHA-256 of the 256-bit bearer token: a copy of the database signs no one in.
        token_hash      BLOB    NOT NULL UNIQUE,
        created_at      INTEGER NOT NULL,
        last_seen_at    INTEGER NOT NULL,
        PRIMARY KEY (user_id, device_id)
      ) STRICT;

      -- The signed EC prekey ('ec') and the last-resort Kyber prekey ('kyber'): one of each per device.
      CREATE TABLE signed_prekeys (
        user_id    TEXT    NOT NULL,
        device_id  INTEGER NOT NULL,
        kind       TEXT    NOT NULL CHECK (kind IN ('ec', 'kyber')),
        key_id     INTEGER NOT NULL,
        public_key BLOB    NOT NULL,
        signature  BLOB    NOT NULL,
        PRIMARY KEY (user_id, device_id, kind),
        FOREIGN KEY (user_id, device_id) REFERENCES devices (user_id, device_id) ON DELETE CASCADE
      ) STRICT;

      -- One-time prekeys, EC (no signature) and Kyber (signed); each handed out once.
      CREATE TABLE one_time_prekeys (
        user_id    TEXT    NOT NULL,
        device_id  INTEGER NOT NULL,
        kind       TEXT    NOT NULL CHECK (kind IN ('ec', 'kyber')),
        key_id     INTEGER NOT NULL,
        public_key BLOB    NOT NULL,
        signature  BLOB,
        PRIMARY KEY (user_id, device_id, kind, key_id),
        FOREIGN KEY (user_id, device_id) REFERENCES devices (user_id, device_id) ON DELETE CASCADE
      ) STRICT;

      -- The relay queue: one row per recipient device, deleted when that device acks it. seq is
      -- AUTOINCREMENT so an id is never reused: a late ack can never delete a newer envelope.
      CREATE TABLE envelopes (
        seq              INTEGER PRIMARY KEY AUTOINCREMENT,
        recipient_user   TEXT    NOT NULL,
        recipient_device INTEGER NOT NULL,
        sender_user      TEXT    NOT NULL,
        sender_device    INTEGER NOT NULL,
        message_id       TEXT    NOT NULL,
        type             INTEGER NOT NULL,
        ciphertext       BLOB    NOT NULL,
        server_timestamp INTEGER NOT NULL,
        -- A retried send (same sender device, same client message id) queues nothing twice.
        UNIQUE (recipient_user, recipient_device, sender_user, sender_device, message_id),
        FOREIGN KEY (recipient_user, recipient_device) REFERENCES devices (user_id, device_id) ON DELETE CASCADE
      ) STRICT;
      CREATE INDEX envelopes_by_recipient ON envelopes (recipient_user, recipient_device, seq);

      CREATE TABLE link_codes (
        link_id    TEXT    PRIMARY KEY,
        user_id    TEXT    NOT NULL,
        device_id  INTEGER NOT NULL,
        expires_at INTEGER NOT NULL,
        used       INTEGER NOT NULL DEFAULT 0,
        FOREIGN KEY (user_id, device_id) REFERENCES devices (user_id, device_id) ON DELETE CASCADE
      ) STRICT;

      -- Stored under SHA-256 of the request id and of the provisioning token: whoever reads the
      -- database cannot poll for a provisioning message nor complete a link.
      CREATE TABLE link_requests (
        request_hash            BLOB    PRIMARY KEY,
        link_id                 TEXT    NOT NULL REFERENCES link_codes (link_id) ON DELETE CASCADE,
        ephemeral_public_key    BLOB    NOT NULL,
        mac                     BLOB    NOT NULL,
        expires_at              INTEGER NOT NULL,
        envelope                BLOB,
        provisioning_token_hash BLOB    UNIQUE,
        completed_device_id     INTEGER
      ) STRICT;
    `,
  },
  {
    version: 3,
    name: 'release registry, rollout rules, beta program',
    sql: `
      -- A release is immutable: (remote, version) is written once and never updated.
      CREATE TABLE releases (
        remote       TEXT    NOT NULL,
        version      TEXT    NOT NULL,
        -- '/releases/<version>/remoteEntry.js' on the remote's own origin, or an absolute URL.
        entry        TEXT    NOT NULL,
        integrity    TEXT    NOT NULL,
        contracts    TEXT    NOT NULL,
        published_at INTEGER NOT NULL,
        PRIMARY KEY (remote, version)
      ) STRICT;

      -- Every change to a remote's rules is a new revision; the newest is in effect. Kept whole, so
      -- a rollback restores an earlier revision exactly.
      CREATE TABLE rollout_rules (
        remote        TEXT    NOT NULL,
        revision      INTEGER NOT NULL,
        rules         TEXT    NOT NULL,
        change        TEXT    NOT NULL,
        -- Set on a rollback: the revision whose rules it restored.
        restores      INTEGER,
        changed_at    INTEGER NOT NULL,
        PRIMARY KEY (remote, revision)
      ) STRICT;

      CREATE TABLE beta_program (
        user_id   TEXT    PRIMARY KEY,
        joined_at INTEGER NOT NULL
      ) STRICT;
    `,
  },
  {
    version: 4,
    name: 'group calls',
    // No room secret and no join token here: the secret is derived from a key kept outside the
    // database (sfu/room-secret.ts) and tokens live in memory only, so a copy of the file lets no
    // one into a call's Janus room.
    sql: `
      CREATE TABLE group_calls (
        call_id      TEXT    PRIMARY KEY,
        room_id      INTEGER NOT NULL UNIQUE,
        creator_user TEXT    NOT NULL,
        -- Participant indexes (SFrame sender indexes) are never reused within a call, restarts included.
        next_index   INTEGER NOT NULL DEFAULT 0,
        created_at   INTEGER NOT NULL
      ) STRICT;

      CREATE TABLE group_call_invitees (
        call_id TEXT NOT NULL REFERENCES group_calls (call_id) ON DELETE CASCADE,
        user_id TEXT NOT NULL,
        PRIMARY KEY (call_id, user_id)
      ) STRICT;
    `,
  },
  {
    version: 5,
    name: 'call links, guest accounts',
    // A call link is known by its room id and the SHA-256 of its verifier only (call-links.ts in
    // the contracts): the root secret and the call name never reach the server in clear, so a copy
    // of this file lets no one join a link's call nor read what it is called.
    sql: `
      CREATE TABLE call_links (
        room_id        TEXT    PRIMARY KEY,
        verifier_hash  BLOB    NOT NULL,
        -- IV ‖ AES-GCM ciphertext ‖ tag under a key derived from the secret; opaque here.
        encrypted_name BLOB,
        approval       INTEGER NOT NULL CHECK (approval IN (0, 1)),
        creator_user   TEXT    NOT NULL,
        created_at     INTEGER NOT NULL,
        last_used_at   INTEGER NOT NULL,
        -- Set on revocation and on a reset (the old room id): such a row answers link_revoked.
        revoked_at     INTEGER,
        -- The running group call of the link, if any; stale once that call ended (checked on use).
        call_id        TEXT
      ) STRICT;
      CREATE INDEX call_links_by_creator ON call_links (creator_user);
      CREATE INDEX call_links_by_call ON call_links (call_id);

      -- Users the link's creator removed from a link's call: they need admitting again to come
      -- back. Gone with the call.
      CREATE TABLE call_link_removals (
        call_id TEXT NOT NULL REFERENCES group_calls (call_id) ON DELETE CASCADE,
        user_id TEXT NOT NULL,
        PRIMARY KEY (call_id, user_id)
      ) STRICT;

      -- Guests (a person without an account opening a link) get a temporary account.
      ALTER TABLE accounts ADD COLUMN guest INTEGER NOT NULL DEFAULT 0 CHECK (guest IN (0, 1));
    `,
  },
  {
    version: 6,
    name: 'disk bounds: queue counters, sweep indexes',
    // Issue 21: each device's queue is held to a quota (disk-limits.ts). The relay checks it on
    // every send, so the count and bytes are kept beside the device and maintained by triggers in
    // the same transaction as every insert and delete (ack, expiry, removal): an O(log n) lookup
    // instead of counting the queue. The indexes let the sweeps find what expired without a scan.
    sql: `
      ALTER TABLE devices ADD COLUMN queued_envelopes INTEGER NOT NULL DEFAULT 0;
      ALTER TABLE devices ADD COLUMN queued_bytes     INTEGER NOT NULL DEFAULT 0;
      UPDATE devices SET
        queued_envelopes = (SELECT count(*) FROM envelopes e WHERE e.recipient_user = devices.user_id AND e.recipient_device = devices.device_id),
        queued_bytes     = (SELECT coalesce(sum(length(e.ciphertext)), 0) FROM envelopes e
                            WHERE e.recipient_user = devices.user_id AND e.recipient_device = devices.device_id);

      CREATE TRIGGER envelopes_counted_in AFTER INSERT ON envelopes BEGIN
        UPDATE devices SET queued_envelopes = queued_envelopes + 1, queued_bytes = queued_bytes + length(NEW.ciphertext)
        WHERE user_id = NEW.recipient_user AND device_id = NEW.recipient_device;
      END;
      CREATE TRIGGER envelopes_counted_out AFTER DELETE ON envelopes BEGIN
        UPDATE devices SET queued_envelopes = queued_envelopes - 1, queued_bytes = queued_bytes - length(OLD.ciphertext)
        WHERE user_id = OLD.recipient_user AND device_id = OLD.recipient_device;
      END;

      -- Devices unseen for long are removed (storage-sweeps.ts).
      CREATE INDEX devices_by_last_seen ON devices (last_seen_at);
      -- Expired link codes go with their requests; a device's new code replaces its unused ones,
      -- and removing a device finds its codes without a scan.
      CREATE INDEX link_codes_by_expiry ON link_codes (expires_at);
      CREATE INDEX link_codes_by_device ON link_codes (user_id, device_id);
      -- Open group calls are counted per creator.
      CREATE INDEX group_calls_by_creator ON group_calls (creator_user);
      -- Idle guest accounts are swept; guests are few beside accounts.
      CREATE INDEX accounts_guests ON accounts (user_id) WHERE guest = 1;
    `,
  },
  {
    version: 7,
    name: 'leases',
    // Issue 22: which node owns a group call or runs the sweeps, until when (lease-store.ts). A
    // node that dies stops renewing; once expired the next node takes it.
    sql: `
      CREATE TABLE leases (
        name       TEXT    PRIMARY KEY,
        holder     TEXT    NOT NULL,
        expires_at INTEGER NOT NULL
      ) STRICT;
    `,
  },
  {
    version: 8,
    name: 'attachment blobs in the database',
    // PostgreSQL only (several nodes share no data folder). With SQLite one process serves, and
    // blobs stay files in the data folder (folder-blob-store.ts): the step keeps the numbers equal.
    sql: `-- nothing on SQLite`,
  },
  {
    version: 9,
    name: 'queue counters once per statement',
    // PostgreSQL's counting trigger moved to statement level (postgres-migrations.ts); SQLite has
    // no statement-level triggers, and its per-row ones cost little in process. The step exists
    // so both backends keep the same numbers.
    sql: `SELECT 1;`,
  },
  {
    version: 10,
    name: 'call locks',
    // The host's lock on a call is the call's state, so it holds on every node and across restarts.
    sql: `
      -- NULL: unlocked; else a JSON array of the user ids in the call when the host locked it.
      ALTER TABLE group_calls ADD COLUMN locked_members TEXT;
    `,
  },
  {
    version: 11,
    name: 'queue removals apart from the device rows',
    // PostgreSQL only: there two nodes' relay batches met on the device rows the counters live in
    // (postgres-migrations.ts). One SQLite process writes alone; its counters stay on the device
    // rows. The step keeps the numbers equal.
    sql: `SELECT 1;`,
  },
];

/** Checks that versions start at 1 and increase by one, so a merge mistake fails at start-up. */
export function assertMigrationsOrdered(migrations: readonly Migration[]): void {
  migrations.forEach((migration, index) => {
    if (migration.version !== index + 1) {
      throw new Error(`migration "${migration.name}" has version ${migration.version}, expected ${index + 1}`);
    }
  });
}
