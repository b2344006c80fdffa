/* @name Literals */
SELECT 1 AS one, 'x' AS x, true AS yes, NULL::text AS nothing, now() AS at, CURRENT_DATE AS today,
       :label!::text AS label, :maybe::text AS maybe;

/* @name Arithmetic */
SELECT b.pages + 1 AS next_page, b.pages * r.stars AS weighted, a.id + b.pages AS mixed
FROM books b JOIN reviews r ON r.book_id = b.id LEFT JOIN authors a ON a.id = b.author_id;

/* @name Coalesce */
SELECT coalesce(b.subtitle, 'none') AS subtitle, coalesce(b.subtitle, a.bio) AS either,
       coalesce(a.name, b.title) AS label
FROM books b LEFT JOIN authors a ON a.id = b.author_id;

/* @name CaseExpressions */
SELECT CASE WHEN b.pages > 100 THEN 'long' ELSE 'short' END AS length,
       CASE WHEN b.pages > 100 THEN 'long' END AS no_else,
       CASE WHEN b.pages > 100 THEN b.subtitle ELSE 'short' END AS nullable_branch
FROM books b;

/* @name ExistsAndTests */
SELECT a.name,
       EXISTS (SELECT 1 FROM books b WHERE b.author_id = a.id) AS has_books,
       a.bio IS NULL AS no_bio,
       ARRAY(SELECT b.title FROM books b WHERE b.author_id = a.id) AS titles,
       (SELECT b.title FROM books b WHERE b.author_id = a.id LIMIT 1) AS first_title,
       lower(a.name) AS lower_name, lower(a.bio) AS lower_bio
FROM authors a;
