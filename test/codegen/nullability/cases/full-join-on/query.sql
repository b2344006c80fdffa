/* @name FullJoinOnThenPresent */
SELECT a.bio, b.subtitle FROM authors a FULL JOIN books b ON a.bio = b.subtitle WHERE a.id IS NOT NULL;

/* @name FullJoinOnNested */
SELECT a.bio FROM reviews r LEFT JOIN (authors a FULL JOIN books b ON a.bio = b.subtitle) ON true WHERE a.id IS NOT NULL;

/* @name LeftJoinOnThenPresent */
SELECT b.subtitle FROM authors a LEFT JOIN books b ON b.subtitle = a.bio WHERE b.id IS NOT NULL;
