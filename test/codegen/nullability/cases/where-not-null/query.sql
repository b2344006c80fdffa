/* @name WhereIsNotNull */
SELECT a.name, b.title, b.subtitle
FROM authors a LEFT JOIN books b ON b.author_id = a.id
WHERE b.id IS NOT NULL;

/* @name WhereEqualsParam */
SELECT a.name, b.title, b.subtitle
FROM authors a LEFT JOIN books b ON b.author_id = a.id
WHERE a.id > 0 AND b.subtitle = :subtitle;

/* @name WhereNullableColumn */
SELECT name, bio FROM authors WHERE bio IS NOT NULL;

/* @name WhereOrDecidesNothing */
SELECT a.name, b.title
FROM authors a LEFT JOIN books b ON b.author_id = a.id
WHERE b.id IS NOT NULL OR a.id = 1;

/* @name WhereIsNullKeepsNullable */
SELECT a.name, b.title
FROM authors a LEFT JOIN books b ON b.author_id = a.id
WHERE b.subtitle IS NULL;
