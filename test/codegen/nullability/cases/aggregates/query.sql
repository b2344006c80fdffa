/* @name CountsAndSums */
SELECT count(*) AS all_rows, count(b.subtitle) AS subtitles, sum(b.pages) AS pages, max(b.pages) AS longest,
       min(b.title) AS first_title, avg(b.pages) AS average, string_agg(b.title, ', ') AS titles
FROM books b;

/* @name GroupedLeftJoin */
SELECT a.id, a.name, count(b.id) AS books, max(b.pages) AS longest
FROM authors a LEFT JOIN books b ON b.author_id = a.id
GROUP BY a.id, a.name;

/* @name Rollup */
SELECT b.author_id, b.title, count(*) AS n FROM books b GROUP BY ROLLUP (b.author_id, b.title);

/* @name WindowFunctions */
SELECT b.title, row_number() OVER (ORDER BY b.id) AS position, lag(b.title) OVER (ORDER BY b.id) AS previous
FROM books b;
