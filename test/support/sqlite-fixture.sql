-- SQLite form of sql/schema (0001-0003), hand-written for the SQLite dialect's tests. Codegen emits the real one
-- (generated/sqlite/schema.sql) from the catalog by the same rules: docs/sqlite.md.
-- The dialect attaches each PostgreSQL schema as a database of that name, so objects are created as `app.x`;
-- inside a table, index or trigger body names are unqualified (SQLite resolves them in the same schema).

CREATE TABLE app.users (
  id          TEXT NOT NULL PRIMARY KEY DEFAULT (gen_random_uuid()),  -- uuid
  first_name  TEXT NOT NULL,
  last_name   TEXT NOT NULL,
  email       TEXT,
  created_at  TEXT NOT NULL DEFAULT (now()),                          -- timestamptz
  updated_at  TEXT NOT NULL DEFAULT (now()),                          -- timestamptz
  CONSTRAINT users_email_key UNIQUE (email)
) STRICT;

-- PostgreSQL: BEFORE UPDATE ... app.touch_updated_at(). SQLite cannot assign NEW, so AFTER UPDATE rewrites the row
-- (recursive_triggers is off, so this UPDATE does not fire the trigger again).
CREATE TRIGGER app.users_touch_updated_at AFTER UPDATE ON users FOR EACH ROW
BEGIN
  UPDATE users SET updated_at = now() WHERE id = NEW.id;
END;

CREATE TABLE app.user_identities (
  id          TEXT NOT NULL PRIMARY KEY DEFAULT (gen_random_uuid()),
  user_id     TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  provider    TEXT NOT NULL,
  subject     TEXT NOT NULL,
  email       TEXT,
  created_at  TEXT NOT NULL DEFAULT (now()),
  updated_at  TEXT NOT NULL DEFAULT (now()),
  CONSTRAINT user_identities_provider_subject_key UNIQUE (provider, subject)
) STRICT;

CREATE INDEX app.user_identities_user_id_idx ON user_identities (user_id);

CREATE TRIGGER app.user_identities_touch_updated_at AFTER UPDATE ON user_identities FOR EACH ROW
BEGIN
  UPDATE user_identities SET updated_at = now() WHERE id = NEW.id;
END;

CREATE TABLE app.tasks (
  id          TEXT    NOT NULL PRIMARY KEY DEFAULT (gen_random_uuid()),
  title       TEXT    NOT NULL,
  status      TEXT    NOT NULL DEFAULT 'todo'                           -- app.task_status
                CONSTRAINT tasks_status_check CHECK (status IN ('todo', 'doing', 'done')),
  priority    INTEGER NOT NULL DEFAULT 0,
  due_at      TEXT,                                                     -- timestamptz
  owner_id    TEXT    NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  labels      TEXT    NOT NULL DEFAULT '[]'                             -- text[]
                CONSTRAINT tasks_labels_check CHECK (json_valid(labels) AND json_type(labels) = 'array'),
  metadata    TEXT    NOT NULL DEFAULT '{}'                             -- jsonb
                CONSTRAINT tasks_metadata_check CHECK (json_valid(metadata)),
  estimate    TEXT,                                                     -- numeric(10, 2)
  archived    INTEGER NOT NULL DEFAULT 0                                -- boolean
                CONSTRAINT tasks_archived_check CHECK (archived IN (0, 1)),
  created_at  TEXT    NOT NULL DEFAULT (now()),
  updated_at  TEXT    NOT NULL DEFAULT (now()),
  CONSTRAINT tasks_priority_range CHECK (priority BETWEEN 0 AND 5)
) STRICT;

CREATE INDEX app.tasks_owner_open_idx ON tasks (owner_id, due_at) WHERE status <> 'done' AND NOT archived;

CREATE TRIGGER app.tasks_touch_updated_at AFTER UPDATE ON tasks FOR EACH ROW
BEGIN
  UPDATE tasks SET updated_at = now() WHERE id = NEW.id;
END;
