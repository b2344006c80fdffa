/* @name UnionOfNonNull */
SELECT name AS label FROM authors
UNION
SELECT title FROM books;

/* @name UnionWithNullableBranch */
SELECT name AS label, 1 AS kind FROM authors
UNION ALL
SELECT subtitle, 2 FROM books;

/* @name UnionWithLeftJoinBranch */
SELECT a.name AS label FROM authors a
UNION ALL
SELECT b.title FROM authors a LEFT JOIN books b ON b.author_id = a.id;

/* @name Intersect */
SELECT bio AS label FROM authors
INTERSECT
SELECT title FROM books;

/* @name ExceptKeepsLeft */
SELECT bio AS label FROM authors
EXCEPT
SELECT title FROM books;
