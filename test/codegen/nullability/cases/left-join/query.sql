/* @name LeftJoin */
SELECT a.id, a.name, b.id AS book_id, b.title, b.subtitle
FROM authors a LEFT JOIN books b ON b.author_id = a.id;

/* @name RightJoin */
SELECT a.name, b.title FROM authors a RIGHT JOIN books b ON b.author_id = a.id;

/* @name FullJoin */
SELECT a.name, b.title FROM authors a FULL OUTER JOIN books b ON b.author_id = a.id;

/* @name InnerJoinKeepsCatalog */
SELECT a.name, a.bio, b.title FROM authors a JOIN books b ON b.author_id = a.id;

/* @name SelfJoin */
SELECT b.title, other.title AS other_title
FROM books b LEFT JOIN books other ON other.author_id = b.author_id AND other.id <> b.id;

/* @name LeftJoinStar */
SELECT authors.*, books.title, books.subtitle FROM authors LEFT JOIN books ON books.author_id = authors.id;
