/* @name CteCarriesInnerNullability */
WITH pairs AS (
  SELECT a.name, b.title FROM authors a LEFT JOIN books b ON b.author_id = a.id
)
SELECT name, title FROM pairs;

/* @name CteNarrowed */
WITH pairs AS (
  SELECT a.name, b.title FROM authors a LEFT JOIN books b ON b.author_id = a.id WHERE b.id IS NOT NULL
)
SELECT p.name, p.title FROM pairs p;

/* @name SubqueryInFrom */
SELECT s.name, s.books, s.title
FROM (SELECT a.name, count(*) AS books, max(b.title) AS title FROM authors a JOIN books b ON b.author_id = a.id GROUP BY a.name) s;

/* @name SubqueryOnNullableSide */
SELECT a.name, s.books
FROM authors a LEFT JOIN (SELECT author_id, count(*) AS books FROM books GROUP BY author_id) s ON s.author_id = a.id;

/* @name RecursiveCte */
WITH RECURSIVE chain (id, depth) AS (
  SELECT id, 0 FROM books WHERE author_id IS NULL
  UNION ALL
  SELECT b.id, c.depth + 1 FROM chain c JOIN books b ON b.author_id = c.id
)
SELECT id, depth FROM chain;
