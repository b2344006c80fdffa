-- The application schema. Everything the SDK owns lives in `app`, never in `public`.
CREATE SCHEMA IF NOT EXISTS app;

-- Keeps updated_at true for every UPDATE, including hand-written ones that forget it.
CREATE FUNCTION app.touch_updated_at() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  NEW.updated_at := now();
  RETURN NEW;
END;
$$;
