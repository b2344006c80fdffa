/* @name OuterColumnInsideOpaqueSubquery */
SELECT s.v FROM books x LEFT JOIN authors a ON false CROSS JOIN LATERAL (SELECT name AS v FROM pg_am LIMIT 1) s;

/* @name OpaqueColumn */
SELECT relpages FROM pg_class ORDER BY relpages LIMIT 1;
