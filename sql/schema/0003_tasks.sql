CREATE TYPE app.task_status AS ENUM ('todo', 'doing', 'done');

-- A business entity that exercises the type map: enum, int, timestamptz, text[], jsonb, numeric, boolean.
CREATE TABLE app.tasks (
  id          uuid            PRIMARY KEY DEFAULT gen_random_uuid(),
  title       text            NOT NULL,
  status      app.task_status NOT NULL DEFAULT 'todo',
  priority    integer         NOT NULL DEFAULT 0,
  due_at      timestamptz,
  owner_id    uuid            NOT NULL REFERENCES app.users (id) ON DELETE CASCADE,
  labels      text[]          NOT NULL DEFAULT '{}',
  metadata    jsonb           NOT NULL DEFAULT '{}'::jsonb,
  estimate    numeric(10, 2),
  archived    boolean         NOT NULL DEFAULT false,
  created_at  timestamptz     NOT NULL DEFAULT now(),
  updated_at  timestamptz     NOT NULL DEFAULT now(),
  CONSTRAINT tasks_priority_range CHECK (priority BETWEEN 0 AND 5)
);

CREATE INDEX tasks_owner_open_idx ON app.tasks (owner_id, due_at) WHERE status <> 'done' AND NOT archived;

CREATE TRIGGER tasks_touch_updated_at BEFORE UPDATE ON app.tasks
  FOR EACH ROW EXECUTE FUNCTION app.touch_updated_at();
