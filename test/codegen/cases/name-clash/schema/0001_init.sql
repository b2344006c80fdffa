-- Tables whose names become names generated code also uses: keySchema, listSchema, uniqueKeySchema (helpers of
-- every repository), Executor (the runtime's type) and Promise (a global). The output must still compile.
CREATE SCHEMA shop;

CREATE TYPE shop.kind AS ENUM ('a', 'b');

CREATE TABLE shop.keys (
  id      uuid    PRIMARY KEY DEFAULT gen_random_uuid(),
  label   text    NOT NULL UNIQUE,
  kind    shop.kind NOT NULL DEFAULT 'a'
);

CREATE TABLE shop.lists (
  id      bigint  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  name    text    NOT NULL
);

CREATE TABLE shop.unique_keys (
  id      serial  PRIMARY KEY,
  k       text    NOT NULL UNIQUE
);

CREATE TABLE shop.executors (
  id      integer PRIMARY KEY,
  name    text    NOT NULL
);

CREATE TABLE shop.promises (
  id      uuid    PRIMARY KEY DEFAULT gen_random_uuid(),
  body    text    NOT NULL,
  due_on  date
);
