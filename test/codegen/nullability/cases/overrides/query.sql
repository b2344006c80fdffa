/* @name Overrides */
SELECT a.name AS "name?", b.title AS "title!", count(*) AS "n?", max(b.pages) AS "longest!"
FROM authors a LEFT JOIN books b ON b.author_id = a.id
GROUP BY a.name, b.title;
