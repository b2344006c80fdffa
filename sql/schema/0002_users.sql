CREATE TABLE app.users (
  id          uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
  first_name  text        NOT NULL,
  last_name   text        NOT NULL,
  email       text        UNIQUE,
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TRIGGER users_touch_updated_at BEFORE UPDATE ON app.users
  FOR EACH ROW EXECUTE FUNCTION app.touch_updated_at();

-- Links an OIDC subject (google, microsoft, keycloak, or any issuer URL) to a user.
CREATE TABLE app.user_identities (
  id          uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id     uuid        NOT NULL REFERENCES app.users (id) ON DELETE CASCADE,
  provider    text        NOT NULL,
  subject     text        NOT NULL,
  email       text,
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT user_identities_provider_subject_key UNIQUE (provider, subject)
);

CREATE INDEX user_identities_user_id_idx ON app.user_identities (user_id);

CREATE TRIGGER user_identities_touch_updated_at BEFORE UPDATE ON app.user_identities
  FOR EACH ROW EXECUTE FUNCTION app.touch_updated_at();
