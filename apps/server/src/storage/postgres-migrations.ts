/**
 * The schema on PostgreSQL: the same numbered steps as SQLite's (migrations.ts), with the same
 * names, written in PostgreSQL's dialect. A step is never edited once released; a new SQLite step
 * needs its PostgreSQL twin here (postgres-storage.test.ts checks that the two lists match).
 *
 * Differences that matter: times are BIGINT (milliseconds), flags BOOLEAN, bytes BYTEA; tables
 * whose order SQLite took from rowid get an identity column `position`; the queue's `seq` is an
 * identity allocated after the recipient device's row is locked (postgres-relay-commit.ts), which
 * is what keeps each device's queue in commit order. A device's queue counters are its devices
 * row's minus its queue_removals row's (migration 11).
 */
import type { Migration } from './migrations.js';

export const POSTGRES_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'meta',
    sql: `
      CREATE TABLE meta (
        key   TEXT PRIMARY KEY,
        value TEXT NOT NULL
      );
    `,
  },
  {
    version: 2,
    name: 'accounts, devices, prekeys, relay queue, device linking',
    sql: `
      CREATE TABLE accounts (
        user_id        TEXT    PRIMARY KEY,
        handle         TEXT    NOT NULL UNIQUE CHECK (handle = lower(handle)),
        display_name   TEXT    NOT NULL,
        identity_key   BYTEA   NOT NULL,
        -- Device ids are never reused: a contact's old session must not meet a new device.
        next_device_id INTEGER NOT NULL DEFAULT 2,
        created_at     BIGINT  NOT NULL
      );

      CREATE TABLE devices (
        user_id         TEXT    NOT NULL REFERENCES accounts (user_id) ON DELETE CASCADE,
        device_id       INTEGER NOT NULL CHECK (device_id BETWEEN 1 AND 127),
        registration_id INTEGER NOT NULL,
        token_hash      BYTEA   NOT NULL UNIQUE,
        created_at      BIGINT  NOT NULL,
        last_seen_at    BIGINT  NOT NULL,
        PRIMARY KEY (user_id, device_id)
      );

      CREATE TABLE signed_prekeys (
        user_id    TEXT    NOT NULL,
        device_id  INTEGER NOT NULL,
        kind       TEXT    NOT NULL CHECK (kind IN ('ec', 'kyber')),
        key_id     INTEGER NOT NULL,
        public_key BYTEA   NOT NULL,
        signature  BYTEA   NOT NULL,
        PRIMARY KEY (user_id, device_id, kind),
        FOREIGN KEY (user_id, device_id) REFERENCES devices (user_id, device_id) ON DELETE CASCADE
      );

      CREATE TABLE one_time_prekeys (
        user_id    TEXT    NOT NULL,
        device_id  INTEGER NOT NULL,
        kind       TEXT    NOT NULL CHECK (kind IN ('ec', 'kyber')),
        key_id     INTEGER NOT NULL,
        public_key BYTEA   NOT NULL,
        signature  BYTEA,
        PRIMARY KEY (user_id, device_id, kind, key_id),
        FOREIGN KEY (user_id, device_id) REFERENCES devices (user_id, device_id) ON DELETE CASCADE
      );

      -- seq is never reused (an identity, not max+1): a late ack can never delete a newer envelope.
      CREATE TABLE envelopes (
        seq              BIGINT  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        recipient_user   TEXT    NOT NULL,
        recipient_device INTEGER NOT NULL,
        sender_user      TEXT    NOT NULL,
        sender_device    INTEGER NOT NULL,
        message_id       TEXT    NOT NULL,
        type             INTEGER NOT NULL,
        ciphertext       BYTEA   NOT NULL,
        server_timestamp BIGINT  NOT NULL,
        UNIQUE (recipient_user, recipient_device, sender_user, sender_device, message_id),
        FOREIGN KEY (recipient_user, recipient_device) REFERENCES devices (user_id, device_id) ON DELETE CASCADE
      );
      CREATE INDEX envelopes_by_recipient ON envelopes (recipient_user, recipient_device, seq);

      CREATE TABLE link_codes (
        link_id    TEXT    PRIMARY KEY,
        user_id    TEXT    NOT NULL,
        device_id  INTEGER NOT NULL,
        expires_at BIGINT  NOT NULL,
        used       BOOLEAN NOT NULL DEFAULT false,
        FOREIGN KEY (user_id, device_id) REFERENCES devices (user_id, device_id) ON DELETE CASCADE
      );

      CREATE TABLE link_requests (
        request_hash            BYTEA   PRIMARY KEY,
        link_id                 TEXT    NOT NULL REFERENCES link_codes (link_id) ON DELETE CASCADE,
        ephemeral_public_key    BYTEA   NOT NULL,
        mac                     BYTEA   NOT NULL,
        expires_at              BIGINT  NOT NULL,
        envelope                BYTEA,
        provisioning_token_hash BYTEA   UNIQUE,
        completed_device_id     INTEGER
      );
    `,
  },
  {
    version: 3,
    name: 'release registry, rollout rules, beta program',
    sql: `
      CREATE TABLE releases (
        remote       TEXT   NOT NULL,
        version      TEXT   NOT NULL,
        entry        TEXT   NOT NULL,
        integrity    TEXT   NOT NULL,
        contracts    TEXT   NOT NULL,
        published_at BIGINT NOT NULL,
        position     BIGINT GENERATED ALWAYS AS IDENTITY,
        PRIMARY KEY (remote, version)
      );

      CREATE TABLE rollout_rules (
        remote     TEXT    NOT NULL,
        revision   INTEGER NOT NULL,
        rules      TEXT    NOT NULL,
        change     TEXT    NOT NULL,
        restores   INTEGER,
        changed_at BIGINT  NOT NULL,
        PRIMARY KEY (remote, revision)
      );

      CREATE TABLE beta_program (
        user_id   TEXT   PRIMARY KEY,
        joined_at BIGINT NOT NULL
      );
    `,
  },
  {
    version: 4,
    name: 'group calls',
    sql: `
      CREATE TABLE group_calls (
        call_id      TEXT    PRIMARY KEY,
        room_id      BIGINT  NOT NULL UNIQUE,
        creator_user TEXT    NOT NULL,
        next_index   INTEGER NOT NULL DEFAULT 0,
        created_at   BIGINT  NOT NULL
      );

      CREATE TABLE group_call_invitees (
        call_id  TEXT   NOT NULL REFERENCES group_calls (call_id) ON DELETE CASCADE,
        user_id  TEXT   NOT NULL,
        position BIGINT GENERATED ALWAYS AS IDENTITY,
        PRIMARY KEY (call_id, user_id)
      );
    `,
  },
  {
    version: 5,
    name: 'call links, guest accounts',
    sql: `
      CREATE TABLE call_links (
        room_id        TEXT    PRIMARY KEY,
        verifier_hash  BYTEA   NOT NULL,
        encrypted_name BYTEA,
        approval       BOOLEAN NOT NULL,
        creator_user   TEXT    NOT NULL,
        created_at     BIGINT  NOT NULL,
        last_used_at   BIGINT  NOT NULL,
        revoked_at     BIGINT,
        call_id        TEXT,
        position       BIGINT  GENERATED ALWAYS AS IDENTITY
      );
      CREATE INDEX call_links_by_creator ON call_links (creator_user);
      CREATE INDEX call_links_by_call ON call_links (call_id);

      CREATE TABLE call_link_removals (
        call_id TEXT NOT NULL REFERENCES group_calls (call_id) ON DELETE CASCADE,
        user_id TEXT NOT NULL,
        PRIMARY KEY (call_id, user_id)
      );

      ALTER TABLE accounts ADD COLUMN guest BOOLEAN NOT NULL DEFAULT false;
    `,
  },
  {
    version: 6,
    name: 'disk bounds: queue counters, sweep indexes',
    // As on SQLite, triggers keep each device's queue count and bytes in the same transaction as
    // every insert and delete. The relay locks the device rows before it inserts, so the trigger's
    // update never waits on a lock the relay does not already hold.
    sql: `
      ALTER TABLE devices ADD COLUMN queued_envelopes INTEGER NOT NULL DEFAULT 0;
      ALTER TABLE devices ADD COLUMN queued_bytes     BIGINT  NOT NULL DEFAULT 0;
      UPDATE devices SET
        queued_envelopes = (SELECT count(*) FROM envelopes e WHERE e.recipient_user = devices.user_id AND e.recipient_device = devices.device_id),
        queued_bytes     = (SELECT coalesce(sum(length(e.ciphertext)), 0) FROM envelopes e
                            WHERE e.recipient_user = devices.user_id AND e.recipient_device = devices.device_id);

      CREATE FUNCTION envelopes_count() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'INSERT' THEN
          UPDATE devices SET queued_envelopes = queued_envelopes + 1, queued_bytes = queued_bytes + length(NEW.ciphertext)
          WHERE user_id = NEW.recipient_user AND device_id = NEW.recipient_device;
        ELSE
          UPDATE devices SET queued_envelopes = queued_envelopes - 1, queued_bytes = queued_bytes - length(OLD.ciphertext)
          WHERE user_id = OLD.recipient_user AND device_id = OLD.recipient_device;
        END IF;
        RETURN NULL;
      END $$;
      CREATE TRIGGER envelopes_counted AFTER INSERT OR DELETE ON envelopes FOR EACH ROW EXECUTE FUNCTION envelopes_count();

      CREATE INDEX devices_by_last_seen ON devices (last_seen_at);
      CREATE INDEX link_codes_by_expiry ON link_codes (expires_at);
      CREATE INDEX link_codes_by_device ON link_codes (user_id, device_id);
      CREATE INDEX group_calls_by_creator ON group_calls (creator_user);
      CREATE INDEX accounts_guests ON accounts (user_id) WHERE guest;
      -- The queue is a high-churn table (insert, then delete on ack): vacuum it early, or dead
      -- rows slow every read of it (measured: 14k envelopes/s fell to 2.5k with 231k dead rows).
      ALTER TABLE envelopes SET (autovacuum_vacuum_scale_factor = 0.01, autovacuum_vacuum_threshold = 1000);
    `,
  },
  {
    version: 7,
    name: 'leases',
    sql: `
      CREATE TABLE leases (
        name       TEXT   PRIMARY KEY,
        holder     TEXT   NOT NULL,
        expires_at BIGINT NOT NULL
      );
    `,
  },
  {
    version: 8,
    name: 'attachment blobs in the database',
    // Several nodes share no data folder: blobs live beside the rest (postgres-blob-store.ts).
    sql: `
      CREATE TABLE blobs (
        id           TEXT    PRIMARY KEY,
        owner        TEXT    NOT NULL,
        size         BIGINT  NOT NULL,
        received     BIGINT  NOT NULL,
        complete     BOOLEAN NOT NULL,
        created_at   BIGINT  NOT NULL,
        last_used_at BIGINT  NOT NULL
      );
      CREATE INDEX blobs_by_owner ON blobs (owner);
      CREATE TABLE blob_chunks (
        id       TEXT   NOT NULL REFERENCES blobs (id) ON DELETE CASCADE,
        "offset" BIGINT NOT NULL,
        bytes    BYTEA  NOT NULL,
        PRIMARY KEY (id, "offset")
      );
      -- Ciphertext does not compress: store it out of line as it is, without trying.
      ALTER TABLE blob_chunks ALTER COLUMN bytes SET STORAGE EXTERNAL;
    `,
  },
  {
    version: 9,
    name: 'queue counters once per statement',
    // Migration 6's trigger updated the device row once per envelope: a relay batch of 400 sends
    // and 400 acks to 200 devices made 800 updates, each a new version of a row already updated
    // in the same transaction (measured: 54% of the batch's statement time, ~88 µs an update).
    // Counted per statement instead, from the rows the statement inserted or deleted (transition
    // tables): one update per device per statement; the batch's statements took 4.4× less time.
    // Same totals, same transaction; rows skipped by ON CONFLICT are not in the transition table.
    sql: `
      DROP TRIGGER envelopes_counted ON envelopes;
      DROP FUNCTION envelopes_count();

      CREATE FUNCTION envelopes_count_statement() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'INSERT' THEN
          UPDATE devices d SET queued_envelopes = d.queued_envelopes + c.envelopes, queued_bytes = d.queued_bytes + c.bytes
          FROM (SELECT recipient_user, recipient_device, count(*) AS envelopes, sum(length(ciphertext)) AS bytes
                FROM queued GROUP BY recipient_user, recipient_device) c
          WHERE d.user_id = c.recipient_user AND d.device_id = c.recipient_device;
        ELSE
          UPDATE devices d SET queued_envelopes = d.queued_envelopes - c.envelopes, queued_bytes = d.queued_bytes - c.bytes
          FROM (SELECT recipient_user, recipient_device, count(*) AS envelopes, sum(length(ciphertext)) AS bytes
                FROM removed GROUP BY recipient_user, recipient_device) c
          WHERE d.user_id = c.recipient_user AND d.device_id = c.recipient_device;
        END IF;
        RETURN NULL;
      END $$;
      CREATE TRIGGER envelopes_counted_queued AFTER INSERT ON envelopes REFERENCING NEW TABLE AS queued
        FOR EACH STATEMENT EXECUTE FUNCTION envelopes_count_statement();
      CREATE TRIGGER envelopes_counted_removed AFTER DELETE ON envelopes REFERENCING OLD TABLE AS removed
        FOR EACH STATEMENT EXECUTE FUNCTION envelopes_count_statement();
    `,
  },
  {
    version: 10,
    name: 'call locks',
    // The host's lock on a call is the call's state, so it holds on every node and across restarts.
    sql: `
      ALTER TABLE group_calls ADD COLUMN locked_members TEXT;
    `,
  },
  {
    version: 11,
    name: 'queue removals apart from the device rows',
    // Two nodes' relay batches took turns through each other's commits: a batch's acks lowered the
    // counters on the acking device's row (migration 9's trigger), the row the other node's batch
    // locks to queue for that device. Removals are now counted in queue_removals instead, one row
    // per device that only deleters write; a device's queue is its devices counters minus its
    // removals row. The relay locks only its recipients' device rows (postgres-relay-commit.ts), and
    // the sweeps fold removals back into the devices rows (foldQueueRemovals in postgres-storage.ts).
    // No foreign key: the trigger also runs for the envelopes a device's removal cascades to, and
    // skips the device then; a row left by a race with a removal is swept as an orphan.
    sql: `
      CREATE TABLE queue_removals (
        user_id   TEXT    NOT NULL,
        device_id INTEGER NOT NULL,
        envelopes BIGINT  NOT NULL,
        bytes     BIGINT  NOT NULL,
        PRIMARY KEY (user_id, device_id)
      );
      -- Updated by every ack batch: vacuumed early, like the queue itself.
      ALTER TABLE queue_removals SET (autovacuum_vacuum_scale_factor = 0.01, autovacuum_vacuum_threshold = 1000);

      CREATE OR REPLACE FUNCTION envelopes_count_statement() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'INSERT' THEN
          -- The relay holds these device rows locked already (it locks before it inserts).
          UPDATE devices d SET queued_envelopes = d.queued_envelopes + c.envelopes, queued_bytes = d.queued_bytes + c.bytes
          FROM (SELECT recipient_user, recipient_device, count(*) AS envelopes, sum(length(ciphertext)) AS bytes
                FROM queued GROUP BY recipient_user, recipient_device) c
          WHERE d.user_id = c.recipient_user AND d.device_id = c.recipient_device;
        ELSE
          -- Sorted, so two deleters of the same devices take their rows in one order.
          INSERT INTO queue_removals AS r (user_id, device_id, envelopes, bytes)
          SELECT c.recipient_user, c.recipient_device, c.envelopes, c.bytes
          FROM (SELECT recipient_user, recipient_device, count(*) AS envelopes, sum(length(ciphertext)) AS bytes
                FROM removed GROUP BY recipient_user, recipient_device) c
          WHERE EXISTS (SELECT 1 FROM devices d WHERE d.user_id = c.recipient_user AND d.device_id = c.recipient_device)
          ORDER BY c.recipient_user, c.recipient_device
          ON CONFLICT (user_id, device_id) DO UPDATE SET envelopes = r.envelopes + excluded.envelopes, bytes = r.bytes + excluded.bytes;
        END IF;
        RETURN NULL;
      END $$;
    `,
  },
];
