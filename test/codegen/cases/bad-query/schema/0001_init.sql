CREATE SCHEMA inv;
CREATE TABLE inv.items (
  id    uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  name  text NOT NULL,
  qty   integer NOT NULL DEFAULT 0
);
