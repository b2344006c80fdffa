CREATE SCHEMA geo;
CREATE TABLE geo.places (
  id       uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  name     text NOT NULL,
  location point,
  span     interval NOT NULL
);
