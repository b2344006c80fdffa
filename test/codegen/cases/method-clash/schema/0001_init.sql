-- Named queries whose methods would clash with the built-in repository methods, or with each other.
CREATE SCHEMA shop;

CREATE TABLE shop.items (
  id    uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  name  text NOT NULL
);
