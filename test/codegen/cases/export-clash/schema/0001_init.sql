-- Generated modules that would export the same name, which generated/index.ts re-exports together.
CREATE SCHEMA shop;

-- The enum's type TaskStatus is also the entity of task_statuses.
CREATE TYPE shop.task_status AS ENUM ('todo', 'done');

CREATE TABLE shop.task_statuses (
  id      serial  PRIMARY KEY,
  status  shop.task_status NOT NULL
);

-- KeyWhere is the filter type of keys' repository and the entity of key_wheres.
CREATE TABLE shop.keys (
  id      serial  PRIMARY KEY
);

CREATE TABLE shop.key_wheres (
  id      serial  PRIMARY KEY
);
