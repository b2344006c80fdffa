/* @name LeftJoinOfInnerJoin */
SELECT a.name, b.title, r.stars
FROM authors a LEFT JOIN (books b JOIN reviews r ON r.book_id = b.id) ON b.author_id = a.id;

/* @name InnerJoinAfterLeftJoin */
SELECT a.name, b.title, r.stars
FROM authors a LEFT JOIN books b ON b.author_id = a.id JOIN reviews r ON r.book_id = b.id;

/* @name ChainOfLeftJoins */
SELECT a.name, b.title, r.stars
FROM authors a LEFT JOIN books b ON b.author_id = a.id LEFT JOIN reviews r ON r.book_id = b.id;

/* @name RightJoinOverLeftJoin */
SELECT a.name, b.title, r.stars
FROM authors a LEFT JOIN books b ON b.author_id = a.id RIGHT JOIN reviews r ON r.book_id = b.id;

/* @name JoinAlias */
SELECT j.name, j.title
FROM (authors a LEFT JOIN books b ON b.author_id = a.id) AS j;

/* @name JoinUsing */
SELECT id, name, title FROM authors LEFT JOIN books USING (id);

/* @name FullJoinUsing */
SELECT id, name, title FROM authors FULL JOIN books USING (id);
