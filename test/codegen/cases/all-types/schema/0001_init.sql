-- Every type codegen supports, nullable and NOT NULL, with and without defaults.
CREATE SCHEMA shop;

CREATE TYPE shop.mood AS ENUM ('sad', 'ok', 'happy');

CREATE TABLE shop.samples (
  id             uuid          PRIMARY KEY DEFAULT gen_random_uuid(),
  code           varchar(20)   NOT NULL UNIQUE,
  note           text,
  tiny           smallint      NOT NULL DEFAULT 0,
  regular        integer,
  big            bigint        NOT NULL,
  price          numeric(12,2) NOT NULL DEFAULT 0,
  ratio          double precision,
  flag           boolean       NOT NULL DEFAULT false,
  ref_id         uuid,
  born_on        date,
  seen_at        timestamptz   NOT NULL,
  payload        jsonb         NOT NULL DEFAULT '{}'::jsonb,
  blob           bytea,
  mood           shop.mood     NOT NULL DEFAULT 'ok',
  moods          shop.mood[]   NOT NULL DEFAULT '{}',
  tags           text[]        NOT NULL DEFAULT '{}',
  scores         integer[],
  created_at     timestamptz   NOT NULL DEFAULT now(),
  updated_at     timestamptz   NOT NULL DEFAULT now()
);

-- An identity key, a generated column, a composite unique key and a foreign key.
CREATE TABLE shop.order_lines (
  id          bigint  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  sample_id   uuid    NOT NULL REFERENCES shop.samples (id),
  line_no     integer NOT NULL,
  quantity    integer NOT NULL,
  unit_price  numeric(12,2) NOT NULL,
  total       numeric(14,2) GENERATED ALWAYS AS (quantity * unit_price) STORED,
  CONSTRAINT order_lines_sample_line_key UNIQUE (sample_id, line_no)
);
