CREATE VIEW author_names AS SELECT id, name FROM authors;
