CREATE TABLE authors (
  id    integer PRIMARY KEY,
  name  text NOT NULL,
  bio   text
);
CREATE TABLE books (
  id         integer PRIMARY KEY,
  author_id  integer REFERENCES authors (id),
  title      text NOT NULL,
  subtitle   text,
  pages      integer NOT NULL DEFAULT 0
);
CREATE TABLE reviews (
  id       integer PRIMARY KEY,
  book_id  integer NOT NULL REFERENCES books (id),
  stars    integer NOT NULL,
  body     text
);
