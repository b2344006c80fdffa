/* @name RollupByPosition */
SELECT 'x' AS k, coalesce(b.subtitle, 'none') AS s, count(*) AS n FROM books b GROUP BY ROLLUP (1, 2);

/* @name CubeByOutputName */
SELECT b.pages + 1 AS next_page, count(*) AS n FROM books b GROUP BY CUBE (next_page);

/* @name GroupingSetsOfParameter */
SELECT :label!::text AS label, now() AS at, count(*) AS n FROM books b GROUP BY GROUPING SETS ((label, now()), ());

/* @name KeyInsideAnExpression */
SELECT coalesce(b.subtitle, 'none') AS s, length(coalesce(b.subtitle, 'none')) AS len FROM books b GROUP BY ROLLUP (b.subtitle);
