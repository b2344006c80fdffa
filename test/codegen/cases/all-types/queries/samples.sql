/* @name FindSampleByCode */
SELECT * FROM shop.samples WHERE code = :code!;

/* @name SampleSummary */
SELECT s.code, s.mood, count(l.id) AS "lines!", max(l.total) AS "maxTotal?", s.note
FROM shop.samples s LEFT JOIN shop.order_lines l ON l.sample_id = s.id
WHERE s.flag = :flag! AND (s.note = :note OR :note IS NULL)
GROUP BY s.id
ORDER BY s.code;

/* @name TouchSamples */
UPDATE shop.samples SET updated_at = now() WHERE mood = :mood!;
