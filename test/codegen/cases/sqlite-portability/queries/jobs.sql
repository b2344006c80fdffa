/* @name JobsOverQty */
SELECT id, qty FROM jobs WHERE qty > :min! ORDER BY qty;

/* @name PhasesWithMany */
SELECT phase, count(*) AS "n!" FROM jobs GROUP BY phase HAVING count(*) >= :min!;

/* @name FirstJobs */
SELECT id FROM jobs ORDER BY id LIMIT :n!;

/* @name JobField */
SELECT data->>'n' AS n FROM jobs WHERE id = :id!;

/* @name JobDueNextDay */
SELECT due_on + 1 AS next FROM jobs WHERE id = :id!;

/* @name FinishJob */
UPDATE jobs SET phase = 'finished' WHERE id = :id! RETURNING *;

/* @name FinishJobReturningId */
UPDATE public.jobs SET phase = 'finished' WHERE id = :id! RETURNING id;

/* @name JobsPastPlanning */
SELECT id FROM jobs WHERE phase > 'planned';

/* @name JobsByQtyOrZero */
SELECT id FROM jobs WHERE coalesce(qty, 0) = :qty!;

/* @name JobsWithQty */
SELECT id FROM jobs WHERE qty = :qty!;
